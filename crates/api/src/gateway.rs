//! Gateway discovery: where clients open their WebSocket.

use axum::extract::State;
use axum::http::header::HOST;
use axum::http::HeaderMap;
use hearth_protocol::objects::{GatewayBot, GatewayUrl, SessionStartLimit};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Auth;
use crate::{ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(gateway))
        .routes(routes!(gateway_bot))
}

/// `ws(s)://<public host>/gateway`: from `public_url` when configured, else from the request's
/// Host header. Never carries a query string (discord.js appends its own with `?`).
fn gateway_url(state: &AppState, headers: &HeaderMap) -> String {
    let base = match &state.config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1");
            format!("http://{host}")
        }
    };
    let ws = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base
    };
    format!("{ws}/gateway")
}

/// The gateway's URL (no authentication).
#[utoipa::path(get, path = "/gateway", tag = "gateway", security(()),
    responses((status = 200, body = GatewayUrl)))]
async fn gateway(State(state): State<AppState>, headers: HeaderMap) -> axum::Json<GatewayUrl> {
    axum::Json(GatewayUrl {
        url: gateway_url(&state, &headers),
    })
}

/// The gateway's URL with shard advice and the identify budget (bots).
#[utoipa::path(get, path = "/gateway/bot", tag = "gateway",
    responses((status = 200, body = GatewayBot), (status = 401, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody)))]
async fn gateway_bot(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: Auth,
) -> ApiResult<axum::Json<GatewayBot>> {
    if !auth.user.bot {
        return Err(ApiError::BotsOnly);
    }
    Ok(axum::Json(GatewayBot {
        url: gateway_url(&state, &headers),
        shards: 1,
        session_start_limit: SessionStartLimit {
            total: 1000,
            remaining: 1000,
            reset_after: 0,
            max_concurrency: 1,
        },
    }))
}

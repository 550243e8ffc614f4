//! Gateway discovery: where clients open their WebSocket.

use axum::extract::State;
use axum::http::header::HOST;
use axum::http::HeaderMap;
use hearth_protocol::objects::{GatewayBot, GatewayUrl, SessionStartLimit};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use hearth_gateway::connection::ConnectOptions;
use hearth_gateway::{WsError, WsMessage};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::extract::{Auth, Query};
use crate::{ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(gateway))
        .routes(routes!(gateway_bot))
}

/// The WebSocket endpoint itself (mounted at `/gateway`, outside `/api/v10`), also at
/// `/gateway/`: several libraries append `/?v=10&...` to the published URL and to
/// `resume_gateway_url`.
pub(crate) fn socket_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(connect))
        .routes(routes!(connect_with_slash))
}

/// Query of the gateway URL (clients append it to the published URL).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ConnectQuery {
    /// Gateway version; only 10 is served.
    v: Option<u32>,
    /// Only `json`.
    encoding: Option<String>,
    /// `zlib-stream` or `zstd-stream` for a compressed stream; otherwise plain text frames.
    compress: Option<String>,
}

/// Opens a gateway connection (WebSocket; Discord Gateway v10).
#[utoipa::path(get, path = "/gateway", tag = "gateway", security(()), params(ConnectQuery),
    responses((status = 101, description = "Switching to the WebSocket protocol"), (status = 400, body = hearth_protocol::ErrorBody)))]
async fn connect(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ConnectQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let upgrade = upgrade.map_err(|_| ApiError::NotWebSocket)?;
    if q.encoding.as_deref().is_some_and(|e| e != "json") {
        return Err(ApiError::InvalidFormBody(
            "Only encoding=json is served.".into(),
        ));
    }
    let options = ConnectOptions {
        zlib: q.compress.as_deref() == Some("zlib-stream"),
        zstd: q.compress.as_deref() == Some("zstd-stream"),
        bad_version: q.v.is_some_and(|v| v != 10),
        resume_url: match &state.config.node_url {
            Some(node) => ws_url(node),
            None => gateway_url(&state, &headers),
        },
    };
    let hub = state.hub.clone();
    // Small buffers: an idle connection should cost kilobytes, not the library's 128 KiB
    // default read buffer; client payloads (IDENTIFY, commands) are small and bounded. A
    // frame or message over the limit is refused from its header, before it is read.
    let limit = hub.config.max_payload_bytes;
    let upgrade = upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(16 * 1024)
        .max_message_size(limit)
        .max_frame_size(limit);
    Ok(upgrade.on_upgrade(move |socket| async move {
        let (sink, stream) = socket.split();
        let sink = sink.with(|m: WsMessage| async move { Ok::<_, axum::Error>(to_axum(m)) });
        let stream = stream.map(|r| r.map(from_axum).map_err(read_error));
        hearth_gateway::connection::serve(hub, Box::pin(sink), stream, options).await;
    }))
}

/// Opens a gateway connection at `/gateway/`, exactly as at `/gateway`.
#[utoipa::path(get, path = "/gateway/", tag = "gateway", security(()), params(ConnectQuery),
    responses((status = 101, description = "Switching to the WebSocket protocol"), (status = 400, body = hearth_protocol::ErrorBody)))]
async fn connect_with_slash(
    state: State<AppState>,
    headers: HeaderMap,
    query: Query<ConnectQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    connect(state, headers, query, upgrade).await
}

fn to_axum(m: WsMessage) -> Message {
    match m {
        WsMessage::Text(t) => Message::Text(t.into()),
        WsMessage::Binary(b) => Message::Binary(b.into()),
        WsMessage::Ping(b) => Message::Ping(b.into()),
        WsMessage::Pong(b) => Message::Pong(b.into()),
        WsMessage::Close(c) => Message::Close(c.map(|(code, reason)| CloseFrame {
            code,
            reason: reason.into(),
        })),
    }
}

fn from_axum(m: Message) -> WsMessage {
    match m {
        Message::Text(t) => WsMessage::Text(t.to_string()),
        Message::Binary(b) => WsMessage::Binary(b.to_vec()),
        Message::Ping(b) => WsMessage::Ping(b.to_vec()),
        Message::Pong(b) => WsMessage::Pong(b.to_vec()),
        Message::Close(c) => WsMessage::Close(c.map(|f| (f.code, f.reason.to_string()))),
    }
}

/// What a failed read means for the gateway: the errors it answers with a close code, told
/// apart from a connection that is gone.
fn read_error(e: axum::Error) -> WsError {
    use tungstenite::error::{CapacityError, Error};
    match e.into_inner().downcast::<Error>().map(|e| *e) {
        Ok(Error::Capacity(CapacityError::MessageTooLong { .. })) => WsError::TooLarge,
        Ok(Error::Utf8(_)) => WsError::InvalidUtf8,
        _ => WsError::Broken,
    }
}

/// `ws(s)://<public host>/gateway`: from `public_url` when configured, else from the request's
/// Host header. Never carries a query string (discord.js appends its own with `?`).
pub(crate) fn gateway_url(state: &AppState, headers: &HeaderMap) -> String {
    match &state.config.public_url {
        Some(url) => ws_url(url),
        None => {
            let host = headers
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1");
            ws_url(&format!("http://{host}"))
        }
    }
}

/// `http(s)://host/...` → `ws(s)://host/.../gateway`.
fn ws_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let ws = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
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

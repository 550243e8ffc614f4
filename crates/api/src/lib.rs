//! hearth-api: Discord's REST API v10 over axum.
//!
//! - One module per resource (`auth`, `users`, `relationships`, `user_settings`,
//!   `channel_preferences`,
//!   `applications`, `gateway`, `guilds`, `members`, `channels`, `invites`, `messages`, `roles`,
//!   `audit`, `moderation`, `directed_invites`),
//!   each exposing `router()`; merged in [`router`].
//! - [`extract`]: our `Json`, `Path`, `Query` and `Auth` extractors, so that every bad input is
//!   answered in Discord's error shape ([`error::ApiError`]).
//! - [`access`]: who may do what (membership and permission checks).
//! - [`convert`]: stored records to wire objects.
//! - [`directed`]: directed invites as shown and announced, and the purge of expired invites
//!   (run by the server's background task).
//! - `app`: [`AppState`], what every handler shares, and [`ApiConfig`].
//! - `web`: the web client (`web/dist`, embedded), served at `/` and its own paths.
//!
//! Every route is registered with its OpenAPI description (utoipa-axum), so the document served
//! at `/api/v10/openapi.json` covers exactly the routes that exist; the `openapi` module adds the
//! answers shared by every route of a kind (401 for a token, 400 for ids and bodies, 413).
#![forbid(unsafe_code)]

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::uri::PathAndQuery;
use axum::http::{Method, Uri};
use axum::{middleware, Extension, Router};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod access;
mod actor;
mod app;
mod applications;
mod audit;
mod auth;
mod change;
mod channel_preferences;
mod channel_rules;
mod channels;
pub mod convert;
pub mod directed;
mod directed_invites;
pub mod error;
pub mod events;
pub mod expiry;
pub mod extract;
mod gateway;
mod guilds;
mod health;
mod invites;
mod journal;
pub mod limits;
mod members;
mod mentions;
mod messages;
mod moderation;
mod openapi;
mod overwrite_rules;
mod overwrites;
pub mod passwords;
mod posting;
mod private;
mod private_channels;
mod reactions;
mod relationships;
mod retention;
mod role_rules;
mod roles;
mod search;
pub mod thread_rules;
mod threads;
mod user_settings;
mod users;
mod web;
pub mod workspace;

pub use app::{ApiConfig, AppState};
pub use error::{ApiError, ApiResult};

/// The OpenAPI router of `/api/v10`.
fn api_v10() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::router())
        .merge(users::router())
        .merge(relationships::router())
        .merge(user_settings::router())
        .merge(channel_preferences::router())
        .merge(applications::router())
        .merge(gateway::router())
        .merge(guilds::router())
        .merge(members::router())
        .merge(channels::router())
        .merge(invites::router())
        .merge(messages::router())
        .merge(reactions::router())
        .merge(roles::router())
        .merge(overwrites::router())
        .merge(audit::router())
        .merge(moderation::router())
        .merge(private_channels::router())
        .merge(directed_invites::router())
        .merge(retention::router())
        .merge(search::router())
        .merge(threads::router())
        .routes(routes!(health::openapi_document))
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    build().1
}

fn build() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest("/api/v10", api_v10())
        .merge(gateway::socket_router())
        .routes(routes!(health::healthz))
        .split_for_parts();
    openapi::Shared.modify(&mut doc);
    (routes, doc)
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (routes, doc) = build();
    let doc = Arc::new(health::OpenApiJson(
        doc.to_json().unwrap_or_else(|_| "{}".to_owned()),
    ));
    let limit = state.config.max_body_bytes;
    let api = routes
        .fallback(|| async { ApiError::NoRoute })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(Extension(doc))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            published_first,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state);
    // The path is rewritten before routing, so the rewrite wraps the routed application.
    Router::new()
        .merge(web::router())
        .fallback_service(api)
        .layer(middleware::map_request(decode_at_sign))
}

/// A change is answered only once its events are on the bus: in a cluster, a client that acts
/// on the answer (anywhere) acts after everyone can see the change, and a node that dies after
/// answering has lost nothing it acknowledged. It is also answered only once this node's guild
/// states have applied it: a client reads its own writes through this node.
async fn published_first(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: middleware::Next,
) -> axum::response::Response {
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let response = next.run(req).await;
    if changes && response.status().is_success() {
        state.bus.published().await;
        state.hub.states.caught_up().await;
    }
    response
}

/// discord.js percent-encodes `@` in `@me` (`/users/%40me`); routes match the decoded form.
async fn decode_at_sign(mut req: Request) -> Request {
    let uri = req.uri();
    if uri.path().contains("%40") {
        let path = uri.path().replace("%40", "@");
        let rebuilt = match uri.query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        if let Ok(pq) = rebuilt.parse::<PathAndQuery>() {
            let mut parts = uri.clone().into_parts();
            parts.path_and_query = Some(pq);
            if let Ok(new) = Uri::from_parts(parts) {
                *req.uri_mut() = new;
            }
        }
    }
    req
}

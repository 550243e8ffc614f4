//! hearth-api: Discord's REST API v10 over axum.
//!
//! - One module per resource (`auth`, `users`, `applications`, `gateway`, `guilds`, `members`,
//!   `channels`, `invites`, `messages`, `roles`, `audit`, `moderation`), each exposing
//!   `router()`; merged in [`router`].
//! - [`extract`]: our `Json`, `Path`, `Query` and `Auth` extractors, so that every bad input is
//!   answered in Discord's error shape ([`error::ApiError`]).
//! - [`access`]: who may do what (membership and permission checks).
//! - [`convert`]: stored records to wire objects.
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
use hearth_bus::Bus;
use hearth_core::SnowflakeGenerator;
use hearth_protocol::events::Event;
use hearth_store::Store;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod access;
mod applications;
mod audit;
mod auth;
mod channels;
pub mod convert;
pub mod error;
pub mod events;
pub mod extract;
mod gateway;
mod guilds;
mod health;
mod invites;
pub mod limits;
mod members;
mod messages;
mod moderation;
mod openapi;
mod overwrites;
pub mod passwords;
mod roles;
mod users;

pub use error::{ApiError, ApiResult};

/// Settings the API needs.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Base URL clients reach this node at (e.g. `https://chat.example.org`), used to publish the
    /// gateway URL; when unset, the request's `Host` header is used.
    pub public_url: Option<String>,
    /// This node's own base URL (for READY's `resume_gateway_url`); when unset, as the gateway
    /// URL.
    pub node_url: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Whether the client's address is the last entry of `X-Forwarded-For` (behind a reverse
    /// proxy that appends it) rather than the connection's peer.
    pub trust_forwarded_for: bool,
    /// Password hashing and authentication throttles.
    pub auth: limits::AuthConfig,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            public_url: None,
            node_url: None,
            max_body_bytes: 1024 * 1024,
            trust_forwarded_for: false,
            auth: limits::AuthConfig::default(),
        }
    }
}

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Where committed changes are published.
    pub bus: Arc<dyn Bus>,
    /// This node's gateway sessions.
    pub hub: Arc<hearth_gateway::Hub>,
    /// Ordering locks: held from a write until its event is published.
    pub order: Arc<events::OrderLocks>,
    /// Id generator of this node.
    pub ids: Arc<SnowflakeGenerator>,
    /// Settings.
    pub config: Arc<ApiConfig>,
    /// The bounded password hasher.
    pub passwords: Arc<passwords::Passwords>,
    /// Login and registration throttles.
    pub throttles: Arc<limits::AuthThrottles>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store.backend())
            .field("node_id", &self.ids.node_id())
            .finish()
    }
}

impl AppState {
    /// State over a store and a bus, for node `node_id`.
    pub fn new(
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
        hub: Arc<hearth_gateway::Hub>,
        node_id: u16,
        config: ApiConfig,
    ) -> Self {
        let passwords =
            passwords::Passwords::new(config.auth.hash_concurrency(), config.auth.hash_queue);
        AppState {
            store,
            bus,
            hub,
            order: Arc::new(events::OrderLocks::default()),
            ids: Arc::new(SnowflakeGenerator::new(node_id)),
            passwords: Arc::new(passwords),
            throttles: Arc::new(limits::AuthThrottles::new(&config.auth)),
            config: Arc::new(config),
        }
    }

    /// Publishes a committed change (call while holding its ordering lock). A change to a guild
    /// state this node keeps is awaited before the request is answered (see
    /// [`published_first`]).
    pub fn publish(&self, event: Event) {
        // A revoked token or a changed user is dropped from this node's cache at once (the
        // other nodes drop it when the event reaches them).
        self.hub.states.observe(&event);
        self.hub.states.expect(&event);
        self.bus.publish(event);
    }

    /// Publishes each of several committed changes, in order.
    pub fn publish_all(&self, events: impl IntoIterator<Item = Event>) {
        for e in events {
            self.publish(e);
        }
    }
}

/// The OpenAPI router of `/api/v10`.
fn api_v10() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::router())
        .merge(users::router())
        .merge(applications::router())
        .merge(gateway::router())
        .merge(guilds::router())
        .merge(members::router())
        .merge(channels::router())
        .merge(invites::router())
        .merge(messages::router())
        .merge(roles::router())
        .merge(overwrites::router())
        .merge(audit::router())
        .merge(moderation::router())
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

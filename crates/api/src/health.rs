//! `GET /healthz` and the OpenAPI document.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use hearth_protocol::objects::Health;

use crate::{ApiResult, AppState};

/// The serialized OpenAPI document.
#[derive(Debug)]
pub(crate) struct OpenApiJson(pub String);

/// Ready: answers 200 once the server listens (migrations are applied before it does), the
/// database answers and the bus is connected; 503 (`degraded`) while a cluster bus is
/// disconnected, so that a load balancer sends clients to other nodes.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health), (status = 500, body = hearth_protocol::ErrorBody)))]
pub(crate) async fn healthz(
    State(state): State<AppState>,
) -> ApiResult<(StatusCode, Json<Health>)> {
    state.store.ping().await?;
    let (bus, connected) = state.bus.health();
    let (code, status) = if connected {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "degraded")
    };
    Ok((
        code,
        Json(Health {
            status: status.into(),
            database: state.store.backend().into(),
            bus: bus.into(),
            node_id: state.ids.node_id(),
        }),
    ))
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of every route", content_type = "application/json")))]
pub(crate) async fn openapi_document(
    Extension(doc): Extension<Arc<OpenApiJson>>,
) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], doc.0.clone())
}

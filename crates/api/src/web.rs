//! The web client: the files Vite builds from `web/` into `web/dist` (committed, so building the
//! server needs no Node.js), embedded in the binary and served at `/`. The client's own paths
//! (`/login`, `/channels/...`, `/invite/{code}`, `/settings/...`) answer its `index.html`, which the client's
//! router reads; its hashed files under `/assets/` are cached for a year. Every answer carries a
//! strict Content-Security-Policy (no inline script or style, nothing from elsewhere) and the
//! other headers browsers expect. Anything else stays the API's: a Discord-shaped 404.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::RustEmbed;

use crate::ApiError;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
struct Assets;

/// Only this origin's scripts, styles, images and connections (the API and the gateway).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// Hashed file names change with their content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `index.html` names the current files: always asked again.
const REVALIDATE: &str = "no-cache";

/// The client's routes.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/login", get(index))
        .route("/channels/{*rest}", get(index))
        .route("/invite/{code}", get(index))
        .route("/settings/{*rest}", get(index))
        .route("/assets/{*file}", get(asset))
}

async fn index() -> Response {
    match Assets::get("index.html") {
        Some(file) => answer(file, REVALIDATE),
        None => ApiError::NoRoute.into_response(),
    }
}

async fn asset(Path(file): Path<String>) -> Response {
    // The path arrives percent-decoded: only plain names below `assets/` (outside a release
    // build the files are read from disk, and `..` must not reach beyond them).
    let plain = file
        .split('/')
        .all(|part| !part.is_empty() && part != "." && part != "..")
        && !file.contains('\\');
    if !plain {
        return ApiError::NoRoute.into_response();
    }
    match Assets::get(&format!("assets/{file}")) {
        Some(found) => answer(found, IMMUTABLE),
        None => ApiError::NoRoute.into_response(),
    }
}

fn answer(file: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let mime = file.metadata.mimetype();
    let mut res = (StatusCode::OK, Body::from(file.data.into_owned())).into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let fixed: [(HeaderName, &'static str); 7] = [
        (header::CACHE_CONTROL, cache),
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    res
}

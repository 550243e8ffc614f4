//! The web client: the files Vite builds from `web/` into `web/dist` (committed, so building the
//! server needs no Node.js), embedded in the binary and served at `/`. The client's own paths
//! (`/login`, `/channels/...`, `/invite/{code}`, `/settings/...`) answer its `index.html`, which the client's
//! router reads; its hashed files under `/assets/` are cached for a year. Every answer carries a
//! strict Content-Security-Policy (no inline script or style, nothing from elsewhere) and the
//! other headers browsers expect. Anything else stays the API's: a Discord-shaped 404.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use flate2::write::GzEncoder;
use flate2::Compression;
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

async fn index(headers: HeaderMap) -> Response {
    match Assets::get("index.html") {
        Some(file) => answer(file, REVALIDATE, accepts_gzip(&headers)),
        None => ApiError::NoRoute.into_response(),
    }
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
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
        Some(found) => answer(found, IMMUTABLE, accepts_gzip(&headers)),
        None => ApiError::NoRoute.into_response(),
    }
}

/// Whether the request takes gzip (`Accept-Encoding: gzip`, not refused with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// Text files are worth compressing (scripts, styles, the page); images and fonts are not.
fn compressible(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.contains("javascript")
        || mime.contains("json")
        || mime.contains("svg")
}

/// The gzip of a file, made once per content (keyed by its SHA-256) and kept.
fn gzipped(file: &rust_embed::EmbeddedFile) -> Bytes {
    static KEPT: OnceLock<Mutex<HashMap<[u8; 32], Bytes>>> = OnceLock::new();
    let kept = KEPT.get_or_init(Default::default);
    let key = file.metadata.sha256_hash();
    if let Some(found) = kept.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return found.clone();
    }
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let body = encoder
        .write_all(&file.data)
        .and_then(|()| encoder.finish())
        .map(Bytes::from)
        // Writing to memory does not fail; were it to, the plain file is served as it is.
        .unwrap_or_else(|_| Bytes::from(file.data.to_vec()));
    kept.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, body.clone());
    body
}

fn answer(file: rust_embed::EmbeddedFile, cache: &'static str, gzip: bool) -> Response {
    let mime = file.metadata.mimetype().to_owned();
    let gzip = gzip && compressible(&mime);
    let body = if gzip {
        Body::from(gzipped(&file))
    } else {
        Body::from(file.data.into_owned())
    };
    let mut res = (StatusCode::OK, body).into_response();
    let headers = res.headers_mut();
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&mime) {
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

//! Extractors that answer bad input in Discord's error shape: our own `Json`, `Path` and
//! `Query`, and `Auth` for the caller's token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header;
use axum::http::request::Parts;
use hearth_core::names::FieldError;
use hearth_core::{Snowflake, Timestamp, UserId};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FormErrors};
use crate::AppState;

/// A JSON body. An empty body reads as `{}` (clients send empty bodies with any content type);
/// syntax errors answer 50109, wrong types and missing fields 50035 naming the field, bodies
/// over the configured limit 413.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(bytes) = Json::<()>::from_request_bytes(req, state).await?;
        let bytes = body_or_empty(&bytes, b"{}");
        require_shape(bytes, b'{', "Only dictionaries may be used here.")?;
        parse_json(bytes).map(Json)
    }
}

/// A JSON array body (as `PATCH /guilds/{id}/channels` takes); otherwise as [`Json`].
#[derive(Debug, Clone)]
pub struct JsonList<T>(pub Vec<T>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonList<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(raw) = Json::<()>::from_request_bytes(req, state).await?;
        let bytes = body_or_empty(&raw, b"[]");
        require_shape(bytes, b'[', "Only lists may be used here.")?;
        parse_json(bytes).map(JsonList)
    }
}

/// An empty (or all-whitespace) body reads as `empty`.
fn body_or_empty<'a>(bytes: &'a [u8], empty: &'static [u8]) -> &'a [u8] {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        empty
    } else {
        bytes
    }
}

/// Refuses a body of the wrong top-level kind: 50035 when it is valid JSON, else 50109.
fn require_shape(bytes: &[u8], open: u8, why: &str) -> Result<(), ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&open) {
        return Ok(());
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        Ok(_) => Err(ApiError::InvalidFormBody(why.to_owned())),
        Err(_) => Err(ApiError::InvalidJson),
    }
}

impl Json<()> {
    /// The raw body, with the size limit mapped to 413.
    async fn from_request_bytes<S: Send + Sync>(
        req: Request,
        state: &S,
    ) -> Result<Json<Bytes>, ApiError> {
        Bytes::from_request(req, state)
            .await
            .map(Json)
            .map_err(|e| match e {
                BytesRejection::FailedToBufferBody(inner)
                    if inner.to_string().contains("length limit") =>
                {
                    ApiError::PayloadTooLarge
                }
                other => {
                    if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        ApiError::PayloadTooLarge
                    } else {
                        ApiError::InvalidJson
                    }
                }
            })
    }
}

/// Parses JSON, mapping errors to 50109 (syntax) or 50035 (shape, with the field's path).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        if matches!(e.inner().classify(), serde_json::error::Category::Data) {
            shape_error(&e.path().to_string(), &e.inner().to_string())
        } else {
            ApiError::InvalidJson
        }
    })?;
    // Trailing characters after the JSON value.
    de.end().map_err(|_| ApiError::InvalidJson)?;
    refuse_nul(bytes)?;
    Ok(value)
}

/// Refuses a body with U+0000 in a string (or a key), naming the first such field: PostgreSQL
/// cannot store it, and hearth answers the same on every database. Only a `\u0000` escape can
/// put one in JSON (raw control characters are not valid in strings), so bodies without that
/// sequence, nearly all, are not looked at twice.
fn refuse_nul(bytes: &[u8]) -> Result<(), ApiError> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(());
    };
    match nul_path(&value, "") {
        Some(path) => Err(ApiError::field(&path, FieldError::nul_character())),
        None => Ok(()),
    }
}

/// The dotted path of the first string holding U+0000 in `value` (a key holding one names the
/// object it is in).
fn nul_path(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) => s.contains('\0').then(|| path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_path(item, &join(&i.to_string()))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                Some(path.to_owned())
            } else {
                nul_path(item, &join(key))
            }
        }),
        _ => None,
    }
}

/// A 50035 error from a serde message at `path` (`.` for the root).
fn shape_error(path: &str, message: &str) -> ApiError {
    // serde_path_to_error writes list entries as `messages[1]`; Discord keys them by index
    // (`messages.1`), as [`FormErrors::add`] nests dotted paths.
    let path = path.replace('[', ".").replace(']', "");
    let path = path.trim_start_matches('.');
    // serde_json appends " at line L column C"; the client needs only the first part.
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        let full = if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return ApiError::field(&full, FieldError::required());
    }
    let err = FieldError::new("BASE_TYPE_INVALID", message);
    if path.is_empty() {
        ApiError::InvalidFormBody(message.to_owned())
    } else {
        ApiError::field(path, err)
    }
}

/// Path parameters; a bad snowflake answers 50035 naming the parameter.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if let Ok(raw) = RawPathParams::from_request_parts(parts, state).await {
            if let Some((key, _)) = raw.iter().find(|(_, v)| v.contains('\0')) {
                return Err(ApiError::field(key, FieldError::nul_character()));
            }
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                // Name the first parameter that is not a snowflake (all typed parameters are ids).
                let raw = RawPathParams::from_request_parts(parts, state).await.ok();
                let bad = raw.as_ref().and_then(|r| {
                    r.iter()
                        .find(|(_, v)| v.parse::<Snowflake>().is_err())
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                });
                let (key, value) = bad.unwrap_or_else(|| ("path".to_owned(), String::new()));
                Err(ApiError::field(
                    &key,
                    FieldError::new(
                        "NUMBER_TYPE_COERCE",
                        format!("Value \"{value}\" is not snowflake."),
                    ),
                ))
            }
            Err(e) => Err(ApiError::InvalidFormBody(e.body_text())),
        }
    }
}

/// A query string; bad values answer 50035.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or_default();
        if let Some((key, _)) =
            form_urlencoded::parse(q.as_bytes()).find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(ApiError::field(
                &key.replace('\0', ""),
                FieldError::nul_character(),
            ));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize::<_, T>(de)
            .map(Query)
            .map_err(|e| shape_error(&e.path().to_string(), &e.inner().to_string()))
    }
}

/// Who is calling: the authenticated user and the session their token belongs to.
#[derive(Debug, Clone)]
pub struct Auth {
    /// The user.
    pub user: hearth_store::User,
    /// The session (a login, or a bot token).
    pub session: hearth_store::Session,
}

impl Auth {
    /// The caller's id.
    pub fn id(&self) -> UserId {
        self.user.id
    }

    /// Refuses bots (endpoints meant for people).
    pub fn person(self) -> Result<Self, ApiError> {
        if self.user.bot {
            Err(ApiError::BotsForbidden)
        } else {
            Ok(self)
        }
    }
}

pub use hearth_store::token_hash;

/// A new random token for `user_id`.
pub fn new_token(user_id: UserId) -> String {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(user_id.to_string()),
        URL_SAFE_NO_PAD.encode(secret)
    )
}

/// The user a token names: its first part is the base64 of the user's id (`None` for a token
/// of another shape, which is then never cached).
pub fn token_owner(token: &str) -> Option<UserId> {
    let (first, _) = token.split_once('.')?;
    let id = URL_SAFE_NO_PAD.decode(first).ok()?;
    std::str::from_utf8(&id).ok()?.parse().ok()
}

/// How often a session's last-used time is written (at most once per this many seconds).
const TOUCH_INTERVAL_SECS: i64 = 60;

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?
            .trim();
        // `Bot <token>` must be a bot's token; a bare token must be a person's.
        let (token, want_bot) = match header.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bot") => (token.trim(), true),
            Some(_) => return Err(ApiError::Unauthorized),
            None => (header, false),
        };
        if token.is_empty() || token.len() > 200 {
            return Err(ApiError::Unauthorized);
        }
        let hash = token_hash(token);
        let (session, user) = state
            .hub
            .states
            .authenticate(&hash, token_owner(token))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        if user.bot != want_bot || (session.kind == "bot") != want_bot {
            return Err(ApiError::Unauthorized);
        }
        let now = Timestamp::now();
        if now.0 - session.last_used_at > TOUCH_INTERVAL_SECS * 1_000_000 {
            let info = ClientInfo::from_parts(parts, state.config.trust_forwarded_for);
            state
                .store
                .update_session_used(
                    session.id,
                    now,
                    info.ip.as_deref(),
                    info.user_agent.as_deref(),
                )
                .await?;
            state.hub.states.touched(&hash, now);
        }
        Ok(Auth { user, session })
    }
}

/// The client's address and user agent, recorded with sessions.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The connection's peer address, or the last entry of `X-Forwarded-For` when the
    /// configuration trusts it (`http.trust_forwarded_for`).
    pub ip: Option<String>,
    /// `User-Agent` (at most 512 characters kept).
    pub user_agent: Option<String>,
}

impl ClientInfo {
    fn from_parts(parts: &Parts, trust_forwarded_for: bool) -> Self {
        // The proxy in front appends the address it saw: the last entry is the one to trust.
        let forwarded = trust_forwarded_for
            .then(|| parts.headers.get_all("x-forwarded-for").iter().next_back())
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
            .map(|ip| ip.to_string());
        let ip = forwarded.or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string())
        });
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect());
        ClientInfo { ip, user_agent }
    }
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientInfo::from_parts(
            parts,
            state.config.trust_forwarded_for,
        ))
    }
}

/// Collects form errors, for handlers that validate several fields.
pub fn errors() -> FormErrors {
    FormErrors::new()
}

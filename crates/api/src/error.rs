//! `ApiError`: every failure the API answers, each with its HTTP status and Discord JSON code.
//! Server faults are logged here and answered with a body that reveals nothing.

use axum::http::header::{RETRY_AFTER, VIA};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_core::names::FieldError;
use hearth_protocol::ErrorBody;
use serde_json::{json, Map, Value};

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

/// Per-field errors of an invalid form body (code 50035), nested like the request.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(Map<String, Value>);

impl FormErrors {
    /// No errors yet.
    pub fn new() -> Self {
        FormErrors::default()
    }

    /// One error at a dotted path (`message_reference.message_id`, `0.position`).
    pub fn at(path: &str, error: FieldError) -> Self {
        let mut e = FormErrors::new();
        e.add(path, error);
        e
    }

    /// Adds an error at a dotted path.
    pub fn add(&mut self, path: &str, error: FieldError) {
        let mut node = &mut self.0;
        for part in path.split('.').filter(|p| !p.is_empty()) {
            let entry = node
                .entry(part.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            node = match entry {
                Value::Object(m) => m,
                _ => unreachable!("made an object just above"),
            };
        }
        let list = node
            .entry("_errors")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = list {
            items.push(json!({"code": error.code, "message": error.message}));
        }
    }

    /// Records the result of a check at `path`.
    pub fn check(&mut self, path: &str, result: Result<(), FieldError>) {
        if let Err(e) = result {
            self.add(path, e);
        }
    }

    /// The errors as the body's `errors` carries them (for tests).
    #[cfg(test)]
    pub(crate) fn to_json(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// Ok when nothing was recorded.
    pub fn into_result(self) -> ApiResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidForm(self))
        }
    }
}

/// A failure, as the client sees it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing, malformed or revoked token.
    #[error("401: Unauthorized")]
    Unauthorized,
    /// No such route.
    #[error("404: Not Found")]
    NoRoute,
    /// The write named a row that is not there, most often one a concurrent request deleted
    /// meanwhile (a message sent into a channel being deleted, a role given while it is
    /// deleted): the store's [`MissingParent`](hearth_store::StoreError::MissingParent).
    /// Answered like an unknown route, 404 with code 0 and "404: Not Found": the store cannot
    /// tell which row was missing (SQLite does not say), so no "Unknown Channel" or "Unknown
    /// Role" code would be honest; and a 404 is what the same request gets a moment later, when
    /// the parent is plainly gone. Not a 500: nothing failed on our side, and client libraries
    /// read a 404 as "it no longer exists".
    #[error("404: Not Found")]
    MissingParent,
    /// The route exists, the method does not.
    #[error("405: Method Not Allowed")]
    MethodNotAllowed,
    /// A plain request to the WebSocket endpoint.
    #[error("400: Bad Request")]
    NotWebSocket,
    /// 10002.
    #[error("Unknown Application")]
    UnknownApplication,
    /// 10003.
    #[error("Unknown Channel")]
    UnknownChannel,
    /// 10004.
    #[error("Unknown Guild")]
    UnknownGuild,
    /// 10006.
    #[error("Unknown Invite")]
    UnknownInvite,
    /// 10007.
    #[error("Unknown Member")]
    UnknownMember,
    /// 10008.
    #[error("Unknown Message")]
    UnknownMessage,
    /// 10011.
    #[error("Unknown Role")]
    UnknownRole,
    /// 30005.
    #[error("Maximum number of guild roles reached (250)")]
    MaxRoles,
    /// 10013.
    #[error("Unknown User")]
    UnknownUser,
    /// 10026.
    #[error("Unknown Ban")]
    UnknownBan,
    /// 10014: an emoji that is not a unicode emoji (custom emoji do not exist yet).
    #[error("Unknown Emoji")]
    UnknownEmoji,
    /// 30010.
    #[error("Maximum number of reactions reached (20)")]
    MaxReactions,
    /// 20001.
    #[error("Bots cannot use this endpoint")]
    BotsForbidden,
    /// 20002.
    #[error("Only bots can use this endpoint")]
    BotsOnly,
    /// 20016: slow mode; the seconds to wait.
    #[error("This action cannot be performed due to slowmode rate limit.")]
    SlowMode {
        /// Seconds until the next message may be sent.
        retry_after: f64,
    },
    /// Too many attempts (login, registration) or too many requests waiting for a password
    /// hash: wait `retry_after` seconds.
    #[error("You are being rate limited.")]
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after: f64,
    },
    /// 30004.
    #[error("Maximum number of group DM recipients reached (10)")]
    MaxRecipients,
    /// 40005.
    #[error("Request entity too large")]
    PayloadTooLarge,
    /// 40007.
    #[error("The user is banned from this guild.")]
    Banned,
    /// 50001.
    #[error("Missing Access")]
    MissingAccess,
    /// 50003.
    #[error("Cannot execute action on a DM channel")]
    DmChannel,
    /// 50005.
    #[error("Cannot edit a message authored by another user")]
    NotAuthor,
    /// 50006.
    #[error("Cannot send an empty message")]
    EmptyMessage,
    /// 50007.
    #[error("Cannot send messages to this user")]
    CannotMessageUser,
    /// 50013.
    #[error("Missing Permissions")]
    MissingPermissions,
    /// 50024.
    #[error("Cannot execute action on this channel type")]
    WrongChannelType,
    /// 50034.
    #[error("You can only bulk delete messages that are under 14 days old.")]
    MessageTooOld,
    /// 50035.
    #[error("Invalid Form Body")]
    InvalidForm(FormErrors),
    /// 50055: e.g. the owner leaving their own guild.
    #[error("Invalid Guild")]
    InvalidGuild,
    /// 50109.
    #[error("The request body contains invalid JSON.")]
    InvalidJson,
    /// 50035 on the whole body (e.g. unsupported value without a field).
    #[error("Invalid Form Body")]
    InvalidFormBody(String),
    /// 80001: a friend request between two users one of whom has blocked the other (which one
    /// is not said).
    #[error("Friend request blocked")]
    FriendRequestBlocked,
    /// 80002: a friend request to a bot.
    #[error("Bots cannot have friends")]
    BotsCannotHaveFriends,
    /// 80003: a friend request (or a block) of oneself.
    #[error("Cannot send friend request to self")]
    FriendRequestToSelf,
    /// 80004: no person has the username (and discriminator) a friend request names.
    #[error("No users with DiscordTag exist")]
    NoSuchUsername,
    /// 80006: a change only friends can make (a friend's nickname).
    #[error("You need to be friends in order to make this change")]
    NotFriends,
    /// 80007: a friend request by username to a friend.
    #[error("You are already friends with that user")]
    AlreadyFriends,
    /// 50033: a directed invite to oneself or to a bot.
    #[error("Invalid Recipient(s)")]
    InvalidRecipient,
    /// 190001 (hearth's own): answering or cancelling a directed invite that was already
    /// answered, cancelled or expired.
    #[error("This invite is no longer pending")]
    InviteNotPending,
    /// 190002 (hearth's own): answering or cancelling a directed invite past its expiry.
    #[error("This invite has expired")]
    InviteExpired,
    /// 190003 (hearth's own): a directed invite to, or accepted by, a member of the guild.
    #[error("The user is already a member of this guild")]
    AlreadyMember,
    /// 50083: the thread is archived (joining it, adding to it).
    #[error("Thread is archived")]
    ThreadArchived,
    /// 160004: a thread was already made from this message.
    #[error("A thread has already been created for this message")]
    ThreadExists,
    /// 160005: the thread is locked (posting, unarchiving without MANAGE_THREADS).
    #[error("Thread is locked")]
    ThreadLocked,
    /// A fault on our side: logged, never shown.
    #[error("500: Internal Server Error")]
    Internal(String),
}

impl ApiError {
    /// A 50035 error on one field.
    pub fn field(path: &str, error: FieldError) -> Self {
        ApiError::InvalidForm(FormErrors::at(path, error))
    }

    fn status_and_code(&self) -> (StatusCode, u32) {
        use ApiError::*;
        match self {
            Unauthorized => (StatusCode::UNAUTHORIZED, 0),
            NoRoute | MissingParent => (StatusCode::NOT_FOUND, 0),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, 0),
            NotWebSocket => (StatusCode::BAD_REQUEST, 0),
            UnknownApplication => (StatusCode::NOT_FOUND, 10002),
            UnknownChannel => (StatusCode::NOT_FOUND, 10003),
            UnknownGuild => (StatusCode::NOT_FOUND, 10004),
            UnknownInvite => (StatusCode::NOT_FOUND, 10006),
            UnknownMember => (StatusCode::NOT_FOUND, 10007),
            UnknownMessage => (StatusCode::NOT_FOUND, 10008),
            UnknownRole => (StatusCode::NOT_FOUND, 10011),
            MaxRoles => (StatusCode::BAD_REQUEST, 30005),
            UnknownUser => (StatusCode::NOT_FOUND, 10013),
            UnknownBan => (StatusCode::NOT_FOUND, 10026),
            UnknownEmoji => (StatusCode::BAD_REQUEST, 10014),
            MaxReactions => (StatusCode::BAD_REQUEST, 30010),
            BotsForbidden => (StatusCode::FORBIDDEN, 20001),
            BotsOnly => (StatusCode::FORBIDDEN, 20002),
            SlowMode { .. } => (StatusCode::TOO_MANY_REQUESTS, 20016),
            RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, 0),
            MaxRecipients => (StatusCode::BAD_REQUEST, 30004),
            PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, 40005),
            Banned => (StatusCode::FORBIDDEN, 40007),
            MissingAccess => (StatusCode::FORBIDDEN, 50001),
            DmChannel => (StatusCode::FORBIDDEN, 50003),
            NotAuthor => (StatusCode::FORBIDDEN, 50005),
            EmptyMessage => (StatusCode::BAD_REQUEST, 50006),
            CannotMessageUser => (StatusCode::FORBIDDEN, 50007),
            MissingPermissions => (StatusCode::FORBIDDEN, 50013),
            WrongChannelType => (StatusCode::BAD_REQUEST, 50024),
            MessageTooOld => (StatusCode::BAD_REQUEST, 50034),
            InvalidForm(_) | InvalidFormBody(_) => (StatusCode::BAD_REQUEST, 50035),
            InvalidGuild => (StatusCode::BAD_REQUEST, 50055),
            InvalidJson => (StatusCode::BAD_REQUEST, 50109),
            FriendRequestBlocked => (StatusCode::BAD_REQUEST, 80001),
            BotsCannotHaveFriends => (StatusCode::BAD_REQUEST, 80002),
            FriendRequestToSelf => (StatusCode::BAD_REQUEST, 80003),
            NoSuchUsername => (StatusCode::BAD_REQUEST, 80004),
            NotFriends => (StatusCode::BAD_REQUEST, 80006),
            AlreadyFriends => (StatusCode::BAD_REQUEST, 80007),
            InvalidRecipient => (StatusCode::BAD_REQUEST, 50033),
            InviteNotPending => (StatusCode::BAD_REQUEST, 190_001),
            InviteExpired => (StatusCode::BAD_REQUEST, 190_002),
            AlreadyMember => (StatusCode::BAD_REQUEST, 190_003),
            ThreadArchived => (StatusCode::BAD_REQUEST, 50083),
            ThreadExists => (StatusCode::BAD_REQUEST, 160_004),
            ThreadLocked => (StatusCode::FORBIDDEN, 160_005),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, 0),
        }
    }
}

impl From<hearth_store::StoreError> for ApiError {
    fn from(e: hearth_store::StoreError) -> Self {
        match e {
            // The extractors refuse U+0000 first, naming the request's field; this is the
            // store's own refusal, for text that reached it some other way.
            hearth_store::StoreError::InvalidText(field) => {
                ApiError::field(&field, FieldError::nul_character())
            }
            hearth_store::StoreError::MissingParent(constraint) => {
                tracing::debug!(%constraint, "write raced the deletion of what it names");
                ApiError::MissingParent
            }
            e => ApiError::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::SlowMode { retry_after } | ApiError::RateLimited { retry_after } = self {
            // Shaped as a 429 the client libraries wait on and retry: JSON `retry_after`, a
            // `Retry-After` header, and `Via` (discord.py takes a 429 without it for a proxy ban).
            let body = json!({
                "code": code,
                "message": self.to_string(),
                "retry_after": retry_after,
                "global": false,
            });
            let wait = (retry_after.ceil() as u64).max(1).to_string();
            let headers = [(RETRY_AFTER, wait), (VIA, "1.1 hearth".to_owned())];
            return (status, headers, axum::Json(body)).into_response();
        }
        let errors = match &self {
            ApiError::InvalidForm(f) => Some(Value::Object(f.0.clone())),
            ApiError::InvalidFormBody(why) => Some(json!({
                "_errors": [{"code": "BASE_TYPE_INVALID", "message": why}]
            })),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                None
            }
            _ => None,
        };
        let body = ErrorBody {
            code,
            message: self.to_string(),
            errors,
        };
        (status, axum::Json(body)).into_response()
    }
}

/// A username someone else has (any case).
pub fn username_taken() -> ApiError {
    ApiError::field(
        "username",
        FieldError::new(
            "USERNAME_ALREADY_TAKEN",
            "Username is unavailable. Try adding numbers, letters, underscores _ , or periods.",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_errors_nest_by_path() {
        let mut e = FormErrors::new();
        e.add("message_reference.message_id", FieldError::required());
        e.add("name", FieldError::bad_length(1, 100));
        e.add("name", FieldError::required());
        let v = Value::Object(e.0);
        assert_eq!(
            v["message_reference"]["message_id"]["_errors"][0]["code"],
            "BASE_TYPE_REQUIRED"
        );
        assert_eq!(v["name"]["_errors"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_write_missing_its_parent_is_a_404_not_a_500() {
        let e = ApiError::from(hearth_store::StoreError::MissingParent("unknown".into()));
        assert!(matches!(e, ApiError::MissingParent));
        assert_eq!(e.status_and_code(), (StatusCode::NOT_FOUND, 0));
        assert_eq!(e.to_string(), "404: Not Found");
    }
}

//! Request bodies and queries of the thread endpoints.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// What `PATCH /channels/{id}` changes on a thread, beside its name.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModifyThread {
    /// Archive (true) or unarchive (false). Unarchiving a locked thread takes MANAGE_THREADS.
    #[serde(default)]
    pub archived: Option<bool>,
    /// Minutes of inactivity before it is archived: 60, 1440, 4320 or 10080.
    #[serde(default)]
    pub auto_archive_duration: Option<i64>,
    /// Lock (only MANAGE_THREADS may then unarchive it or post); MANAGE_THREADS.
    #[serde(default)]
    pub locked: Option<bool>,
    /// Private threads: whether non-moderators may add others; MANAGE_THREADS.
    #[serde(default)]
    pub invitable: Option<bool>,
}

/// `POST /channels/{id}/messages/{message_id}/threads`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StartThreadFromMessage {
    /// 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Minutes of inactivity before it is archived: 60, 1440 (the default), 4320 or 10080.
    #[serde(default)]
    pub auto_archive_duration: Option<i64>,
    /// Slow mode, 0-21600 seconds.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 21600)]
    pub rate_limit_per_user: Option<i64>,
}

/// `POST /channels/{id}/threads`: a thread without a message.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StartThread {
    /// 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Minutes of inactivity before it is archived: 60, 1440 (the default), 4320 or 10080.
    #[serde(default)]
    pub auto_archive_duration: Option<i64>,
    /// 11, a public thread (the default; hearth serves public threads only).
    #[serde(default, rename = "type")]
    pub kind: Option<i64>,
    /// Private threads: whether non-moderators may add others.
    #[serde(default)]
    pub invitable: Option<bool>,
    /// Slow mode, 0-21600 seconds.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 21600)]
    pub rate_limit_per_user: Option<i64>,
}

/// The query of the archived thread lists.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchivedThreadsQuery {
    /// Threads archived before this instant (ISO 8601).
    #[serde(default)]
    pub before: Option<String>,
    /// 1-100 (default 50).
    #[serde(default)]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

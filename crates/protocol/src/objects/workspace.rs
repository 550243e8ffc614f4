//! hearth's extensions for workspaces (seed 002): channel counters.

use hearth_core::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A guild channel's counters (hearth's extension `hearth_counters` of channel objects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChannelCounters {
    /// Members who may view the channel (guests included).
    pub members: i64,
    /// Guests among them.
    pub guests: i64,
    /// Messages in the channel (deleted ones not counted).
    pub messages: i64,
    /// When the last message was posted (null: never).
    pub last_activity_at: Option<Timestamp>,
}

//! Guild bans: [`BanStore`].

use async_trait::async_trait;
use hearth_core::{GuildId, Timestamp, UserId};

use crate::{Ban, BanOutcome, Result};

/// Guild bans. A ban keeps a user from joining (see [`crate::InviteStore::use_invite`]).
#[async_trait]
pub trait BanStore: Send + Sync {
    /// Records a ban; false when the user was banned already (nothing changes then). Does not
    /// touch membership: see [`BanStore::ban_member`].
    async fn insert_ban(&self, ban: &Ban) -> Result<bool>;
    /// In one transaction: records the ban (or replaces the reason of an existing one), removes
    /// the member with its roles, and with `delete_messages_since` tombstones at `at` the
    /// user's messages in the guild's channels made at or after that instant (by their
    /// snowflakes, to the millisecond).
    async fn ban_member(
        &self,
        ban: &Ban,
        delete_messages_since: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<BanOutcome>;
    /// One ban.
    async fn fetch_ban(&self, guild_id: GuildId, user_id: UserId) -> Result<Option<Ban>>;
    /// A page of a guild's bans, ascending by user id. With `after`: the first `limit` above it
    /// (and below `before`, if given); with only `before`: the last `limit` below it.
    async fn fetch_bans(
        &self,
        guild_id: GuildId,
        before: Option<UserId>,
        after: Option<UserId>,
        limit: i64,
    ) -> Result<Vec<Ban>>;
    /// Lifts a ban; true when it existed.
    async fn delete_ban(&self, guild_id: GuildId, user_id: UserId) -> Result<bool>;
}

//! Guests, default channels and channel counters (seed 002's workspace features):
//! [`GuestStore`]. A member's kind and a guest's expiry are written with the member
//! ([`crate::MemberStore::insert_member`], [`crate::MemberStore::update_member`]) and a guest
//! invite admits its guests in [`crate::InviteStore::use_invite`]; this trait holds what the
//! expiry sweep, the guild's default channels and the channel counters need.

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, Timestamp, UserId};

use crate::{ChannelCounters, Member, Result};

/// Guest expiry, default channels and channel counters.
#[async_trait]
pub trait GuestStore: Send + Sync {
    /// Guests whose expiry is at or before `now`, oldest expiry first, at most `limit`.
    async fn fetch_expired_guests(&self, now: Timestamp, limit: i64) -> Result<Vec<Member>>;
    /// A guild's default channels, in their order.
    async fn fetch_default_channels(&self, guild_id: GuildId) -> Result<Vec<ChannelId>>;
    /// The counters of every channel of a guild (by ascending channel id).
    async fn fetch_channel_counters(&self, guild_id: GuildId) -> Result<Vec<ChannelCounters>>;
    /// Replaces a guild's default channels with `channels` in this order, in one transaction
    /// (a repeated id counts once, at its first place). The caller checks that they are
    /// channels of the guild; one that is not is a foreign-key error.
    async fn update_default_channels(
        &self,
        guild_id: GuildId,
        channels: &[ChannelId],
    ) -> Result<()>;
    /// Removes a member if they still are a guest whose expiry is at or before `now`; true
    /// when removed. Of several nodes sweeping at once exactly one gets true, and a guest made
    /// a member (or given a later expiry) meanwhile stays.
    async fn delete_expired_guest(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<bool>;
}

//! Channels: [`ChannelStore`]. A channel's permission overwrites are
//! [`crate::OverwriteStore`]'s, except when they are written together with the channel.

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId};

use crate::{Channel, ChannelMove, Overwrite, Result};

/// Channels.
#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// Creates a channel.
    async fn insert_channel(&self, channel: &Channel) -> Result<()>;
    /// Creates a guild channel with its overwrites in one transaction (a private channel never
    /// exists without them).
    async fn insert_channel_with_overwrites(
        &self,
        channel: &Channel,
        overwrites: &[Overwrite],
    ) -> Result<()>;
    /// One channel.
    async fn fetch_channel(&self, id: ChannelId) -> Result<Option<Channel>>;
    /// A guild's channels by position, then id; not its threads (see
    /// [`crate::ThreadStore`]).
    async fn fetch_guild_channels(&self, guild_id: GuildId) -> Result<Vec<Channel>>;
    /// Replaces a channel's settings; returns the stored channel.
    async fn update_channel(&self, channel: &Channel) -> Result<Option<Channel>>;
    /// Changes a channel as [`ChannelStore::update_channel`] does and, with `overwrites`,
    /// replaces its overwrites as [`OverwriteStore::replace_overwrites`] does, in one
    /// transaction; returns the channel and its overwrites (None: no such channel).
    ///
    /// [`OverwriteStore::replace_overwrites`]: crate::OverwriteStore::replace_overwrites
    async fn update_channel_with_overwrites(
        &self,
        channel: &Channel,
        overwrites: Option<&[Overwrite]>,
    ) -> Result<Option<(Channel, Vec<Overwrite>)>>;
    /// Sets positions (and parents) of several channels of a guild in one transaction; returns
    /// the changed channels.
    async fn update_channel_positions(
        &self,
        guild_id: GuildId,
        moves: &[ChannelMove],
    ) -> Result<Vec<Channel>>;
    /// Deletes a channel with its messages and invites; returns what it was.
    async fn delete_channel(&self, id: ChannelId) -> Result<Option<Channel>>;
}

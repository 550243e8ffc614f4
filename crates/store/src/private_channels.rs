//! Private channels, DMs and group DMs: [`PrivateChannelStore`]. Their messages are
//! [`crate::MessageStore`]'s, as in any channel.

use async_trait::async_trait;
use hearth_core::{ChannelId, UserId};

use crate::{Channel, PrivateChannel, Result};

/// Private channels and who is in them.
#[async_trait]
pub trait PrivateChannelStore: Send + Sync {
    /// The private channel of exactly these `recipients` and this type (`channel.kind`, 1 or
    /// 3), made from `channel` (and `owner`) when there is none: one transaction, and one
    /// channel per member set even when two requests race. Returns the channel and whether it
    /// was made now. A recipient that does not exist fails with
    /// [`crate::StoreError::MissingParent`].
    async fn open_private_channel(
        &self,
        channel: &Channel,
        owner: Option<UserId>,
        recipients: &[UserId],
    ) -> Result<(PrivateChannel, bool)>;
    /// One private channel (None: no such channel, or not a private one).
    async fn fetch_private_channel(&self, id: ChannelId) -> Result<Option<PrivateChannel>>;
    /// The private channels `user` is in, newest activity first.
    async fn fetch_private_channels(&self, user: UserId) -> Result<Vec<PrivateChannel>>;
    /// Adds `user` to a group DM (nothing when already in); returns the channel after. Fails
    /// with [`crate::StoreError::Conflict`] (`recipient_key`) when a group DM of the new
    /// member set exists already.
    async fn add_recipient(&self, id: ChannelId, user: UserId) -> Result<Option<PrivateChannel>>;
    /// Names a group DM (None: no name); returns the channel after, or None when there is no
    /// such group DM.
    async fn update_group_dm_name(
        &self,
        id: ChannelId,
        name: Option<&str>,
    ) -> Result<Option<PrivateChannel>>;
    /// Takes `user` out of a group DM; returns the channel after (with no recipients left, the
    /// channel and its messages are deleted and its last state returned).
    async fn remove_recipient(&self, id: ChannelId, user: UserId)
        -> Result<Option<PrivateChannel>>;
}

/// The member set's key: the type, then the sorted distinct ids (`"1:10,42"`).
pub fn recipient_key(kind: i64, recipients: &[UserId]) -> String {
    let mut ids: Vec<i64> = recipients.iter().map(|u| u.as_i64()).collect();
    ids.sort_unstable();
    ids.dedup();
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("{kind}:{}", ids.join(","))
}

//! The SQL of [`crate::PrivateChannelStore`].

use std::collections::HashMap;

use async_trait::async_trait;
use hearth_core::{ChannelId, ChannelKind, UserId};

use super::channels::insert_channel_in;
use super::{Backend, DB};
use crate::private_channels::recipient_key;
use crate::{Channel, PrivateChannel, PrivateChannelStore, Result, StoreError};

type Conn = <DB as sqlx::Database>::Connection;

/// One private channel with its recipients, read on `conn`.
async fn load_in(conn: &mut Conn, id: ChannelId) -> Result<Option<PrivateChannel>> {
    let channel: Option<Channel> = sqlx::query_as(
        "SELECT c.* FROM channels c JOIN private_channels p ON p.channel_id = c.id
         WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(channel) = channel else {
        return Ok(None);
    };
    let (owner_id, icon): (Option<UserId>, Option<String>) =
        sqlx::query_as("SELECT owner_id, icon FROM private_channels WHERE channel_id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let recipients = sqlx::query_scalar(
        "SELECT user_id FROM channel_recipients WHERE channel_id = $1 ORDER BY user_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(PrivateChannel {
        channel,
        owner_id,
        icon,
        recipients,
    }))
}

/// Gives a channel the key of its current member set, or (when another channel of the same
/// type has that set) a key of its own, so changing members never fails on a look-alike.
async fn rekey_in(conn: &mut Conn, id: ChannelId, kind: i64) -> Result<()> {
    let members: Vec<UserId> =
        sqlx::query_scalar("SELECT user_id FROM channel_recipients WHERE channel_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let mut key = recipient_key(kind, &members);
    let taken: Option<ChannelId> = sqlx::query_scalar(
        "SELECT channel_id FROM private_channels WHERE recipient_key = $1 AND channel_id <> $2",
    )
    .bind(&key)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if taken.is_some() {
        key = format!("{key}#{id}");
    }
    sqlx::query("UPDATE private_channels SET recipient_key = $2 WHERE channel_id = $1")
        .bind(id)
        .bind(&key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Backend {
    /// One attempt at [`PrivateChannelStore::open_private_channel`].
    async fn open_once(
        &self,
        channel: &Channel,
        owner: Option<UserId>,
        recipients: &[UserId],
        key: &str,
    ) -> Result<(PrivateChannel, bool)> {
        let mut tx = self.writer().begin().await?;
        let found: Option<ChannelId> =
            sqlx::query_scalar("SELECT channel_id FROM private_channels WHERE recipient_key = $1")
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
        let made = found.is_none();
        let id = match found {
            Some(id) => id,
            None => {
                insert_channel_in(&mut tx, channel).await?;
                sqlx::query(
                    "INSERT INTO private_channels (channel_id, owner_id, recipient_key)
                     VALUES ($1, $2, $3)",
                )
                .bind(channel.id)
                .bind(owner)
                .bind(key)
                .execute(&mut *tx)
                .await?;
                let mut ids = recipients.to_vec();
                ids.sort_unstable_by_key(|u| u.as_i64());
                ids.dedup();
                for user in ids {
                    sqlx::query(
                        "INSERT INTO channel_recipients (channel_id, user_id) VALUES ($1, $2)",
                    )
                    .bind(channel.id)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                }
                channel.id
            }
        };
        let pc = load_in(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::MissingParent("private_channels".into()))?;
        tx.commit().await?;
        Ok((pc, made))
    }
}

#[async_trait]
impl PrivateChannelStore for Backend {
    async fn open_private_channel(
        &self,
        channel: &Channel,
        owner: Option<UserId>,
        recipients: &[UserId],
    ) -> Result<(PrivateChannel, bool)> {
        let key = recipient_key(channel.kind, recipients);
        match self.open_once(channel, owner, recipients, &key).await {
            // Another request made the same member set's channel first: that one is it.
            Err(StoreError::Conflict(_)) => self.open_once(channel, owner, recipients, &key).await,
            other => other,
        }
    }

    async fn fetch_private_channel(&self, id: ChannelId) -> Result<Option<PrivateChannel>> {
        let mut conn = self.reader().acquire().await?;
        load_in(&mut conn, id).await
    }

    async fn fetch_private_channels(&self, user: UserId) -> Result<Vec<PrivateChannel>> {
        let channels: Vec<Channel> = sqlx::query_as(
            "SELECT c.* FROM channels c
             JOIN channel_recipients me ON me.channel_id = c.id AND me.user_id = $1
             ORDER BY COALESCE(c.last_message_id, c.id) DESC",
        )
        .bind(user)
        .fetch_all(self.reader())
        .await?;
        let extras: Vec<(ChannelId, Option<UserId>, Option<String>)> = sqlx::query_as(
            "SELECT p.channel_id, p.owner_id, p.icon FROM private_channels p
             JOIN channel_recipients me ON me.channel_id = p.channel_id AND me.user_id = $1",
        )
        .bind(user)
        .fetch_all(self.reader())
        .await?;
        let pairs: Vec<(ChannelId, UserId)> = sqlx::query_as(
            "SELECT r.channel_id, r.user_id FROM channel_recipients r
             JOIN channel_recipients me ON me.channel_id = r.channel_id AND me.user_id = $1
             ORDER BY r.user_id",
        )
        .bind(user)
        .fetch_all(self.reader())
        .await?;
        let mut extras: HashMap<ChannelId, (Option<UserId>, Option<String>)> =
            extras.into_iter().map(|(c, o, i)| (c, (o, i))).collect();
        let mut members: HashMap<ChannelId, Vec<UserId>> = HashMap::new();
        for (c, u) in pairs {
            members.entry(c).or_default().push(u);
        }
        Ok(channels
            .into_iter()
            .filter_map(|channel| {
                let (owner_id, icon) = extras.remove(&channel.id)?;
                let recipients = members.remove(&channel.id).unwrap_or_default();
                Some(PrivateChannel {
                    channel,
                    owner_id,
                    icon,
                    recipients,
                })
            })
            .collect())
    }

    async fn add_recipient(&self, id: ChannelId, user: UserId) -> Result<Option<PrivateChannel>> {
        let mut tx = self.writer().begin().await?;
        let Some(before) = load_in(&mut tx, id).await? else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO channel_recipients (channel_id, user_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        rekey_in(&mut tx, id, before.channel.kind).await?;
        let after = load_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_group_dm_name(
        &self,
        id: ChannelId,
        name: Option<&str>,
    ) -> Result<Option<PrivateChannel>> {
        crate::nul_free(&[("name", name)])?;
        let mut tx = self.writer().begin().await?;
        let r = sqlx::query(
            "UPDATE channels SET name = $2 WHERE id = $1 AND guild_id IS NULL AND type = $3",
        )
        .bind(id)
        .bind(name)
        .bind(i64::from(ChannelKind::GroupDm))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(None);
        }
        let after = load_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn remove_recipient(
        &self,
        id: ChannelId,
        user: UserId,
    ) -> Result<Option<PrivateChannel>> {
        let mut tx = self.writer().begin().await?;
        let Some(before) = load_in(&mut tx, id).await? else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM channel_recipients WHERE channel_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        let after = load_in(&mut tx, id).await?;
        let after = match after {
            Some(pc) if pc.recipients.is_empty() => {
                // Nobody left: the channel goes, with its messages.
                sqlx::query("DELETE FROM channels WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Some(pc)
            }
            Some(pc) => {
                rekey_in(&mut tx, id, before.channel.kind).await?;
                Some(pc)
            }
            None => None,
        };
        tx.commit().await?;
        Ok(after)
    }
}

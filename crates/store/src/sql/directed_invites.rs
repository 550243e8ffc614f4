//! The SQL of [`crate::DirectedInviteStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, DirectedInviteId, DirectedInviteStatus, GuildId, Timestamp, UserId};
use sqlx::QueryBuilder;

use super::members::insert_member_in;
use super::{Backend, DB};
use crate::{
    nul_free, DirectedInvite, DirectedInviteAccept, DirectedInviteQuery, DirectedInviteStore,
    JoinedBy, Member, Overwrite, Result,
};

const PENDING: i64 = DirectedInviteStatus::Pending as i64;

/// The member columns that say how a member joined.
#[derive(sqlx::FromRow)]
struct JoinedRow {
    joined_by_code: Option<String>,
    joined_by_invite_id: Option<DirectedInviteId>,
}

/// Adds the overwrite's allowed bits to the member's overwrite in its channel (writing one if
/// there is none), and takes them out of its denied bits; returns the overwrite as stored.
async fn grant_in(tx: &mut sqlx::Transaction<'_, DB>, o: &Overwrite) -> Result<Overwrite> {
    Ok(sqlx::query_as(
        "INSERT INTO channel_overwrites (channel_id, target_id, guild_id, kind, allow, deny)
         VALUES ($1, $2, $3, $4, $5, 0)
         ON CONFLICT (channel_id, target_id) DO UPDATE
            SET allow = channel_overwrites.allow | excluded.allow,
                deny = channel_overwrites.deny & ~excluded.allow
         RETURNING *",
    )
    .bind(o.channel_id)
    .bind(o.target_id)
    .bind(o.guild_id)
    .bind(o.kind)
    .bind(o.allow)
    .fetch_one(&mut **tx)
    .await?)
}

#[async_trait]
impl DirectedInviteStore for Backend {
    async fn insert_directed_invite(&self, i: &DirectedInvite) -> Result<()> {
        nul_free(&[("message", i.message.as_deref())])?;
        sqlx::query(
            "INSERT INTO directed_invites (id, guild_id, channel_id, sender_id, recipient_id,
                permissions, message, status, created_at, expires_at, resolved_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(i.id)
        .bind(i.guild_id)
        .bind(i.channel_id)
        .bind(i.sender_id)
        .bind(i.recipient_id)
        .bind(i.permissions)
        .bind(&i.message)
        .bind(i64::from(i.status))
        .bind(i.created_at)
        .bind(i.expires_at)
        .bind(i.resolved_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn fetch_directed_invite(&self, id: DirectedInviteId) -> Result<Option<DirectedInvite>> {
        Ok(
            sqlx::query_as("SELECT * FROM directed_invites WHERE id = $1")
                .bind(id)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    async fn fetch_pending_directed_invite(
        &self,
        sender_id: UserId,
        recipient_id: UserId,
        guild_id: GuildId,
        channel_id: Option<ChannelId>,
    ) -> Result<Option<DirectedInvite>> {
        Ok(sqlx::query_as(
            "SELECT * FROM directed_invites
             WHERE sender_id = $1 AND recipient_id = $2 AND guild_id = $3
                AND COALESCE(channel_id, 0) = $4 AND status = $5",
        )
        .bind(sender_id)
        .bind(recipient_id)
        .bind(guild_id)
        .bind(channel_id.map_or(0, |c| c.as_i64()))
        .bind(PENDING)
        .fetch_optional(self.reader())
        .await?)
    }

    async fn fetch_directed_invites(
        &self,
        query: &DirectedInviteQuery,
    ) -> Result<Vec<DirectedInvite>> {
        let mut q = QueryBuilder::<DB>::new("SELECT * FROM directed_invites WHERE ");
        match query.sent {
            Some(true) => q.push("sender_id = ").push_bind(query.user_id),
            Some(false) => q.push("recipient_id = ").push_bind(query.user_id),
            None => q
                .push("(sender_id = ")
                .push_bind(query.user_id)
                .push(" OR recipient_id = ")
                .push_bind(query.user_id)
                .push(")"),
        };
        if let Some(status) = query.status {
            q.push(" AND status = ").push_bind(i64::from(status));
        }
        q.push(" ORDER BY id DESC LIMIT ").push_bind(query.limit);
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }

    async fn fetch_joined_by(
        &self,
        guild_id: GuildId,
        user_id: UserId,
    ) -> Result<Option<JoinedBy>> {
        let row: Option<JoinedRow> = sqlx::query_as(
            "SELECT joined_by_code, joined_by_invite_id FROM members
             WHERE guild_id = $1 AND user_id = $2",
        )
        .bind(guild_id)
        .bind(user_id)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|r| JoinedBy {
            code: r.joined_by_code,
            invite_id: r.joined_by_invite_id,
        }))
    }

    async fn accept_directed_invite(
        &self,
        id: DirectedInviteId,
        member: &Member,
        now: Timestamp,
    ) -> Result<DirectedInviteAccept> {
        let mut tx = self.writer().begin().await?;
        // The status changes first, conditionally, so that two answers racing (an accept and a
        // cancel, or two accepts) cannot both take effect; rolled back if the join is refused.
        let accepted: Option<DirectedInvite> = sqlx::query_as(
            "UPDATE directed_invites SET status = $1, resolved_at = $2
             WHERE id = $3 AND recipient_id = $4 AND guild_id = $5 AND status = $6
                AND (expires_at IS NULL OR expires_at > $2)
             RETURNING *",
        )
        .bind(i64::from(DirectedInviteStatus::Accepted))
        .bind(now.0)
        .bind(id)
        .bind(member.user_id)
        .bind(member.guild_id)
        .bind(PENDING)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(invite) = accepted else {
            return Ok(DirectedInviteAccept::NotPending);
        };
        // Checked in the transaction that adds the member, so that a ban committed before it
        // keeps the user out.
        let banned: Option<(i64,)> =
            sqlx::query_as("SELECT user_id FROM bans WHERE guild_id = $1 AND user_id = $2")
                .bind(member.guild_id)
                .bind(member.user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if banned.is_some() {
            tx.rollback().await?;
            return Ok(DirectedInviteAccept::Banned);
        }
        if !insert_member_in(&mut tx, member).await? {
            tx.rollback().await?;
            return Ok(DirectedInviteAccept::AlreadyMember);
        }
        sqlx::query(
            "UPDATE members SET joined_by_invite_id = $1 WHERE guild_id = $2 AND user_id = $3",
        )
        .bind(id)
        .bind(member.guild_id)
        .bind(member.user_id)
        .execute(&mut *tx)
        .await?;
        let overwrite = match invite.overwrite() {
            Some(o) => Some(grant_in(&mut tx, &o).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(DirectedInviteAccept::Joined(invite, overwrite))
    }

    async fn resolve_directed_invite(
        &self,
        id: DirectedInviteId,
        status: DirectedInviteStatus,
        now: Timestamp,
    ) -> Result<Option<DirectedInvite>> {
        Ok(sqlx::query_as(
            "UPDATE directed_invites SET status = $1, resolved_at = $2
             WHERE id = $3 AND status = $4 RETURNING *",
        )
        .bind(i64::from(status))
        .bind(now.0)
        .bind(id)
        .bind(PENDING)
        .fetch_optional(self.writer())
        .await?)
    }

    async fn expire_directed_invites(&self, now: Timestamp) -> Result<Vec<DirectedInvite>> {
        // One statement: on PostgreSQL a row another node's purge expired meanwhile no longer
        // matches `status = pending` when re-checked, so each row is returned once.
        let mut rows: Vec<DirectedInvite> = sqlx::query_as(
            "UPDATE directed_invites SET status = $1, resolved_at = $2
             WHERE status = $3 AND expires_at IS NOT NULL AND expires_at <= $2
             RETURNING *",
        )
        .bind(i64::from(DirectedInviteStatus::Expired))
        .bind(now.0)
        .bind(PENDING)
        .fetch_all(self.writer())
        .await?;
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }
}

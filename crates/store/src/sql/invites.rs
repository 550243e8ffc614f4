//! The SQL of [`crate::InviteStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, MemberKind, OverwriteKind, Permissions, Timestamp, UserId};

use super::members::insert_member_in;
use super::{Backend, DB};
use crate::{nul_free, Invite, InviteStore, InviteUse, Member, Result};

/// The member an invite admits: a guest invite's guests get its lifetime (`guest_ttl`).
fn admitted(invite: &Invite, member: &Member, now: Timestamp) -> Member {
    if !invite.guest {
        return member.clone();
    }
    Member {
        kind: MemberKind::Guest,
        guest_expires_at: (invite.guest_ttl > 0).then(|| now.plus_seconds(invite.guest_ttl).0),
        ..member.clone()
    }
}

/// Gives a guest the invite's channel: their own overwrite allows [`Permissions::GUEST`]
/// there (added to what an overwrite they had allowed, and no longer denied).
async fn grant_channel_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    invite: &Invite,
    user: UserId,
) -> Result<()> {
    let allow = Permissions::GUEST.0 as i64;
    sqlx::query(
        "INSERT INTO channel_overwrites (channel_id, target_id, guild_id, kind, allow, deny)
         VALUES ($1, $2, $3, $4, $5, 0)
         ON CONFLICT (channel_id, target_id) DO UPDATE SET
            allow = channel_overwrites.allow | excluded.allow,
            deny = channel_overwrites.deny & ~excluded.allow",
    )
    .bind(invite.channel_id)
    .bind(user)
    .bind(invite.guild_id)
    .bind(i64::from(OverwriteKind::Member))
    .bind(allow)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl InviteStore for Backend {
    async fn insert_invite(&self, i: &Invite) -> Result<()> {
        nul_free(&[("code", Some(&i.code))])?;
        sqlx::query(
            "INSERT INTO invites (code, guild_id, channel_id, inviter_id, max_age, max_uses, uses,
                temporary, created_at, expires_at, guest, guest_ttl)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&i.code)
        .bind(i.guild_id)
        .bind(i.channel_id)
        .bind(i.inviter_id)
        .bind(i.max_age)
        .bind(i.max_uses)
        .bind(i.uses)
        .bind(i.temporary)
        .bind(i.created_at)
        .bind(i.expires_at)
        .bind(i.guest)
        .bind(i.guest_ttl)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn fetch_invite(&self, code: &str) -> Result<Option<Invite>> {
        nul_free(&[("code", Some(code))])?;
        Ok(sqlx::query_as("SELECT * FROM invites WHERE code = $1")
            .bind(code)
            .fetch_optional(self.reader())
            .await?)
    }

    async fn fetch_guild_invites(&self, guild_id: GuildId) -> Result<Vec<Invite>> {
        Ok(sqlx::query_as(
            "SELECT * FROM invites WHERE guild_id = $1 ORDER BY created_at DESC, code",
        )
        .bind(guild_id)
        .fetch_all(self.reader())
        .await?)
    }

    async fn fetch_channel_invites(&self, channel_id: ChannelId) -> Result<Vec<Invite>> {
        Ok(sqlx::query_as(
            "SELECT * FROM invites WHERE channel_id = $1 ORDER BY created_at DESC, code",
        )
        .bind(channel_id)
        .fetch_all(self.reader())
        .await?)
    }

    async fn fetch_reusable_invite(&self, like: &Invite, now: Timestamp) -> Result<Option<Invite>> {
        Ok(sqlx::query_as(
            "SELECT * FROM invites WHERE channel_id = $1 AND inviter_id = $2 AND max_age = $3
                AND max_uses = $4 AND temporary = $5
                AND (expires_at IS NULL OR expires_at > $6) AND guest = $7 AND guest_ttl = $8
                AND (max_uses = 0 OR uses < max_uses)
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(like.channel_id)
        .bind(like.inviter_id)
        .bind(like.max_age)
        .bind(like.max_uses)
        .bind(like.temporary)
        .bind(now.0)
        .bind(like.guest)
        .bind(like.guest_ttl)
        .fetch_optional(self.reader())
        .await?)
    }

    async fn use_invite(&self, code: &str, member: &Member, now: Timestamp) -> Result<InviteUse> {
        nul_free(&[("code", Some(code))])?;
        let mut tx = self.writer().begin().await?;
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
            return Ok(InviteUse::Banned);
        }
        // The use is counted first, conditionally, so that two joins racing for the last use
        // cannot both succeed; it is rolled back if the user already was a member.
        let counted: Option<Invite> = sqlx::query_as(
            "UPDATE invites SET uses = uses + 1
             WHERE code = $1 AND guild_id = $2 AND (expires_at IS NULL OR expires_at > $3)
                AND (max_uses = 0 OR uses < max_uses)
             RETURNING *",
        )
        .bind(code)
        .bind(member.guild_id)
        .bind(now.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(invite) = counted else {
            return Ok(InviteUse::Invalid);
        };
        let member = admitted(&invite, member, now);
        if insert_member_in(&mut tx, &member).await? {
            sqlx::query(
                "UPDATE members SET joined_by_code = $1 WHERE guild_id = $2 AND user_id = $3",
            )
            .bind(code)
            .bind(member.guild_id)
            .bind(member.user_id)
            .execute(&mut *tx)
            .await?;
            if invite.guest {
                grant_channel_in(&mut tx, &invite, member.user_id).await?;
            }
            tx.commit().await?;
            Ok(InviteUse::Joined(invite))
        } else {
            tx.rollback().await?;
            Ok(InviteUse::AlreadyMember(Invite {
                uses: invite.uses - 1,
                ..invite
            }))
        }
    }

    async fn delete_invite(&self, code: &str) -> Result<Option<Invite>> {
        nul_free(&[("code", Some(code))])?;
        Ok(
            sqlx::query_as("DELETE FROM invites WHERE code = $1 RETURNING *")
                .bind(code)
                .fetch_optional(self.writer())
                .await?,
        )
    }

    async fn delete_expired_invites(&self, now: Timestamp) -> Result<Vec<Invite>> {
        // One statement: a row another node's purge deleted meanwhile is not returned twice.
        let mut gone: Vec<Invite> = sqlx::query_as(
            "DELETE FROM invites WHERE expires_at IS NOT NULL AND expires_at <= $1 RETURNING *",
        )
        .bind(now.0)
        .fetch_all(self.writer())
        .await?;
        gone.sort_by(|a, b| (a.guild_id, &a.code).cmp(&(b.guild_id, &b.code)));
        Ok(gone)
    }
}

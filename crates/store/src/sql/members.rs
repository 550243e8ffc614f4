//! The SQL of [`crate::MemberStore`].

use async_trait::async_trait;
use hearth_core::{GuildId, MemberKind, RoleId, UserId};
use sqlx::QueryBuilder;

use super::{push_id_list, sorted_ids, Backend, DB, ID_CHUNK};
use crate::{CheckText, Member, MemberPatch, MemberStore, PermissionInput, Result, User};

/// A `members` row; its roles are in `member_roles`.
#[derive(sqlx::FromRow)]
struct MemberRow {
    guild_id: GuildId,
    user_id: UserId,
    nick: Option<String>,
    joined_at: i64,
    temporary: bool,
    communication_disabled_until: Option<i64>,
    kind: String,
    guest_expires_at: Option<i64>,
}

impl MemberRow {
    fn with_roles(self, roles: Vec<RoleId>) -> Member {
        Member {
            guild_id: self.guild_id,
            user_id: self.user_id,
            nick: self.nick,
            joined_at: self.joined_at,
            temporary: self.temporary,
            communication_disabled_until: self.communication_disabled_until,
            roles,
            // The column's CHECK admits only the three names.
            kind: MemberKind::parse(&self.kind).unwrap_or_default(),
            guest_expires_at: self.guest_expires_at,
        }
    }
}

/// Adds a member and its roles; false (and nothing written) when already a member. Used by
/// [`crate::InviteStore::use_invite`] inside its transaction.
pub(super) async fn insert_member_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    m: &Member,
) -> Result<bool> {
    // ON CONFLICT: a member added meanwhile by another transaction is "already a member", not
    // an error (PostgreSQL waits for that transaction to end, then skips the row). A bot
    // user's membership is of kind 'bot', whatever was asked, and only a guest keeps an expiry.
    let r = sqlx::query(
        "INSERT INTO members (guild_id, user_id, nick, joined_at, temporary,
            communication_disabled_until, kind, guest_expires_at)
         SELECT $1, $2, $3, $4, $5, $6,
            CASE WHEN u.bot THEN 'bot' ELSE $7 END,
            CASE WHEN u.bot OR $7 <> 'guest' THEN NULL ELSE $8 END
         FROM users u WHERE u.id = $2
         ON CONFLICT (guild_id, user_id) DO NOTHING",
    )
    .bind(m.guild_id)
    .bind(m.user_id)
    .bind(&m.nick)
    .bind(m.joined_at)
    .bind(m.temporary)
    .bind(m.communication_disabled_until)
    .bind(m.kind.as_str())
    .bind(m.guest_expires_at)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    for role in &m.roles {
        sqlx::query(
            "INSERT INTO member_roles (guild_id, user_id, role_id) VALUES ($1, $2, $3)
             ON CONFLICT (guild_id, user_id, role_id) DO NOTHING",
        )
        .bind(m.guild_id)
        .bind(m.user_id)
        .bind(role)
        .execute(&mut **tx)
        .await?;
    }
    Ok(true)
}

/// One member with its roles, read through `pool`.
pub(super) async fn member_in(
    pool: &sqlx::Pool<DB>,
    guild: GuildId,
    user: UserId,
) -> Result<Option<Member>> {
    let row: Option<MemberRow> =
        sqlx::query_as("SELECT * FROM members WHERE guild_id = $1 AND user_id = $2")
            .bind(guild)
            .bind(user)
            .fetch_optional(pool)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let roles = role_ids(pool, guild, user).await?;
    Ok(Some(row.with_roles(roles)))
}

/// The ids of a member's roles, ascending.
async fn role_ids<'e, E>(ex: E, guild: GuildId, user: UserId) -> Result<Vec<RoleId>>
where
    E: sqlx::Executor<'e, Database = DB>,
{
    let rows: Vec<(RoleId,)> = sqlx::query_as(
        "SELECT role_id FROM member_roles WHERE guild_id = $1 AND user_id = $2 ORDER BY role_id",
    )
    .bind(guild)
    .bind(user)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}

/// Replaces a member's roles inside `tx` with those of `wanted` that are roles of the guild
/// other than @everyone.
async fn replace_roles_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    guild: GuildId,
    user: UserId,
    wanted: &[RoleId],
) -> Result<()> {
    sqlx::query("DELETE FROM member_roles WHERE guild_id = $1 AND user_id = $2")
        .bind(guild)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    let wanted = sorted_ids(wanted);
    for chunk in wanted.chunks(ID_CHUNK) {
        // Read from roles, so that only the guild's roles (not @everyone) go in. ON CONFLICT:
        // a role given meanwhile by `insert_member_role` is kept, not an error.
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO member_roles (guild_id, user_id, role_id) SELECT guild_id, ",
        );
        q.push_bind(user);
        q.push(", id FROM roles WHERE guild_id = ").push_bind(guild);
        q.push(" AND id <> ").push_bind(guild);
        q.push(" AND id IN ");
        push_id_list(&mut q, chunk);
        q.push(" ON CONFLICT (guild_id, user_id, role_id) DO NOTHING");
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

#[async_trait]
impl MemberStore for Backend {
    async fn insert_member(&self, m: &Member) -> Result<bool> {
        let mut tx = self.writer().begin().await?;
        let inserted = insert_member_in(&mut tx, m).await?;
        tx.commit().await?;
        Ok(inserted)
    }

    async fn insert_member_role(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        role_id: RoleId,
    ) -> Result<bool> {
        // Written only when both the member and the role exist, so a missing one is a plain
        // false rather than a foreign key error. (The WHERE also keeps SQLite from reading
        // ON CONFLICT as part of the join.)
        let r = sqlx::query(
            "INSERT INTO member_roles (guild_id, user_id, role_id)
             SELECT m.guild_id, m.user_id, r.id FROM members m
             JOIN roles r ON r.guild_id = m.guild_id
             WHERE m.guild_id = $1 AND m.user_id = $2 AND r.id = $3 AND r.id <> $1
             ON CONFLICT (guild_id, user_id, role_id) DO NOTHING",
        )
        .bind(guild_id)
        .bind(user_id)
        .bind(role_id)
        .execute(self.writer())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    async fn fetch_member(&self, guild_id: GuildId, user_id: UserId) -> Result<Option<Member>> {
        member_in(self.reader(), guild_id, user_id).await
    }

    async fn fetch_members(
        &self,
        guild_id: GuildId,
        after: UserId,
        limit: i64,
    ) -> Result<Vec<(Member, User)>> {
        let (guild, after) = (guild_id.as_i64(), after.as_i64());
        let rows: Vec<MemberRow> = sqlx::query_as(
            "SELECT * FROM members WHERE guild_id = $1 AND user_id > $2
             ORDER BY user_id LIMIT $3",
        )
        .bind(guild)
        .bind(after)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        let Some(last) = rows.last().map(|r| r.user_id) else {
            return Ok(Vec::new());
        };
        let users: Vec<User> = sqlx::query_as(
            "SELECT u.* FROM users u JOIN members m ON m.user_id = u.id
             WHERE m.guild_id = $1 AND m.user_id > $2 AND m.user_id <= $3 ORDER BY u.id",
        )
        .bind(guild)
        .bind(after)
        .bind(last)
        .fetch_all(self.reader())
        .await?;
        let roles: Vec<(UserId, RoleId)> = sqlx::query_as(
            "SELECT user_id, role_id FROM member_roles
             WHERE guild_id = $1 AND user_id > $2 AND user_id <= $3 ORDER BY user_id, role_id",
        )
        .bind(guild)
        .bind(after)
        .bind(last)
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut users = users.into_iter().peekable();
        for row in rows {
            let member_roles = roles
                .iter()
                .filter(|(u, _)| *u == row.user_id)
                .map(|(_, r)| *r)
                .collect();
            // Both lists ascend by user id; a user deleted in between is skipped.
            while users.peek().is_some_and(|u| u.id < row.user_id) {
                users.next();
            }
            if let Some(user) = users.next_if(|u| u.id == row.user_id) {
                out.push((row.with_roles(member_roles), user));
            }
        }
        Ok(out)
    }

    async fn count_members(&self, guild_id: GuildId) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM members WHERE guild_id = $1")
            .bind(guild_id)
            .fetch_one(self.reader())
            .await?;
        Ok(n)
    }

    async fn fetch_permission_input(
        &self,
        guild_id: GuildId,
        user_id: UserId,
    ) -> Result<Option<PermissionInput>> {
        let head: Option<(UserId, Option<i64>, Option<i64>, String)> = sqlx::query_as(
            "SELECT g.owner_id, r.permissions, m.communication_disabled_until, m.kind
             FROM guilds g
             JOIN members m ON m.guild_id = g.id AND m.user_id = $2
             LEFT JOIN roles r ON r.guild_id = g.id AND r.id = g.id
             WHERE g.id = $1",
        )
        .bind(guild_id)
        .bind(user_id)
        .fetch_optional(self.reader())
        .await?;
        let Some((owner_id, everyone, timed_out_until, kind)) = head else {
            return Ok(None);
        };
        let roles: Vec<(RoleId, i64)> = sqlx::query_as(
            "SELECT r.id, r.permissions FROM member_roles mr
             JOIN roles r ON r.guild_id = mr.guild_id AND r.id = mr.role_id
             WHERE mr.guild_id = $1 AND mr.user_id = $2 ORDER BY r.id",
        )
        .bind(guild_id)
        .bind(user_id)
        .fetch_all(self.reader())
        .await?;
        Ok(Some(PermissionInput {
            owner_id,
            everyone: everyone.unwrap_or(0),
            roles,
            timed_out_until,
            guest: kind == MemberKind::Guest.as_str(),
        }))
    }

    async fn update_member(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        p: &MemberPatch,
    ) -> Result<Option<Member>> {
        p.check_text()?;
        let (guild, user) = (guild_id, user_id);
        let mut tx = self.writer().begin().await?;
        // The member's row is written first, always: on PostgreSQL its lock makes two edits of
        // one member take turns.
        // A bot stays a bot; the expiry is kept only on a guest (after the change).
        let row: Option<MemberRow> = sqlx::query_as(
            "UPDATE members SET
                nick = CASE WHEN $3 THEN $4 ELSE nick END,
                communication_disabled_until =
                    CASE WHEN $5 THEN $6 ELSE communication_disabled_until END,
                kind = CASE WHEN $7 AND kind <> 'bot' THEN $8 ELSE kind END,
                guest_expires_at = CASE
                    WHEN (CASE WHEN $7 AND kind <> 'bot' THEN $8 ELSE kind END) <> 'guest'
                        THEN NULL
                    WHEN $9 THEN $10
                    ELSE guest_expires_at END
             WHERE guild_id = $1 AND user_id = $2 RETURNING *",
        )
        .bind(guild)
        .bind(user)
        .bind(p.nick.is_some())
        .bind(p.nick.clone().flatten())
        .bind(p.communication_disabled_until.is_some())
        .bind(p.communication_disabled_until.flatten())
        .bind(p.kind.is_some())
        .bind(p.kind.unwrap_or_default().as_str())
        .bind(p.guest_expires_at.is_some())
        .bind(p.guest_expires_at.flatten())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if let Some(roles) = &p.roles {
            replace_roles_in(&mut tx, guild, user, roles).await?;
        }
        let roles = role_ids(&mut *tx, guild, user).await?;
        tx.commit().await?;
        Ok(Some(row.with_roles(roles)))
    }

    async fn delete_member_role(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        role_id: RoleId,
    ) -> Result<bool> {
        let r = sqlx::query(
            "DELETE FROM member_roles WHERE guild_id = $1 AND user_id = $2 AND role_id = $3",
        )
        .bind(guild_id)
        .bind(user_id)
        .bind(role_id)
        .execute(self.writer())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    async fn delete_member(&self, guild_id: GuildId, user_id: UserId) -> Result<bool> {
        let r = sqlx::query("DELETE FROM members WHERE guild_id = $1 AND user_id = $2")
            .bind(guild_id)
            .bind(user_id)
            .execute(self.writer())
            .await?;
        Ok(r.rows_affected() > 0)
    }
}

//! The SQL both backends share. SQLite and PostgreSQL accept the same statements here (numbered
//! `$N` parameters, `RETURNING`, `ON CONFLICT`, partial indexes), and every column is BIGINT,
//! TEXT or BOOLEAN, so one body serves both; [`impl_store!`] stamps it onto each backend's type.
//! A backend type provides `reader()` (pool for reads) and `writer()` (pool for writes).
//! The cluster tables' SQL lives in `sql/cluster.rs` and the moderation tables' (role and member
//! edits, overwrites, bans, bulk deletes, audit log) in `sql/moderation.rs`, stamped on by the
//! same macro.

pub(crate) mod cluster;
pub(crate) mod moderation;

/// Maps a driver error to a [`crate::StoreError`], naming the column of a uniqueness conflict.
pub(crate) fn map_err(e: sqlx::Error) -> crate::StoreError {
    crate::StoreError::from(e)
}

impl From<sqlx::Error> for crate::StoreError {
    /// Driver errors are translated here, once: a uniqueness conflict is [`crate::StoreError::Conflict`]
    /// naming its column, text PostgreSQL cannot hold is [`crate::StoreError::InvalidText`].
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                // PostgreSQL names the index; SQLite says "UNIQUE constraint failed: users.email_key".
                let what = db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned());
                let column = ["username", "email", "code", "PRIMARY", "pkey"]
                    .into_iter()
                    .find(|c| what.contains(c))
                    .map(|c| match c {
                        "pkey" | "PRIMARY" => "id",
                        c => c,
                    })
                    .unwrap_or("unknown");
                return crate::StoreError::Conflict(column.to_owned());
            }
            // 22021: character_not_in_repertoire (a U+0000 in text).
            if db.code().as_deref() == Some("22021") {
                return crate::StoreError::InvalidText("unknown".to_owned());
            }
        }
        crate::StoreError::Database(e)
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub guild_id: i64,
    pub user_id: i64,
    pub nick: Option<String>,
    pub joined_at: i64,
    pub temporary: bool,
    pub communication_disabled_until: Option<i64>,
}

impl MemberRow {
    pub(crate) fn with_roles(self, roles: Vec<i64>) -> crate::Member {
        crate::Member {
            guild_id: self.guild_id,
            user_id: self.user_id,
            nick: self.nick,
            joined_at: self.joined_at,
            temporary: self.temporary,
            communication_disabled_until: self.communication_disabled_until,
            roles,
        }
    }
}

macro_rules! impl_store {
    ($store:ty) => {
        mod users_impl {
            use super::*;
            use crate::sql::map_err;
            use crate::*;
            use async_trait::async_trait;
            use hearth_core::{Snowflake, Timestamp};

            #[async_trait]
            impl UserStore for $store {
                async fn insert_user(&self, u: &NewUser) -> Result<User> {
                    u.check_text()?;
                    let mut tx = self.writer().begin().await?;
                    let user: User = sqlx::query_as(
                        "INSERT INTO users (id, username, username_key, global_name, email, email_key, bot, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
                    )
                    .bind(u.id)
                    .bind(&u.username)
                    .bind(hearth_core::names::username_key(&u.username))
                    .bind(&u.global_name)
                    .bind(&u.email)
                    .bind(u.email.as_deref().map(str::to_lowercase))
                    .bind(u.bot)
                    .bind(u.created_at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_err)?;
                    if let Some(hash) = &u.password_hash {
                        sqlx::query("INSERT INTO credentials (user_id, password_hash, updated_at) VALUES ($1, $2, $3)")
                            .bind(u.id)
                            .bind(hash)
                            .bind(u.created_at)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(user)
                }

                async fn fetch_user(&self, id: Snowflake) -> Result<Option<User>> {
                    Ok(sqlx::query_as("SELECT * FROM users WHERE id = $1")
                        .bind(id.as_i64())
                        .fetch_optional(self.reader())
                        .await?)
                }

                async fn fetch_login(&self, login: &str) -> Result<Option<(User, String)>> {
                    nul_free(&[("login", Some(login))])?;
                    let key = login.to_lowercase();
                    let user: Option<User> = sqlx::query_as(
                        "SELECT * FROM users WHERE bot = FALSE AND (username_key = $1 OR email_key = $1)",
                    )
                    .bind(&key)
                    .fetch_optional(self.reader())
                    .await?;
                    let Some(user) = user else { return Ok(None) };
                    let hash: Option<(String,)> =
                        sqlx::query_as("SELECT password_hash FROM credentials WHERE user_id = $1")
                            .bind(user.id)
                            .fetch_optional(self.reader())
                            .await?;
                    Ok(hash.map(|(h,)| (user, h)))
                }

                async fn update_last_seen(&self, id: Snowflake, at: Timestamp) -> Result<()> {
                    sqlx::query("UPDATE users SET last_seen_at = $2 WHERE id = $1")
                        .bind(id.as_i64())
                        .bind(at.0)
                        .execute(self.writer())
                        .await?;
                    Ok(())
                }

                async fn fetch_last_seen(&self, id: Snowflake) -> Result<Option<Timestamp>> {
                    let row: Option<(Option<i64>,)> = sqlx::query_as("SELECT last_seen_at FROM users WHERE id = $1")
                        .bind(id.as_i64())
                        .fetch_optional(self.reader())
                        .await?;
                    Ok(row.and_then(|(t,)| t).map(Timestamp))
                }

                async fn update_user(&self, id: Snowflake, p: &UserPatch) -> Result<Option<User>> {
                    p.check_text()?;
                    let key = p.username.as_deref().map(hearth_core::names::username_key);
                    Ok(sqlx::query_as(
                        "UPDATE users SET
                            username = COALESCE($2, username),
                            username_key = COALESCE($3, username_key),
                            global_name = CASE WHEN $4 THEN $5 ELSE global_name END
                         WHERE id = $1 RETURNING *",
                    )
                    .bind(id.as_i64())
                    .bind(&p.username)
                    .bind(key)
                    .bind(p.global_name.is_some())
                    .bind(p.global_name.clone().flatten())
                    .fetch_optional(self.writer())
                    .await
                    .map_err(map_err)?)
                }
            }

            #[async_trait]
            impl SessionStore for $store {
                async fn insert_session(&self, s: &Session) -> Result<()> {
                    s.check_text()?;
                    sqlx::query(
                        "INSERT INTO sessions (id, user_id, token_hash, kind, created_at, last_used_at, ip, user_agent)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(s.id)
                    .bind(s.user_id)
                    .bind(&s.token_hash)
                    .bind(&s.kind)
                    .bind(s.created_at)
                    .bind(s.last_used_at)
                    .bind(&s.ip)
                    .bind(&s.user_agent)
                    .execute(self.writer())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn fetch_session(&self, token_hash: &str) -> Result<Option<(Session, User)>> {
                    nul_free(&[("token_hash", Some(token_hash))])?;
                    let session: Option<Session> =
                        sqlx::query_as("SELECT * FROM sessions WHERE token_hash = $1")
                            .bind(token_hash)
                            .fetch_optional(self.reader())
                            .await?;
                    let Some(session) = session else { return Ok(None) };
                    let user: Option<User> =
                        sqlx::query_as("SELECT * FROM users WHERE id = $1 AND disabled = FALSE")
                            .bind(session.user_id)
                            .fetch_optional(self.reader())
                            .await?;
                    Ok(user.map(|u| (session, u)))
                }

                async fn fetch_user_sessions(&self, user_id: Snowflake) -> Result<Vec<Session>> {
                    Ok(sqlx::query_as("SELECT * FROM sessions WHERE user_id = $1 ORDER BY id DESC")
                        .bind(user_id.as_i64())
                        .fetch_all(self.reader())
                        .await?)
                }

                async fn update_session_used(
                    &self,
                    id: Snowflake,
                    at: Timestamp,
                    ip: Option<&str>,
                    user_agent: Option<&str>,
                ) -> Result<()> {
                    nul_free(&[("ip", ip), ("user_agent", user_agent)])?;
                    sqlx::query(
                        "UPDATE sessions SET last_used_at = $2, ip = COALESCE($3, ip),
                            user_agent = COALESCE($4, user_agent) WHERE id = $1",
                    )
                    .bind(id.as_i64())
                    .bind(at.0)
                    .bind(ip)
                    .bind(user_agent)
                    .execute(self.writer())
                    .await?;
                    Ok(())
                }

                async fn delete_session(&self, id: Snowflake) -> Result<bool> {
                    let r = sqlx::query("DELETE FROM sessions WHERE id = $1")
                        .bind(id.as_i64())
                        .execute(self.writer())
                        .await?;
                    Ok(r.rows_affected() > 0)
                }
            }

            #[async_trait]
            impl ApplicationStore for $store {
                async fn insert_application(
                    &self,
                    a: &Application,
                    bot: &NewUser,
                    token: &Session,
                ) -> Result<Application> {
                    a.check_text()?;
                    bot.check_text()?;
                    token.check_text()?;
                    let mut tx = self.writer().begin().await?;
                    sqlx::query(
                        "INSERT INTO users (id, username, username_key, global_name, bot, created_at)
                         VALUES ($1, $2, $3, $4, TRUE, $5)",
                    )
                    .bind(bot.id)
                    .bind(&bot.username)
                    .bind(hearth_core::names::username_key(&bot.username))
                    .bind(&bot.global_name)
                    .bind(bot.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                    let app: Application = sqlx::query_as(
                        "INSERT INTO applications (id, owner_id, name, description, bot_public, verify_key, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
                    )
                    .bind(a.id)
                    .bind(a.owner_id)
                    .bind(&a.name)
                    .bind(&a.description)
                    .bind(a.bot_public)
                    .bind(&a.verify_key)
                    .bind(a.created_at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_err)?;
                    sqlx::query(
                        "INSERT INTO sessions (id, user_id, token_hash, kind, created_at, last_used_at)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(token.id)
                    .bind(token.user_id)
                    .bind(&token.token_hash)
                    .bind(&token.kind)
                    .bind(token.created_at)
                    .bind(token.last_used_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                    tx.commit().await?;
                    Ok(app)
                }

                async fn fetch_application(&self, id: Snowflake) -> Result<Option<Application>> {
                    Ok(sqlx::query_as("SELECT * FROM applications WHERE id = $1")
                        .bind(id.as_i64())
                        .fetch_optional(self.reader())
                        .await?)
                }
            }
        }

        mod guilds_impl {
            use super::*;
            use crate::sql::{map_err, MemberRow};
            use crate::*;
            use async_trait::async_trait;
            use hearth_core::Snowflake;

            #[async_trait]
            impl GuildStore for $store {
                async fn insert_guild(&self, g: &Guild, everyone: &Role, ch: &Channel) -> Result<()> {
                    g.check_text()?;
                    everyone.check_text()?;
                    ch.check_text()?;
                    let mut tx = self.writer().begin().await?;
                    sqlx::query(
                        "INSERT INTO guilds (id, name, owner_id, icon, description, system_channel_id,
                            verification_level, default_message_notifications, explicit_content_filter,
                            afk_timeout, preferred_locale, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(g.id)
                    .bind(&g.name)
                    .bind(g.owner_id)
                    .bind(&g.icon)
                    .bind(&g.description)
                    .bind(g.system_channel_id)
                    .bind(g.verification_level)
                    .bind(g.default_message_notifications)
                    .bind(g.explicit_content_filter)
                    .bind(g.afk_timeout)
                    .bind(&g.preferred_locale)
                    .bind(g.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                    insert_role_in(&mut tx, everyone).await?;
                    sqlx::query("INSERT INTO members (guild_id, user_id, joined_at) VALUES ($1, $2, $3)")
                        .bind(g.id)
                        .bind(g.owner_id)
                        .bind(g.created_at)
                        .execute(&mut *tx)
                        .await?;
                    insert_channel_in(&mut tx, ch).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn fetch_guild(&self, id: Snowflake) -> Result<Option<Guild>> {
                    Ok(sqlx::query_as("SELECT * FROM guilds WHERE id = $1")
                        .bind(id.as_i64())
                        .fetch_optional(self.reader())
                        .await?)
                }

                async fn fetch_user_guilds(
                    &self,
                    user_id: Snowflake,
                    before: Option<Snowflake>,
                    after: Option<Snowflake>,
                    limit: i64,
                ) -> Result<Vec<Guild>> {
                    Ok(sqlx::query_as(
                        "SELECT g.* FROM guilds g JOIN members m ON m.guild_id = g.id
                         WHERE m.user_id = $1 AND g.id > $2 AND g.id < $3
                         ORDER BY g.id LIMIT $4",
                    )
                    .bind(user_id.as_i64())
                    .bind(after.map_or(0, Snowflake::as_i64))
                    .bind(before.map_or(i64::MAX, Snowflake::as_i64))
                    .bind(limit)
                    .fetch_all(self.reader())
                    .await?)
                }

                async fn update_guild(&self, g: &Guild) -> Result<Option<Guild>> {
                    g.check_text()?;
                    Ok(sqlx::query_as(
                        "UPDATE guilds SET name = $2, owner_id = $3, icon = $4, description = $5,
                            system_channel_id = $6, verification_level = $7,
                            default_message_notifications = $8, explicit_content_filter = $9,
                            afk_timeout = $10, preferred_locale = $11
                         WHERE id = $1 RETURNING *",
                    )
                    .bind(g.id)
                    .bind(&g.name)
                    .bind(g.owner_id)
                    .bind(&g.icon)
                    .bind(&g.description)
                    .bind(g.system_channel_id)
                    .bind(g.verification_level)
                    .bind(g.default_message_notifications)
                    .bind(g.explicit_content_filter)
                    .bind(g.afk_timeout)
                    .bind(&g.preferred_locale)
                    .fetch_optional(self.writer())
                    .await?)
                }

                async fn delete_guild(&self, id: Snowflake) -> Result<bool> {
                    let r = sqlx::query("DELETE FROM guilds WHERE id = $1")
                        .bind(id.as_i64())
                        .execute(self.writer())
                        .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn insert_role(&self, role: &Role) -> Result<()> {
                    let mut tx = self.writer().begin().await?;
                    insert_role_in(&mut tx, role).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn fetch_roles(&self, guild_id: Snowflake) -> Result<Vec<Role>> {
                    Ok(sqlx::query_as("SELECT * FROM roles WHERE guild_id = $1 ORDER BY position, id")
                        .bind(guild_id.as_i64())
                        .fetch_all(self.reader())
                        .await?)
                }

                async fn insert_member(&self, m: &Member) -> Result<bool> {
                    let mut tx = self.writer().begin().await?;
                    let inserted = insert_member_in(&mut tx, m).await?;
                    tx.commit().await?;
                    Ok(inserted)
                }

                async fn fetch_member(
                    &self,
                    guild_id: Snowflake,
                    user_id: Snowflake,
                ) -> Result<Option<Member>> {
                    let row: Option<MemberRow> =
                        sqlx::query_as("SELECT * FROM members WHERE guild_id = $1 AND user_id = $2")
                            .bind(guild_id.as_i64())
                            .bind(user_id.as_i64())
                            .fetch_optional(self.reader())
                            .await?;
                    let Some(row) = row else { return Ok(None) };
                    let roles: Vec<(i64,)> = sqlx::query_as(
                        "SELECT role_id FROM member_roles WHERE guild_id = $1 AND user_id = $2 ORDER BY role_id",
                    )
                    .bind(guild_id.as_i64())
                    .bind(user_id.as_i64())
                    .fetch_all(self.reader())
                    .await?;
                    Ok(Some(row.with_roles(roles.into_iter().map(|(r,)| r).collect())))
                }

                async fn fetch_members(
                    &self,
                    guild_id: Snowflake,
                    after: Snowflake,
                    limit: i64,
                ) -> Result<Vec<(Member, User)>> {
                    let rows: Vec<MemberRow> = sqlx::query_as(
                        "SELECT * FROM members WHERE guild_id = $1 AND user_id > $2 ORDER BY user_id LIMIT $3",
                    )
                    .bind(guild_id.as_i64())
                    .bind(after.as_i64())
                    .bind(limit)
                    .fetch_all(self.reader())
                    .await?;
                    let Some(last) = rows.last().map(|r| r.user_id) else { return Ok(Vec::new()) };
                    let users: Vec<User> = sqlx::query_as(
                        "SELECT u.* FROM users u JOIN members m ON m.user_id = u.id
                         WHERE m.guild_id = $1 AND m.user_id > $2 AND m.user_id <= $3 ORDER BY u.id",
                    )
                    .bind(guild_id.as_i64())
                    .bind(after.as_i64())
                    .bind(last)
                    .fetch_all(self.reader())
                    .await?;
                    let roles: Vec<(i64, i64)> = sqlx::query_as(
                        "SELECT user_id, role_id FROM member_roles
                         WHERE guild_id = $1 AND user_id > $2 AND user_id <= $3 ORDER BY user_id, role_id",
                    )
                    .bind(guild_id.as_i64())
                    .bind(after.as_i64())
                    .bind(last)
                    .fetch_all(self.reader())
                    .await?;
                    let mut out = Vec::with_capacity(rows.len());
                    let mut users = users.into_iter().peekable();
                    for row in rows {
                        let member_roles =
                            roles.iter().filter(|(u, _)| *u == row.user_id).map(|(_, r)| *r).collect();
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

                async fn count_members(&self, guild_id: Snowflake) -> Result<i64> {
                    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM members WHERE guild_id = $1")
                        .bind(guild_id.as_i64())
                        .fetch_one(self.reader())
                        .await?;
                    Ok(n)
                }

                async fn fetch_permission_input(
                    &self,
                    guild_id: Snowflake,
                    user_id: Snowflake,
                ) -> Result<Option<PermissionInput>> {
                    let head: Option<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
                        "SELECT g.owner_id, r.permissions, m.communication_disabled_until FROM guilds g
                         JOIN members m ON m.guild_id = g.id AND m.user_id = $2
                         LEFT JOIN roles r ON r.guild_id = g.id AND r.id = g.id
                         WHERE g.id = $1",
                    )
                    .bind(guild_id.as_i64())
                    .bind(user_id.as_i64())
                    .fetch_optional(self.reader())
                    .await?;
                    let Some((owner_id, everyone, timed_out_until)) = head else { return Ok(None) };
                    let roles: Vec<(i64, i64)> = sqlx::query_as(
                        "SELECT r.id, r.permissions FROM member_roles mr
                         JOIN roles r ON r.guild_id = mr.guild_id AND r.id = mr.role_id
                         WHERE mr.guild_id = $1 AND mr.user_id = $2 ORDER BY r.id",
                    )
                    .bind(guild_id.as_i64())
                    .bind(user_id.as_i64())
                    .fetch_all(self.reader())
                    .await?;
                    Ok(Some(PermissionInput {
                        owner_id,
                        everyone: everyone.unwrap_or(0),
                        roles,
                        timed_out_until,
                    }))
                }

                async fn delete_member(&self, guild_id: Snowflake, user_id: Snowflake) -> Result<bool> {
                    let r = sqlx::query("DELETE FROM members WHERE guild_id = $1 AND user_id = $2")
                        .bind(guild_id.as_i64())
                        .bind(user_id.as_i64())
                        .execute(self.writer())
                        .await?;
                    Ok(r.rows_affected() > 0)
                }
            }

            pub(super) async fn insert_role_in(
                tx: &mut sqlx::Transaction<'_, DB>,
                r: &Role,
            ) -> Result<()> {
                r.check_text()?;
                sqlx::query(
                    "INSERT INTO roles (guild_id, id, name, permissions, color, hoist, mentionable, managed, position, bot_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(r.guild_id)
                .bind(r.id)
                .bind(&r.name)
                .bind(r.permissions)
                .bind(r.color)
                .bind(r.hoist)
                .bind(r.mentionable)
                .bind(r.managed)
                .bind(r.position)
                .bind(r.bot_id)
                .execute(&mut **tx)
                .await
                .map_err(map_err)?;
                Ok(())
            }

            /// Adds a member and its roles; false (and nothing written) when already a member.
            pub(super) async fn insert_member_in(
                tx: &mut sqlx::Transaction<'_, DB>,
                m: &Member,
            ) -> Result<bool> {
                let r = sqlx::query(
                    "INSERT INTO members (guild_id, user_id, nick, joined_at, temporary, communication_disabled_until)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (guild_id, user_id) DO NOTHING",
                )
                .bind(m.guild_id)
                .bind(m.user_id)
                .bind(&m.nick)
                .bind(m.joined_at)
                .bind(m.temporary)
                .bind(m.communication_disabled_until)
                .execute(&mut **tx)
                .await?;
                if r.rows_affected() == 0 {
                    return Ok(false);
                }
                for role in &m.roles {
                    sqlx::query("INSERT INTO member_roles (guild_id, user_id, role_id) VALUES ($1, $2, $3)")
                        .bind(m.guild_id)
                        .bind(m.user_id)
                        .bind(role)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(true)
            }

            pub(super) async fn insert_channel_in(
                tx: &mut sqlx::Transaction<'_, DB>,
                c: &Channel,
            ) -> Result<()> {
                c.check_text()?;
                sqlx::query(
                    "INSERT INTO channels (id, guild_id, type, name, topic, position, parent_id, nsfw,
                        rate_limit_per_user, last_message_id, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(c.id)
                .bind(c.guild_id)
                .bind(c.kind)
                .bind(&c.name)
                .bind(&c.topic)
                .bind(c.position)
                .bind(c.parent_id)
                .bind(c.nsfw)
                .bind(c.rate_limit_per_user)
                .bind(c.last_message_id)
                .bind(c.created_at)
                .execute(&mut **tx)
                .await
                .map_err(map_err)?;
                Ok(())
            }
        }

        mod channels_impl {
            use super::guilds_impl::{insert_channel_in, insert_member_in};
            use super::*;
            use crate::sql::map_err;
            use crate::*;
            use async_trait::async_trait;
            use hearth_core::{Snowflake, Timestamp};

            /// Writes a channel's editable fields; the stored channel (None: no such channel).
            pub(super) async fn update_channel_in<'e, E>(ex: E, c: &Channel) -> Result<Option<Channel>>
            where
                E: sqlx::Executor<'e, Database = DB>,
            {
                c.check_text()?;
                Ok(sqlx::query_as(
                    "UPDATE channels SET name = $2, topic = $3, position = $4, parent_id = $5,
                        nsfw = $6, rate_limit_per_user = $7
                     WHERE id = $1 RETURNING *",
                )
                .bind(c.id)
                .bind(&c.name)
                .bind(&c.topic)
                .bind(c.position)
                .bind(c.parent_id)
                .bind(c.nsfw)
                .bind(c.rate_limit_per_user)
                .fetch_optional(ex)
                .await?)
            }

            #[async_trait]
            impl ChannelStore for $store {
                async fn insert_channel(&self, c: &Channel) -> Result<()> {
                    let mut tx = self.writer().begin().await?;
                    insert_channel_in(&mut tx, c).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn fetch_channel(&self, id: Snowflake) -> Result<Option<Channel>> {
                    Ok(sqlx::query_as("SELECT * FROM channels WHERE id = $1")
                        .bind(id.as_i64())
                        .fetch_optional(self.reader())
                        .await?)
                }

                async fn fetch_guild_channels(&self, guild_id: Snowflake) -> Result<Vec<Channel>> {
                    Ok(sqlx::query_as("SELECT * FROM channels WHERE guild_id = $1 ORDER BY position, id")
                        .bind(guild_id.as_i64())
                        .fetch_all(self.reader())
                        .await?)
                }

                async fn update_channel(&self, c: &Channel) -> Result<Option<Channel>> {
                    update_channel_in(self.writer(), c).await
                }

                async fn update_channel_positions(
                    &self,
                    guild_id: Snowflake,
                    moves: &[ChannelMove],
                ) -> Result<Vec<Channel>> {
                    let mut tx = self.writer().begin().await?;
                    let mut out = Vec::with_capacity(moves.len());
                    for m in moves {
                        let c: Option<Channel> = sqlx::query_as(
                            "UPDATE channels SET position = COALESCE($3, position),
                                parent_id = CASE WHEN $4 THEN $5 ELSE parent_id END
                             WHERE id = $1 AND guild_id = $2 RETURNING *",
                        )
                        .bind(m.id)
                        .bind(guild_id.as_i64())
                        .bind(m.position)
                        .bind(m.parent_id.is_some())
                        .bind(m.parent_id.flatten())
                        .fetch_optional(&mut *tx)
                        .await?;
                        out.extend(c);
                    }
                    tx.commit().await?;
                    Ok(out)
                }

                async fn delete_channel(&self, id: Snowflake) -> Result<Option<Channel>> {
                    let mut tx = self.writer().begin().await?;
                    // Channels in a deleted category stay, without a parent (as on Discord).
                    sqlx::query("UPDATE channels SET parent_id = NULL WHERE parent_id = $1")
                        .bind(id.as_i64())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("UPDATE guilds SET system_channel_id = NULL WHERE system_channel_id = $1")
                        .bind(id.as_i64())
                        .execute(&mut *tx)
                        .await?;
                    let c: Option<Channel> = sqlx::query_as("DELETE FROM channels WHERE id = $1 RETURNING *")
                        .bind(id.as_i64())
                        .fetch_optional(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(c)
                }
            }

            #[async_trait]
            impl InviteStore for $store {
                async fn insert_invite(&self, i: &Invite) -> Result<()> {
                    nul_free(&[("code", Some(&i.code))])?;
                    sqlx::query(
                        "INSERT INTO invites (code, guild_id, channel_id, inviter_id, max_age, max_uses, uses,
                            temporary, created_at, expires_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
                    .execute(self.writer())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn fetch_invite(&self, code: &str) -> Result<Option<Invite>> {
                    nul_free(&[("code", Some(code))])?;
                    Ok(sqlx::query_as("SELECT * FROM invites WHERE code = $1")
                        .bind(code)
                        .fetch_optional(self.reader())
                        .await?)
                }

                async fn fetch_guild_invites(&self, guild_id: Snowflake) -> Result<Vec<Invite>> {
                    Ok(sqlx::query_as("SELECT * FROM invites WHERE guild_id = $1 ORDER BY created_at DESC, code")
                        .bind(guild_id.as_i64())
                        .fetch_all(self.reader())
                        .await?)
                }

                async fn fetch_channel_invites(&self, channel_id: Snowflake) -> Result<Vec<Invite>> {
                    Ok(sqlx::query_as("SELECT * FROM invites WHERE channel_id = $1 ORDER BY created_at DESC, code")
                        .bind(channel_id.as_i64())
                        .fetch_all(self.reader())
                        .await?)
                }

                async fn fetch_reusable_invite(&self, like: &Invite, now: Timestamp) -> Result<Option<Invite>> {
                    Ok(sqlx::query_as(
                        "SELECT * FROM invites WHERE channel_id = $1 AND inviter_id = $2 AND max_age = $3
                            AND max_uses = $4 AND temporary = $5
                            AND (expires_at IS NULL OR expires_at > $6)
                            AND (max_uses = 0 OR uses < max_uses)
                         ORDER BY created_at DESC LIMIT 1",
                    )
                    .bind(like.channel_id)
                    .bind(like.inviter_id)
                    .bind(like.max_age)
                    .bind(like.max_uses)
                    .bind(like.temporary)
                    .bind(now.0)
                    .fetch_optional(self.reader())
                    .await?)
                }

                async fn use_invite(&self, code: &str, member: &Member, now: Timestamp) -> Result<InviteUse> {
                    nul_free(&[("code", Some(code))])?;
                    let mut tx = self.writer().begin().await?;
                    // Checked in the transaction that adds the member, so that a ban committed
                    // before it keeps the user out.
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
                    // The use is counted first, conditionally, so that two joins racing for the last
                    // use cannot both succeed; it is rolled back if the user already was a member.
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
                    if insert_member_in(&mut tx, member).await? {
                        tx.commit().await?;
                        Ok(InviteUse::Joined(invite))
                    } else {
                        tx.rollback().await?;
                        Ok(InviteUse::AlreadyMember(Invite { uses: invite.uses - 1, ..invite }))
                    }
                }

                async fn delete_invite(&self, code: &str) -> Result<Option<Invite>> {
                    nul_free(&[("code", Some(code))])?;
                    Ok(sqlx::query_as("DELETE FROM invites WHERE code = $1 RETURNING *")
                        .bind(code)
                        .fetch_optional(self.writer())
                        .await?)
                }
            }
        }

        mod messages_impl {
            use super::*;
            use crate::sql::map_err;
            use crate::*;
            use async_trait::async_trait;
            use hearth_core::{Snowflake, Timestamp};

            #[async_trait]
            impl MessageStore for $store {
                async fn insert_message(&self, m: &Message) -> Result<()> {
                    m.check_text()?;
                    let mut tx = self.writer().begin().await?;
                    sqlx::query(
                        "INSERT INTO messages (channel_id, id, author_id, type, content, nonce, tts, flags, embeds,
                            reference_message_id, reference_channel_id, reference_guild_id, edited_at, deleted_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                    )
                    .bind(m.channel_id)
                    .bind(m.id)
                    .bind(m.author_id)
                    .bind(m.kind)
                    .bind(&m.content)
                    .bind(&m.nonce)
                    .bind(m.tts)
                    .bind(m.flags)
                    .bind(&m.embeds)
                    .bind(m.reference_message_id)
                    .bind(m.reference_channel_id)
                    .bind(m.reference_guild_id)
                    .bind(m.edited_at)
                    .bind(m.deleted_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                    sqlx::query(
                        "UPDATE channels SET last_message_id = $2
                         WHERE id = $1 AND (last_message_id IS NULL OR last_message_id < $2)",
                    )
                    .bind(m.channel_id)
                    .bind(m.id)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn fetch_message(&self, channel_id: Snowflake, id: Snowflake) -> Result<Option<Message>> {
                    Ok(sqlx::query_as(
                        "SELECT * FROM messages WHERE channel_id = $1 AND id = $2 AND deleted_at IS NULL",
                    )
                    .bind(channel_id.as_i64())
                    .bind(id.as_i64())
                    .fetch_optional(self.reader())
                    .await?)
                }

                async fn fetch_messages(
                    &self,
                    channel_id: Snowflake,
                    page: HistoryPage,
                    limit: i64,
                ) -> Result<Vec<Message>> {
                    const OLDER: &str = "SELECT * FROM messages WHERE channel_id = $1 AND id < $2
                        AND deleted_at IS NULL ORDER BY id DESC LIMIT $3";
                    const NEWER: &str = "SELECT * FROM messages WHERE channel_id = $1 AND id > $2
                        AND deleted_at IS NULL ORDER BY id ASC LIMIT $3";
                    let ch = channel_id.as_i64();
                    let run = |sql: &'static str, bound: i64, n: i64| {
                        sqlx::query_as::<_, Message>(sql).bind(ch).bind(bound).bind(n).fetch_all(self.reader())
                    };
                    Ok(match page {
                        HistoryPage::Latest => run(OLDER, i64::MAX, limit).await?,
                        HistoryPage::Before(id) => run(OLDER, id, limit).await?,
                        HistoryPage::After(id) => {
                            let mut v = run(NEWER, id, limit).await?;
                            v.reverse();
                            v
                        }
                        HistoryPage::Around(id) => {
                            // The message itself and the newer half, then the older half.
                            let older_n = limit / 2;
                            let mut v = run(NEWER, id.saturating_sub(1), limit - older_n).await?;
                            v.reverse();
                            v.extend(run(OLDER, id, older_n).await?);
                            v
                        }
                    })
                }

                async fn fetch_message_by_nonce(
                    &self,
                    channel_id: Snowflake,
                    author_id: Snowflake,
                    nonce: &str,
                    since: Snowflake,
                ) -> Result<Option<Message>> {
                    nul_free(&[("nonce", Some(nonce))])?;
                    Ok(sqlx::query_as(
                        "SELECT * FROM messages WHERE channel_id = $1 AND author_id = $2 AND nonce = $3
                            AND id > $4 AND deleted_at IS NULL ORDER BY id DESC LIMIT 1",
                    )
                    .bind(channel_id.as_i64())
                    .bind(author_id.as_i64())
                    .bind(nonce)
                    .bind(since.as_i64())
                    .fetch_optional(self.reader())
                    .await?)
                }

                async fn fetch_last_message_id(
                    &self,
                    channel_id: Snowflake,
                    author_id: Snowflake,
                ) -> Result<Option<Snowflake>> {
                    let (id,): (Option<i64>,) =
                        sqlx::query_as("SELECT MAX(id) FROM messages WHERE channel_id = $1 AND author_id = $2")
                            .bind(channel_id.as_i64())
                            .bind(author_id.as_i64())
                            .fetch_one(self.reader())
                            .await?;
                    Ok(id.map(Snowflake::from_i64))
                }

                async fn update_message(&self, m: &Message) -> Result<Option<Message>> {
                    m.check_text()?;
                    Ok(sqlx::query_as(
                        "UPDATE messages SET content = $3, embeds = $4, flags = $5, edited_at = $6
                         WHERE channel_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING *",
                    )
                    .bind(m.channel_id)
                    .bind(m.id)
                    .bind(&m.content)
                    .bind(&m.embeds)
                    .bind(m.flags)
                    .bind(m.edited_at)
                    .fetch_optional(self.writer())
                    .await?)
                }

                async fn delete_message(&self, channel_id: Snowflake, id: Snowflake, at: Timestamp) -> Result<bool> {
                    let r = sqlx::query(
                        "UPDATE messages SET deleted_at = $3 WHERE channel_id = $1 AND id = $2 AND deleted_at IS NULL",
                    )
                    .bind(channel_id.as_i64())
                    .bind(id.as_i64())
                    .bind(at.0)
                    .execute(self.writer())
                    .await?;
                    Ok(r.rows_affected() > 0)
                }
            }
        }

        crate::sql::cluster::impl_cluster_store!($store);
        crate::sql::moderation::impl_moderation_store!($store);
    };
}

pub(crate) use impl_store;

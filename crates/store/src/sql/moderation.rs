//! The SQL of [`crate::ModerationStore`], shared like the rest of `sql.rs` and stamped onto each
//! backend by [`impl_moderation_store!`] (which [`super::impl_store!`] invokes).
//!
//! Lists of ids and rows are bound through [`sqlx::QueryBuilder`] in chunks, as in
//! `sql/cluster.rs`, so that long lists stay under both databases' parameter limits.

use hearth_core::{Snowflake, Timestamp};

/// The smallest snowflake that could have been made at `at` (to the millisecond; instants
/// before the Discord epoch give 0).
pub(crate) fn first_id_at(at: Timestamp) -> i64 {
    let millis = u64::try_from(at.0.div_euclid(1000)).unwrap_or(0);
    Snowflake::from_unix_millis(millis).as_i64()
}

/// The ids, ascending and without repeats.
pub(crate) fn sorted_raw(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

macro_rules! impl_moderation_store {
    ($store:ty) => {
        mod moderation_impl {
            use super::*;
            use crate::sql::cluster::{sorted_ids, ID_CHUNK, ROW_CHUNK};
            use crate::sql::moderation::{first_id_at, sorted_raw};
            use crate::sql::{map_err, MemberRow};
            use crate::*;
            use async_trait::async_trait;
            use hearth_core::{Snowflake, Timestamp};
            use sqlx::QueryBuilder;
            use std::collections::BTreeMap;

            /// Replaces a channel's overwrites inside `tx` (of several for one target, the last
            /// given wins); returns the stored set by target id.
            async fn replace_overwrites_in(
                tx: &mut sqlx::Transaction<'_, DB>,
                channel: i64,
                guild: i64,
                overwrites: &[Overwrite],
            ) -> Result<Vec<Overwrite>> {
                // One per target, the last given: the rows share a primary key otherwise.
                let latest: BTreeMap<i64, &Overwrite> = overwrites.iter().map(|o| (o.target_id, o)).collect();
                let rows: Vec<&Overwrite> = latest.into_values().collect();
                sqlx::query("DELETE FROM channel_overwrites WHERE channel_id = $1")
                    .bind(channel)
                    .execute(&mut **tx)
                    .await?;
                for chunk in rows.chunks(ROW_CHUNK) {
                    let mut q = QueryBuilder::<DB>::new(
                        "INSERT INTO channel_overwrites (channel_id, target_id, guild_id, kind, allow, deny) ",
                    );
                    q.push_values(chunk, |mut b, o| {
                        b.push_bind(channel)
                            .push_bind(o.target_id)
                            .push_bind(guild)
                            .push_bind(o.kind)
                            .push_bind(o.allow)
                            .push_bind(o.deny);
                    });
                    q.build().execute(&mut **tx).await?;
                }
                Ok(sqlx::query_as("SELECT * FROM channel_overwrites WHERE channel_id = $1 ORDER BY target_id")
                    .bind(channel)
                    .fetch_all(&mut **tx)
                    .await?)
            }

            #[async_trait]
            impl ModerationStore for $store {
                async fn update_role(&self, r: &Role) -> Result<Option<Role>> {
                    r.check_text()?;
                    Ok(sqlx::query_as(
                        "UPDATE roles SET name = $3, permissions = $4, color = $5, hoist = $6,
                            mentionable = $7, position = $8
                         WHERE guild_id = $1 AND id = $2 RETURNING *",
                    )
                    .bind(r.guild_id)
                    .bind(r.id)
                    .bind(&r.name)
                    .bind(r.permissions)
                    .bind(r.color)
                    .bind(r.hoist)
                    .bind(r.mentionable)
                    .bind(r.position)
                    .fetch_optional(self.writer())
                    .await?)
                }

                async fn update_role_positions(
                    &self,
                    guild_id: Snowflake,
                    moves: &[RolePosition],
                ) -> Result<Vec<Role>> {
                    let guild = guild_id.as_i64();
                    // One position per role, the last given: CASE would take the first.
                    let latest: BTreeMap<i64, i64> = moves.iter().map(|m| (m.id, m.position)).collect();
                    let moves: Vec<(i64, i64)> = latest.into_iter().collect();
                    let mut tx = self.writer().begin().await?;
                    for chunk in moves.chunks(ROW_CHUNK) {
                        let mut q = QueryBuilder::<DB>::new("UPDATE roles SET position = CASE id");
                        for (id, position) in chunk {
                            q.push(" WHEN ").push_bind(*id).push(" THEN ").push_bind(*position);
                        }
                        q.push(" ELSE position END WHERE guild_id = ").push_bind(guild).push(" AND id IN (");
                        let mut list = q.separated(", ");
                        for (id, _) in chunk {
                            list.push_bind(*id);
                        }
                        q.push(")");
                        q.build().execute(&mut *tx).await?;
                    }
                    let roles: Vec<Role> = sqlx::query_as("SELECT * FROM roles WHERE guild_id = $1 ORDER BY position, id")
                        .bind(guild)
                        .fetch_all(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(roles)
                }

                async fn delete_role(&self, guild_id: Snowflake, role_id: Snowflake) -> Result<bool> {
                    let (guild, role) = (guild_id.as_i64(), role_id.as_i64());
                    let mut tx = self.writer().begin().await?;
                    // member_roles would also go by its foreign key; said here so the reader
                    // need not look it up.
                    sqlx::query("DELETE FROM member_roles WHERE guild_id = $1 AND role_id = $2")
                        .bind(guild)
                        .bind(role)
                        .execute(&mut *tx)
                        .await?;
                    // Overwrites name roles without a foreign key (a target is a role or a user).
                    sqlx::query("DELETE FROM channel_overwrites WHERE guild_id = $1 AND target_id = $2 AND kind = 0")
                        .bind(guild)
                        .bind(role)
                        .execute(&mut *tx)
                        .await?;
                    let r = sqlx::query("DELETE FROM roles WHERE guild_id = $1 AND id = $2")
                        .bind(guild)
                        .bind(role)
                        .execute(&mut *tx)
                        .await?;
                    if r.rows_affected() == 0 {
                        tx.rollback().await?;
                        return Ok(false);
                    }
                    tx.commit().await?;
                    Ok(true)
                }

                async fn add_member_role(
                    &self,
                    guild_id: Snowflake,
                    user_id: Snowflake,
                    role_id: Snowflake,
                ) -> Result<bool> {
                    // Written only when both the member and the role exist, so a missing one is
                    // a plain false rather than a foreign key error. (The WHERE also keeps
                    // SQLite from reading ON CONFLICT as part of the join.)
                    let r = sqlx::query(
                        "INSERT INTO member_roles (guild_id, user_id, role_id)
                         SELECT m.guild_id, m.user_id, r.id FROM members m
                         JOIN roles r ON r.guild_id = m.guild_id
                         WHERE m.guild_id = $1 AND m.user_id = $2 AND r.id = $3 AND r.id <> $1
                         ON CONFLICT (guild_id, user_id, role_id) DO NOTHING",
                    )
                    .bind(guild_id.as_i64())
                    .bind(user_id.as_i64())
                    .bind(role_id.as_i64())
                    .execute(self.writer())
                    .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn update_member(
                    &self,
                    guild_id: Snowflake,
                    user_id: Snowflake,
                    p: &MemberPatch,
                ) -> Result<Option<Member>> {
                    p.check_text()?;
                    let (guild, user) = (guild_id.as_i64(), user_id.as_i64());
                    let mut tx = self.writer().begin().await?;
                    let row: Option<MemberRow> = sqlx::query_as(
                        "UPDATE members SET
                            nick = CASE WHEN $3 THEN $4 ELSE nick END,
                            communication_disabled_until = CASE WHEN $5 THEN $6 ELSE communication_disabled_until END
                         WHERE guild_id = $1 AND user_id = $2 RETURNING *",
                    )
                    .bind(guild)
                    .bind(user)
                    .bind(p.nick.is_some())
                    .bind(p.nick.clone().flatten())
                    .bind(p.communication_disabled_until.is_some())
                    .bind(p.communication_disabled_until.flatten())
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = row else { return Ok(None) };
                    if let Some(roles) = &p.roles {
                        sqlx::query("DELETE FROM member_roles WHERE guild_id = $1 AND user_id = $2")
                            .bind(guild)
                            .bind(user)
                            .execute(&mut *tx)
                            .await?;
                        // Read from roles, so that only the guild's roles (not @everyone) go in.
                        for chunk in sorted_raw(roles).chunks(ID_CHUNK) {
                            let mut q = QueryBuilder::<DB>::new(
                                "INSERT INTO member_roles (guild_id, user_id, role_id) SELECT guild_id, ",
                            );
                            q.push_bind(user).push(", id FROM roles WHERE guild_id = ").push_bind(guild);
                            q.push(" AND id <> ").push_bind(guild).push(" AND id IN (");
                            let mut list = q.separated(", ");
                            for id in chunk {
                                list.push_bind(*id);
                            }
                            q.push(")");
                            q.build().execute(&mut *tx).await?;
                        }
                    }
                    let roles: Vec<(i64,)> = sqlx::query_as(
                        "SELECT role_id FROM member_roles WHERE guild_id = $1 AND user_id = $2 ORDER BY role_id",
                    )
                    .bind(guild)
                    .bind(user)
                    .fetch_all(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(Some(row.with_roles(roles.into_iter().map(|(r,)| r).collect())))
                }

                async fn remove_member_role(
                    &self,
                    guild_id: Snowflake,
                    user_id: Snowflake,
                    role_id: Snowflake,
                ) -> Result<bool> {
                    let r = sqlx::query("DELETE FROM member_roles WHERE guild_id = $1 AND user_id = $2 AND role_id = $3")
                        .bind(guild_id.as_i64())
                        .bind(user_id.as_i64())
                        .bind(role_id.as_i64())
                        .execute(self.writer())
                        .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn put_overwrite(&self, o: &Overwrite) -> Result<bool> {
                    // Update first, insert when there was nothing to update: portable (no
                    // PostgreSQL-only xmax), and a racing insert meets the upsert, not an error.
                    let mut tx = self.writer().begin().await?;
                    let r = sqlx::query(
                        "UPDATE channel_overwrites SET guild_id = $3, kind = $4, allow = $5, deny = $6
                         WHERE channel_id = $1 AND target_id = $2",
                    )
                    .bind(o.channel_id)
                    .bind(o.target_id)
                    .bind(o.guild_id)
                    .bind(o.kind)
                    .bind(o.allow)
                    .bind(o.deny)
                    .execute(&mut *tx)
                    .await?;
                    let created = r.rows_affected() == 0;
                    if created {
                        sqlx::query(
                            "INSERT INTO channel_overwrites (channel_id, target_id, guild_id, kind, allow, deny)
                             VALUES ($1, $2, $3, $4, $5, $6)
                             ON CONFLICT (channel_id, target_id) DO UPDATE SET guild_id = excluded.guild_id,
                                kind = excluded.kind, allow = excluded.allow, deny = excluded.deny",
                        )
                        .bind(o.channel_id)
                        .bind(o.target_id)
                        .bind(o.guild_id)
                        .bind(o.kind)
                        .bind(o.allow)
                        .bind(o.deny)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(created)
                }

                async fn fetch_channel_overwrites(&self, channel_id: Snowflake) -> Result<Vec<Overwrite>> {
                    Ok(sqlx::query_as("SELECT * FROM channel_overwrites WHERE channel_id = $1 ORDER BY target_id")
                        .bind(channel_id.as_i64())
                        .fetch_all(self.reader())
                        .await?)
                }

                async fn fetch_guild_overwrites(&self, guild_id: Snowflake) -> Result<Vec<Overwrite>> {
                    Ok(sqlx::query_as(
                        "SELECT * FROM channel_overwrites WHERE guild_id = $1 ORDER BY channel_id, target_id",
                    )
                    .bind(guild_id.as_i64())
                    .fetch_all(self.reader())
                    .await?)
                }

                async fn replace_overwrites(
                    &self,
                    channel_id: Snowflake,
                    guild_id: Snowflake,
                    overwrites: &[Overwrite],
                ) -> Result<Vec<Overwrite>> {
                    let mut tx = self.writer().begin().await?;
                    let stored = replace_overwrites_in(&mut tx, channel_id.as_i64(), guild_id.as_i64(), overwrites).await?;
                    tx.commit().await?;
                    Ok(stored)
                }

                async fn insert_channel_with_overwrites(&self, c: &Channel, overwrites: &[Overwrite]) -> Result<()> {
                    let mut tx = self.writer().begin().await?;
                    super::guilds_impl::insert_channel_in(&mut tx, c).await?;
                    if let Some(guild) = c.guild_id {
                        replace_overwrites_in(&mut tx, c.id, guild, overwrites).await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn update_channel_with_overwrites(
                    &self,
                    c: &Channel,
                    overwrites: Option<&[Overwrite]>,
                ) -> Result<Option<(Channel, Vec<Overwrite>)>> {
                    let mut tx = self.writer().begin().await?;
                    let Some(changed) = super::channels_impl::update_channel_in(&mut *tx, c).await? else {
                        return Ok(None);
                    };
                    let stored = match (overwrites, changed.guild_id) {
                        (Some(list), Some(guild)) => replace_overwrites_in(&mut tx, c.id, guild, list).await?,
                        _ => sqlx::query_as("SELECT * FROM channel_overwrites WHERE channel_id = $1 ORDER BY target_id")
                            .bind(c.id)
                            .fetch_all(&mut *tx)
                            .await?,
                    };
                    tx.commit().await?;
                    Ok(Some((changed, stored)))
                }

                async fn delete_overwrite(&self, channel_id: Snowflake, target_id: Snowflake) -> Result<bool> {
                    let r = sqlx::query("DELETE FROM channel_overwrites WHERE channel_id = $1 AND target_id = $2")
                        .bind(channel_id.as_i64())
                        .bind(target_id.as_i64())
                        .execute(self.writer())
                        .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn insert_ban(&self, b: &Ban) -> Result<bool> {
                    b.check_text()?;
                    let r = sqlx::query(
                        "INSERT INTO bans (guild_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (guild_id, user_id) DO NOTHING",
                    )
                    .bind(b.guild_id)
                    .bind(b.user_id)
                    .bind(&b.reason)
                    .bind(b.created_at)
                    .execute(self.writer())
                    .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn ban_member(
                    &self,
                    b: &Ban,
                    delete_messages_since: Option<Timestamp>,
                    at: Timestamp,
                ) -> Result<BanOutcome> {
                    let mut tx = self.writer().begin().await?;
                    sqlx::query(
                        "INSERT INTO bans (guild_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (guild_id, user_id) DO UPDATE SET reason = excluded.reason",
                    )
                    .bind(b.guild_id)
                    .bind(b.user_id)
                    .bind(&b.reason)
                    .bind(b.created_at)
                    .execute(&mut *tx)
                    .await?;
                    // member_roles follow by their foreign key.
                    let r = sqlx::query("DELETE FROM members WHERE guild_id = $1 AND user_id = $2")
                        .bind(b.guild_id)
                        .bind(b.user_id)
                        .execute(&mut *tx)
                        .await?;
                    let mut deleted: Vec<(i64, i64)> = Vec::new();
                    if let Some(since) = delete_messages_since {
                        // Per channel of the guild, a range scan of messages_author.
                        deleted = sqlx::query_as(
                            "UPDATE messages SET deleted_at = $4
                             WHERE channel_id IN (SELECT c.id FROM channels c WHERE c.guild_id = $1)
                                AND author_id = $2 AND id >= $3 AND deleted_at IS NULL
                             RETURNING channel_id, id",
                        )
                        .bind(b.guild_id)
                        .bind(b.user_id)
                        .bind(first_id_at(since))
                        .bind(at.0)
                        .fetch_all(&mut *tx)
                        .await?;
                        deleted.sort_unstable();
                    }
                    tx.commit().await?;
                    Ok(BanOutcome { was_member: r.rows_affected() > 0, deleted })
                }

                async fn fetch_ban(&self, guild_id: Snowflake, user_id: Snowflake) -> Result<Option<Ban>> {
                    Ok(sqlx::query_as("SELECT * FROM bans WHERE guild_id = $1 AND user_id = $2")
                        .bind(guild_id.as_i64())
                        .bind(user_id.as_i64())
                        .fetch_optional(self.reader())
                        .await?)
                }

                async fn fetch_bans(
                    &self,
                    guild_id: Snowflake,
                    before: Option<Snowflake>,
                    after: Option<Snowflake>,
                    limit: i64,
                ) -> Result<Vec<Ban>> {
                    if let (Some(before), None) = (before, after) {
                        // The page just below `before` (what a client paging back expects).
                        let mut v: Vec<Ban> = sqlx::query_as(
                            "SELECT * FROM bans WHERE guild_id = $1 AND user_id < $2 ORDER BY user_id DESC LIMIT $3",
                        )
                        .bind(guild_id.as_i64())
                        .bind(before.as_i64())
                        .bind(limit)
                        .fetch_all(self.reader())
                        .await?;
                        v.reverse();
                        return Ok(v);
                    }
                    Ok(sqlx::query_as(
                        "SELECT * FROM bans WHERE guild_id = $1 AND user_id > $2 AND user_id < $3
                         ORDER BY user_id LIMIT $4",
                    )
                    .bind(guild_id.as_i64())
                    .bind(after.map_or(-1, Snowflake::as_i64))
                    .bind(before.map_or(i64::MAX, Snowflake::as_i64))
                    .bind(limit)
                    .fetch_all(self.reader())
                    .await?)
                }

                async fn delete_ban(&self, guild_id: Snowflake, user_id: Snowflake) -> Result<bool> {
                    let r = sqlx::query("DELETE FROM bans WHERE guild_id = $1 AND user_id = $2")
                        .bind(guild_id.as_i64())
                        .bind(user_id.as_i64())
                        .execute(self.writer())
                        .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn delete_messages(
                    &self,
                    channel_id: Snowflake,
                    ids: &[Snowflake],
                    at: Timestamp,
                ) -> Result<Vec<Snowflake>> {
                    let mut out: Vec<i64> = Vec::new();
                    let mut tx = self.writer().begin().await?;
                    for chunk in sorted_ids(ids).chunks(ID_CHUNK) {
                        let mut q = QueryBuilder::<DB>::new("UPDATE messages SET deleted_at = ");
                        q.push_bind(at.0).push(" WHERE channel_id = ").push_bind(channel_id.as_i64());
                        q.push(" AND deleted_at IS NULL AND id IN (");
                        let mut list = q.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        q.push(") RETURNING id");
                        let rows: Vec<(i64,)> = q.build_query_as().fetch_all(&mut *tx).await?;
                        out.extend(rows.into_iter().map(|(id,)| id));
                    }
                    tx.commit().await?;
                    out.sort_unstable();
                    Ok(out.into_iter().map(Snowflake::from_i64).collect())
                }

                async fn insert_audit_entry(&self, e: &AuditEntry) -> Result<()> {
                    e.check_text()?;
                    sqlx::query(
                        "INSERT INTO audit_log (guild_id, id, user_id, target_id, action_type, changes, options, reason)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(e.guild_id)
                    .bind(e.id)
                    .bind(e.user_id)
                    .bind(e.target_id)
                    .bind(e.action_type)
                    .bind(&e.changes)
                    .bind(&e.options)
                    .bind(&e.reason)
                    .execute(self.writer())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn fetch_audit_entries(
                    &self,
                    guild_id: Snowflake,
                    query: &AuditQuery,
                ) -> Result<Vec<AuditEntry>> {
                    // Filters are left out of the SQL when not asked for, so that each query can
                    // use the index that leads with its filter.
                    let mut q = QueryBuilder::<DB>::new("SELECT * FROM audit_log WHERE guild_id = ");
                    q.push_bind(guild_id.as_i64());
                    if let Some(user) = query.user_id {
                        q.push(" AND user_id = ").push_bind(user);
                    }
                    if let Some(action) = query.action_type {
                        q.push(" AND action_type = ").push_bind(action);
                    }
                    if let Some(before) = query.before {
                        q.push(" AND id < ").push_bind(before);
                    }
                    if let Some(after) = query.after {
                        q.push(" AND id > ").push_bind(after);
                    }
                    // After an id: the entries just above it, so a client paging forward skips none.
                    let upward = query.after.is_some();
                    q.push(if upward { " ORDER BY id ASC LIMIT " } else { " ORDER BY id DESC LIMIT " });
                    q.push_bind(query.limit);
                    let mut v: Vec<AuditEntry> = q.build_query_as().fetch_all(self.reader()).await?;
                    if upward {
                        v.reverse();
                    }
                    Ok(v)
                }
            }
        }
    };
}

pub(crate) use impl_moderation_store;

//! The SQL of [`crate::RoleStore`].

use std::collections::BTreeMap;

use async_trait::async_trait;
use hearth_core::{GuildId, RoleId};
use sqlx::QueryBuilder;

use super::{push_id_list, Backend, DB, ROW_CHUNK};
use crate::{CheckText, Result, Role, RolePosition, RoleStore};

/// Writes a role (a guild's @everyone is written this way by
/// [`crate::GuildStore::insert_guild`]).
pub(super) async fn insert_role_in(tx: &mut sqlx::Transaction<'_, DB>, r: &Role) -> Result<()> {
    r.check_text()?;
    sqlx::query(
        "INSERT INTO roles (guild_id, id, name, permissions, color, hoist, mentionable, managed,
            position, bot_id)
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
    .await?;
    Ok(())
}

#[async_trait]
impl RoleStore for Backend {
    async fn insert_role(&self, role: &Role) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        insert_role_in(&mut tx, role).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fetch_roles(&self, guild_id: GuildId) -> Result<Vec<Role>> {
        Ok(
            sqlx::query_as("SELECT * FROM roles WHERE guild_id = $1 ORDER BY position, id")
                .bind(guild_id)
                .fetch_all(self.reader())
                .await?,
        )
    }

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
        guild_id: GuildId,
        moves: &[RolePosition],
    ) -> Result<Vec<Role>> {
        let guild = guild_id.as_i64();
        // One position per role, the last given: CASE would take the first.
        let latest: BTreeMap<RoleId, i64> = moves.iter().map(|m| (m.id, m.position)).collect();
        let moves: Vec<(RoleId, i64)> = latest.into_iter().collect();
        let mut tx = self.writer().begin().await?;
        for chunk in moves.chunks(ROW_CHUNK) {
            let mut q = QueryBuilder::<DB>::new("UPDATE roles SET position = CASE id");
            for (id, position) in chunk {
                q.push(" WHEN ").push_bind(*id);
                q.push(" THEN ").push_bind(*position);
            }
            q.push(" ELSE position END WHERE guild_id = ")
                .push_bind(guild);
            q.push(" AND id IN ");
            let ids: Vec<i64> = chunk.iter().map(|(id, _)| id.as_i64()).collect();
            push_id_list(&mut q, &ids);
            q.build().execute(&mut *tx).await?;
        }
        let roles: Vec<Role> =
            sqlx::query_as("SELECT * FROM roles WHERE guild_id = $1 ORDER BY position, id")
                .bind(guild)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(roles)
    }

    async fn delete_role(&self, guild_id: GuildId, role_id: RoleId) -> Result<bool> {
        let (guild, role) = (guild_id.as_i64(), role_id.as_i64());
        let mut tx = self.writer().begin().await?;
        // member_roles would also go by its foreign key; said here so the reader need not look
        // it up.
        sqlx::query("DELETE FROM member_roles WHERE guild_id = $1 AND role_id = $2")
            .bind(guild)
            .bind(role)
            .execute(&mut *tx)
            .await?;
        // Overwrites name roles without a foreign key (a target is a role or a user).
        sqlx::query(
            "DELETE FROM channel_overwrites WHERE guild_id = $1 AND target_id = $2 AND kind = 0",
        )
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
}

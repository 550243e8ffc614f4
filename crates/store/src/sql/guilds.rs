//! The SQL of [`crate::GuildStore`].

use async_trait::async_trait;
use hearth_core::{GuildId, UserId};

use super::channels::insert_channel_in;
use super::roles::insert_role_in;
use super::Backend;
use crate::{Channel, CheckText, Guild, GuildStore, Result, Role};

#[async_trait]
impl GuildStore for Backend {
    async fn insert_guild(&self, g: &Guild, everyone: &Role, channel: &Channel) -> Result<()> {
        g.check_text()?;
        everyone.check_text()?;
        channel.check_text()?;
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
        .await?;
        insert_role_in(&mut tx, everyone).await?;
        sqlx::query("INSERT INTO members (guild_id, user_id, joined_at) VALUES ($1, $2, $3)")
            .bind(g.id)
            .bind(g.owner_id)
            .bind(g.created_at)
            .execute(&mut *tx)
            .await?;
        insert_channel_in(&mut tx, channel).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fetch_guild(&self, id: GuildId) -> Result<Option<Guild>> {
        Ok(sqlx::query_as("SELECT * FROM guilds WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?)
    }

    async fn fetch_user_guilds(
        &self,
        user_id: UserId,
        before: Option<GuildId>,
        after: Option<GuildId>,
        limit: i64,
    ) -> Result<Vec<Guild>> {
        Ok(sqlx::query_as(
            "SELECT g.* FROM guilds g JOIN members m ON m.guild_id = g.id
             WHERE m.user_id = $1 AND g.id > $2 AND g.id < $3
             ORDER BY g.id LIMIT $4",
        )
        .bind(user_id)
        .bind(after.map_or(0, GuildId::as_i64))
        .bind(before.map_or(i64::MAX, GuildId::as_i64))
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

    async fn delete_guild(&self, id: GuildId) -> Result<bool> {
        let r = sqlx::query("DELETE FROM guilds WHERE id = $1")
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(r.rows_affected() > 0)
    }
}

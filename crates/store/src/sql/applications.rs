//! The SQL of [`crate::ApplicationStore`].

use async_trait::async_trait;
use hearth_core::{names::username_key, ApplicationId};

use super::Backend;
use crate::{Application, ApplicationStore, CheckText, NewUser, Result, Session};

#[async_trait]
impl ApplicationStore for Backend {
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
        .bind(username_key(&bot.username))
        .bind(&bot.global_name)
        .bind(bot.created_at)
        .execute(&mut *tx)
        .await?;
        let app: Application = sqlx::query_as(
            "INSERT INTO applications (id, owner_id, name, description, bot_public, verify_key,
                created_at)
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
        .await?;
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
        .await?;
        tx.commit().await?;
        Ok(app)
    }

    async fn fetch_application(&self, id: ApplicationId) -> Result<Option<Application>> {
        Ok(sqlx::query_as("SELECT * FROM applications WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?)
    }
}

//! The SQL of [`crate::UserStore`].

use async_trait::async_trait;
use hearth_core::Timestamp;
use hearth_core::{names::username_key, UserId};

use super::Backend;
use crate::{nul_free, CheckText, NewUser, Result, User, UserPatch, UserStore};

#[async_trait]
impl UserStore for Backend {
    async fn insert_user(&self, u: &NewUser) -> Result<User> {
        u.check_text()?;
        let mut tx = self.writer().begin().await?;
        let user: User = sqlx::query_as(
            "INSERT INTO users (id, username, username_key, global_name, email, email_key, bot,
                created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
        )
        .bind(u.id)
        .bind(&u.username)
        .bind(username_key(&u.username))
        .bind(&u.global_name)
        .bind(&u.email)
        .bind(u.email.as_deref().map(str::to_lowercase))
        .bind(u.bot)
        .bind(u.created_at)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(hash) = &u.password_hash {
            sqlx::query(
                "INSERT INTO credentials (user_id, password_hash, updated_at) VALUES ($1, $2, $3)",
            )
            .bind(u.id)
            .bind(hash)
            .bind(u.created_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    async fn fetch_user(&self, id: UserId) -> Result<Option<User>> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?)
    }

    async fn fetch_person_by_username(&self, username: &str) -> Result<Option<User>> {
        nul_free(&[("username", Some(username))])?;
        Ok(
            sqlx::query_as("SELECT * FROM users WHERE bot = FALSE AND username_key = $1")
                .bind(username_key(username))
                .fetch_optional(self.reader())
                .await?,
        )
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

    async fn fetch_last_seen(&self, id: UserId) -> Result<Option<Timestamp>> {
        let row: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT last_seen_at FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
        Ok(row.and_then(|(t,)| t).map(Timestamp))
    }

    async fn knows_of(&self, viewer: UserId, id: UserId) -> Result<bool> {
        if viewer == id {
            return Ok(true);
        }
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT b.user_id FROM members a JOIN members b ON b.guild_id = a.guild_id
             WHERE a.user_id = $1 AND b.user_id = $2
             UNION ALL
             SELECT other_id FROM relationships WHERE user_id = $1 AND other_id = $2 AND type = $3
             LIMIT 1",
        )
        .bind(viewer)
        .bind(id)
        .bind(i64::from(hearth_core::RelationshipKind::Friend))
        .fetch_optional(self.reader())
        .await?;
        Ok(row.is_some())
    }

    async fn update_user(&self, id: UserId, p: &UserPatch) -> Result<Option<User>> {
        p.check_text()?;
        let key = p.username.as_deref().map(username_key);
        Ok(sqlx::query_as(
            "UPDATE users SET
                username = COALESCE($2, username),
                username_key = COALESCE($3, username_key),
                global_name = CASE WHEN $4 THEN $5 ELSE global_name END
             WHERE id = $1 RETURNING *",
        )
        .bind(id)
        .bind(&p.username)
        .bind(key)
        .bind(p.global_name.is_some())
        .bind(p.global_name.clone().flatten())
        .fetch_optional(self.writer())
        .await?)
    }

    async fn update_last_seen(&self, id: UserId, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE users SET last_seen_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at.0)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

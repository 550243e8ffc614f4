//! The SQL of [`crate::SessionStore`].

use async_trait::async_trait;
use hearth_core::{SessionId, Timestamp, UserId};

use super::Backend;
use crate::{nul_free, CheckText, Result, Session, SessionStore, User};

#[async_trait]
impl SessionStore for Backend {
    async fn insert_session(&self, s: &Session) -> Result<()> {
        s.check_text()?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_hash, kind, created_at, last_used_at, ip,
                user_agent)
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
        .await?;
        Ok(())
    }

    async fn fetch_session(&self, token_hash: &str) -> Result<Option<(Session, User)>> {
        nul_free(&[("token_hash", Some(token_hash))])?;
        let session: Option<Session> =
            sqlx::query_as("SELECT * FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.reader())
                .await?;
        let Some(session) = session else {
            return Ok(None);
        };
        let user: Option<User> =
            sqlx::query_as("SELECT * FROM users WHERE id = $1 AND disabled = FALSE")
                .bind(session.user_id)
                .fetch_optional(self.reader())
                .await?;
        Ok(user.map(|u| (session, u)))
    }

    async fn fetch_user_sessions(&self, user_id: UserId) -> Result<Vec<Session>> {
        Ok(
            sqlx::query_as("SELECT * FROM sessions WHERE user_id = $1 ORDER BY id DESC")
                .bind(user_id)
                .fetch_all(self.reader())
                .await?,
        )
    }

    async fn update_session_used(
        &self,
        id: SessionId,
        at: Timestamp,
        ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<()> {
        nul_free(&[("ip", ip), ("user_agent", user_agent)])?;
        sqlx::query(
            "UPDATE sessions SET last_used_at = $2, ip = COALESCE($3, ip),
                user_agent = COALESCE($4, user_agent)
             WHERE id = $1",
        )
        .bind(id)
        .bind(at.0)
        .bind(ip)
        .bind(user_agent)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn delete_session(&self, id: SessionId) -> Result<bool> {
        let r = sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(r.rows_affected() > 0)
    }
}

//! The SQL of [`crate::UserSettingsStore`].

use async_trait::async_trait;
use hearth_core::{Timestamp, UserId};

use super::Backend;
use crate::{nul_free, Result, SettingsWrite, UserSettings, UserSettingsStore};

#[async_trait]
impl UserSettingsStore for Backend {
    async fn fetch_user_settings(&self, user_id: UserId) -> Result<Option<UserSettings>> {
        Ok(
            sqlx::query_as("SELECT * FROM user_settings WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    async fn update_user_settings(
        &self,
        user_id: UserId,
        expected_version: i64,
        document: &str,
        at: Timestamp,
    ) -> Result<SettingsWrite> {
        nul_free(&[("document", Some(document))])?;
        // One statement each, so the version check and the write are one step: PostgreSQL
        // re-reads a row another transaction updated before applying `version = $2` to it, and
        // an INSERT meeting a row inserted meanwhile does nothing.
        let written: Option<UserSettings> =
            match expected_version {
                0 => {
                    sqlx::query_as(
                        "INSERT INTO user_settings (user_id, version, document, updated_at)
                     VALUES ($1, 1, $2, $3)
                     ON CONFLICT (user_id) DO NOTHING
                     RETURNING *",
                    )
                    .bind(user_id)
                    .bind(document)
                    .bind(at.0)
                    .fetch_optional(self.writer())
                    .await?
                }
                v if v > 0 => sqlx::query_as(
                    "UPDATE user_settings SET version = version + 1, document = $3, updated_at = $4
                     WHERE user_id = $1 AND version = $2
                     RETURNING *",
                )
                .bind(user_id)
                .bind(v)
                .bind(document)
                .bind(at.0)
                .fetch_optional(self.writer())
                .await?,
                _ => None,
            };
        if let Some(row) = written {
            return Ok(SettingsWrite::Written(row));
        }
        // Refused: what is stored now (read through the writer, which saw the refusal).
        let current = sqlx::query_as("SELECT * FROM user_settings WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(self.writer())
            .await?;
        Ok(SettingsWrite::Stale(current))
    }
}

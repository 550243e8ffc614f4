//! Each person's settings document: [`UserSettingsStore`].

use async_trait::async_trait;
use hearth_core::{Timestamp, UserId};

use crate::{Result, SettingsWrite, UserSettings};

/// One settings document per user, versioned for optimistic concurrency: a writer names the
/// version it read, and the write happens only if that version is still the stored one. No row
/// is version 0; each write adds one. The store does not read the document (the API owns its
/// keys and rules); it only refuses U+0000 in it, as in all text.
#[async_trait]
pub trait UserSettingsStore: Send + Sync {
    /// `user_id`'s document, or None when they never wrote one (version 0).
    async fn fetch_user_settings(&self, user_id: UserId) -> Result<Option<UserSettings>>;
    /// Writes `document` as `user_id`'s settings at `at`, only if the stored version is
    /// `expected_version` (0: none stored yet), in one statement (a conditional UPDATE, or an
    /// INSERT that does nothing on a row written meanwhile), so that of two writers naming the
    /// same version exactly one wins, on both databases. [`SettingsWrite::Written`] with the
    /// new row (version `expected_version + 1`), or [`SettingsWrite::Stale`] with the stored
    /// one (read after the refused write) and nothing written. A user who does not exist:
    /// [`StoreError::MissingParent`](crate::StoreError::MissingParent) when nothing is stored
    /// and `expected_version` is 0, otherwise `Stale(None)`.
    async fn update_user_settings(
        &self,
        user_id: UserId,
        expected_version: i64,
        document: &str,
        at: Timestamp,
    ) -> Result<SettingsWrite>;
}

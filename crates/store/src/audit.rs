//! The audit log: [`AuditStore`].

use async_trait::async_trait;
use hearth_core::GuildId;

use crate::{AuditEntry, AuditQuery, Result};

/// Each guild's audit log. Entries are only added; they go with their guild.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an audit log entry. An id in use →
    /// [`StoreError::Conflict`](crate::StoreError::Conflict) naming `id`.
    async fn insert_audit_entry(&self, entry: &AuditEntry) -> Result<()>;
    /// A guild's audit log entries matching `query`, newest first. With `after`: the `limit`
    /// entries just above it (and below `before`, if given); otherwise the newest below `before`.
    async fn fetch_audit_entries(
        &self,
        guild_id: GuildId,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>>;
}

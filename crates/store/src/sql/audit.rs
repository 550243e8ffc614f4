//! The SQL of [`crate::AuditStore`].

use async_trait::async_trait;
use hearth_core::GuildId;
use sqlx::QueryBuilder;

use super::{Backend, DB};
use crate::{AuditEntry, AuditQuery, AuditStore, CheckText, Result};

#[async_trait]
impl AuditStore for Backend {
    async fn insert_audit_entry(&self, e: &AuditEntry) -> Result<()> {
        e.check_text()?;
        sqlx::query(
            "INSERT INTO audit_log (guild_id, id, user_id, target_id, action_type, changes,
                options, reason)
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
        .await?;
        Ok(())
    }

    async fn fetch_audit_entries(
        &self,
        guild_id: GuildId,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>> {
        // Filters are left out of the SQL when not asked for, so that each query can use the
        // index that leads with its filter.
        let mut q = QueryBuilder::<DB>::new("SELECT * FROM audit_log WHERE guild_id = ");
        q.push_bind(guild_id);
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
        q.push(if upward {
            " ORDER BY id ASC LIMIT "
        } else {
            " ORDER BY id DESC LIMIT "
        });
        q.push_bind(query.limit);
        let mut v: Vec<AuditEntry> = q.build_query_as().fetch_all(self.reader()).await?;
        if upward {
            v.reverse();
        }
        Ok(v)
    }
}

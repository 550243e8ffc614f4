//! The SQL of [`crate::ClusterStore`].

use std::collections::{BTreeMap, HashSet};

use async_trait::async_trait;
use hearth_core::Timestamp;
use hearth_core::{snowflake::MAX_NODE_ID, GuildId, UserId};
use sqlx::QueryBuilder;

use super::{push_id_list, sorted_ids, Backend, DB, ID_CHUNK, ROW_CHUNK};
use crate::{CheckText, ClusterStore, NodeLease, PresenceRow, Result};

/// A presence row with the guild it was found through.
#[derive(sqlx::FromRow)]
struct GuildPresence {
    guild_id: GuildId,
    #[sqlx(flatten)]
    row: PresenceRow,
}

/// Distinct users of deleted rows, ascending.
fn distinct_users(rows: Vec<(UserId,)>) -> Vec<UserId> {
    let mut v: Vec<UserId> = rows.into_iter().map(|(u,)| u).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[async_trait]
impl ClusterStore for Backend {
    async fn lease_node(
        &self,
        holder: &str,
        wanted: Option<u16>,
        url: Option<&str>,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Option<u16>> {
        let candidates: Vec<u16> = match wanted {
            Some(id) => vec![id],
            None => {
                // Only a hint: the conditional upsert below is what keeps two holders apart,
                // and an id taken meanwhile by another node is skipped.
                let live: Vec<(i64,)> = sqlx::query_as(
                    "SELECT node_id FROM node_leases WHERE expires_at >= $1 ORDER BY node_id",
                )
                .bind(now.0)
                .fetch_all(self.reader())
                .await?;
                let live: HashSet<i64> = live.into_iter().map(|(n,)| n).collect();
                (0..=MAX_NODE_ID)
                    .filter(|n| !live.contains(&i64::from(*n)))
                    .collect()
            }
        };
        for id in candidates {
            // Writes only when the id is free, expired, or already this holder's; a racing
            // caller waits on the row and then finds it live and not its own.
            let taken: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO node_leases (node_id, holder, url, started_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (node_id) DO UPDATE SET holder = excluded.holder,
                    url = excluded.url, started_at = excluded.started_at,
                    expires_at = excluded.expires_at
                 WHERE node_leases.expires_at < excluded.started_at
                    OR node_leases.holder = excluded.holder
                 RETURNING node_id",
            )
            .bind(i64::from(id))
            .bind(holder)
            .bind(url)
            .bind(now.0)
            .bind(expires_at.0)
            .fetch_optional(self.writer())
            .await?;
            if taken.is_some() {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    async fn put_presences(
        &self,
        node_id: u16,
        rows: &[PresenceRow],
        gone: &[UserId],
    ) -> Result<()> {
        for r in rows {
            r.check_text()?;
        }
        if rows.is_empty() && gone.is_empty() {
            return Ok(());
        }
        let node = i64::from(node_id);
        // One row per user, the last given: a multi-row upsert may not touch a row twice.
        let latest: BTreeMap<UserId, &PresenceRow> = rows.iter().map(|r| (r.user_id, r)).collect();
        let rows: Vec<&PresenceRow> = latest.into_values().collect();
        let mut tx = self.writer().begin().await?;
        for chunk in sorted_ids(gone).chunks(ID_CHUNK) {
            let mut q = QueryBuilder::<DB>::new("DELETE FROM presences WHERE node_id = ");
            q.push_bind(node).push(" AND user_id IN ");
            push_id_list(&mut q, chunk);
            q.build().execute(&mut *tx).await?;
        }
        for chunk in rows.chunks(ROW_CHUNK) {
            let mut q = QueryBuilder::<DB>::new(
                "INSERT INTO presences (user_id, node_id, status, activities, client_status,
                    updated_at) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(r.user_id)
                    .push_bind(node)
                    .push_bind(r.status.as_str())
                    .push_bind(r.activities.as_str())
                    .push_bind(r.client_status.as_str())
                    .push_bind(r.updated_at);
            });
            q.push(
                " ON CONFLICT (user_id, node_id) DO UPDATE SET status = excluded.status,
                    activities = excluded.activities, client_status = excluded.client_status,
                    updated_at = excluded.updated_at",
            );
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn fetch_nodes(&self) -> Result<Vec<NodeLease>> {
        Ok(sqlx::query_as("SELECT * FROM node_leases ORDER BY node_id")
            .fetch_all(self.reader())
            .await?)
    }

    async fn fetch_presences(&self, users: &[UserId], now: Timestamp) -> Result<Vec<PresenceRow>> {
        let mut out = Vec::new();
        for chunk in sorted_ids(users).chunks(ID_CHUNK) {
            let mut q = QueryBuilder::<DB>::new(
                "SELECT p.* FROM presences p JOIN node_leases l ON l.node_id = p.node_id
                 WHERE l.expires_at >= ",
            );
            q.push_bind(now.0).push(" AND p.user_id IN ");
            push_id_list(&mut q, chunk);
            q.push(" ORDER BY p.user_id, p.node_id");
            let rows = q.build_query_as::<PresenceRow>();
            out.extend(rows.fetch_all(self.reader()).await?);
        }
        Ok(out)
    }

    async fn fetch_friend_presences(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<Vec<PresenceRow>> {
        Ok(sqlx::query_as(
            "SELECT p.* FROM relationships r
             JOIN presences p ON p.user_id = r.other_id
             JOIN node_leases l ON l.node_id = p.node_id
             WHERE r.user_id = $1 AND r.type = $2 AND l.expires_at >= $3
             ORDER BY p.user_id, p.node_id",
        )
        .bind(user)
        .bind(i64::from(hearth_core::RelationshipKind::Friend))
        .bind(now.0)
        .fetch_all(self.reader())
        .await?)
    }

    async fn fetch_guild_presences(
        &self,
        guilds: &[GuildId],
        now: Timestamp,
    ) -> Result<Vec<(GuildId, PresenceRow)>> {
        let mut out = Vec::new();
        for chunk in sorted_ids(guilds).chunks(ID_CHUNK) {
            let mut q = QueryBuilder::<DB>::new(
                "SELECT m.guild_id, p.user_id, p.node_id, p.status, p.activities,
                    p.client_status, p.updated_at
                 FROM members m
                 JOIN presences p ON p.user_id = m.user_id
                 JOIN node_leases l ON l.node_id = p.node_id
                 WHERE l.expires_at >= ",
            );
            q.push_bind(now.0).push(" AND m.guild_id IN ");
            push_id_list(&mut q, chunk);
            q.push(" ORDER BY m.guild_id, p.user_id, p.node_id");
            let rows = q.build_query_as::<GuildPresence>();
            let rows = rows.fetch_all(self.reader()).await?;
            out.extend(rows.into_iter().map(|g| (g.guild_id, g.row)));
        }
        Ok(out)
    }

    async fn renew_node(&self, node_id: u16, holder: &str, expires_at: Timestamp) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE node_leases SET expires_at = $3 WHERE node_id = $1 AND holder = $2",
        )
        .bind(i64::from(node_id))
        .bind(holder)
        .bind(expires_at.0)
        .execute(self.writer())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    async fn release_node(&self, node_id: u16, holder: &str) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        let r = sqlx::query("DELETE FROM node_leases WHERE node_id = $1 AND holder = $2")
            .bind(i64::from(node_id))
            .bind(holder)
            .execute(&mut *tx)
            .await?;
        // Not the holder (any more): the rows belong to whoever holds the id now.
        if r.rows_affected() > 0 {
            sqlx::query("DELETE FROM presences WHERE node_id = $1")
                .bind(i64::from(node_id))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn clear_node_presences(&self, node_id: u16) -> Result<Vec<UserId>> {
        let rows: Vec<(UserId,)> =
            sqlx::query_as("DELETE FROM presences WHERE node_id = $1 RETURNING user_id")
                .bind(i64::from(node_id))
                .fetch_all(self.writer())
                .await?;
        Ok(distinct_users(rows))
    }

    async fn reap_presences(&self, now: Timestamp) -> Result<Vec<UserId>> {
        // DELETE ... RETURNING: when reapers race, the row goes to whichever deletes it; the
        // others find it gone and skip it.
        let rows: Vec<(UserId,)> = sqlx::query_as(
            "DELETE FROM presences WHERE NOT EXISTS (
                SELECT 1 FROM node_leases l
                WHERE l.node_id = presences.node_id AND l.expires_at >= $1
             ) RETURNING user_id",
        )
        .bind(now.0)
        .fetch_all(self.writer())
        .await?;
        Ok(distinct_users(rows))
    }
}

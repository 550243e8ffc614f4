//! Cluster coordination: [`ClusterStore`].

use async_trait::async_trait;
use hearth_core::{GuildId, Timestamp, UserId};

use crate::{NodeLease, PresenceRow, Result};

/// Cluster coordination: leases on node ids (a node's heartbeat) and each node's contribution
/// to its users' presence. A lease is live at `now` while `expires_at >= now`.
#[async_trait]
pub trait ClusterStore: Send + Sync {
    /// Takes a node id for `holder` until `expires_at`. With `wanted`: that id, unless another
    /// holder's lease on it is still live at `now` (then None). Without: the lowest id in
    /// 0..=1023 with no lease or a lease that expired before `now` (None when all are live).
    /// Two callers racing for one id never both get it. `started_at` = `now`. A `wanted` id
    /// above 1023 breaks the table's check (an error).
    async fn lease_node(
        &self,
        holder: &str,
        wanted: Option<u16>,
        url: Option<&str>,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Option<u16>>;
    /// In one transaction: deletes the rows of (`gone` user, `node_id`) and upserts `rows`, all
    /// written under `node_id` whatever their own `node_id` says. A user both in `gone` and in
    /// `rows` keeps the row; of several rows of one user, the last wins.
    async fn put_presences(
        &self,
        node_id: u16,
        rows: &[PresenceRow],
        gone: &[UserId],
    ) -> Result<()>;
    /// Every lease row, live or expired, by node id.
    async fn fetch_nodes(&self) -> Result<Vec<NodeLease>>;
    /// The rows of these users from nodes whose lease is live at `now`, by user then node.
    async fn fetch_presences(&self, users: &[UserId], now: Timestamp) -> Result<Vec<PresenceRow>>;
    /// The rows (live nodes only) of `user`'s friends, by friend then node.
    async fn fetch_friend_presences(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<Vec<PresenceRow>>;
    /// For each guild, the rows (live nodes only) of its members: (guild_id, row), by guild, user
    /// then node.
    async fn fetch_guild_presences(
        &self,
        guilds: &[GuildId],
        now: Timestamp,
    ) -> Result<Vec<(GuildId, PresenceRow)>>;
    /// Extends `holder`'s lease on `node_id`; false when it no longer holds it (released, or
    /// taken by another holder after expiry). An expired lease nobody took is extended.
    async fn renew_node(&self, node_id: u16, holder: &str, expires_at: Timestamp) -> Result<bool>;
    /// Gives the id back: deletes the lease and that node's presences in one transaction, when
    /// `holder` holds it (otherwise nothing changes).
    async fn release_node(&self, node_id: u16, holder: &str) -> Result<()>;
    /// Deletes every presence row of `node_id` (left by an earlier holder of that id); returns
    /// the distinct users whose rows were deleted, ascending.
    async fn clear_node_presences(&self, node_id: u16) -> Result<Vec<UserId>>;
    /// Deletes the rows of nodes with no live lease at `now` (expired or no lease row) and
    /// returns the distinct users whose rows were deleted, ascending. When several nodes call
    /// this at once, each deleted row is returned to exactly one caller.
    async fn reap_presences(&self, now: Timestamp) -> Result<Vec<UserId>>;
}

//! A node's place in a cluster: its id, leased from the database, and its heartbeat.
//!
//! Every node (a single one too) leases its node id at start: the configured one, or the lowest
//! free. It renews the lease every third of `cluster.lease_secs`; the renewal is its heartbeat.
//! After each renewal it removes the presence contributed by nodes whose lease expired (dead
//! nodes) and publishes what their users' presence became. A node that cannot renew for a whole
//! lease period stops serving: another node may have taken its id, and two nodes making ids
//! with one node id could make the same id twice.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use hearth_core::Timestamp;
use hearth_gateway::Hub;
use hearth_store::Store;

/// This node's lease on its id.
pub struct NodeLease {
    store: Arc<dyn Store>,
    /// The leased id.
    pub node_id: u16,
    holder: String,
    ttl: Duration,
}

impl std::fmt::Debug for NodeLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeLease")
            .field("node_id", &self.node_id)
            .field("ttl", &self.ttl)
            .finish()
    }
}

fn later(ttl: Duration) -> Timestamp {
    Timestamp(Timestamp::now().0 + ttl.as_micros() as i64)
}

impl NodeLease {
    /// Takes `wanted`, or the lowest free node id, for `ttl`.
    pub async fn take(
        store: Arc<dyn Store>,
        wanted: Option<u16>,
        url: Option<&str>,
        ttl: Duration,
    ) -> anyhow::Result<NodeLease> {
        let holder = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
        let leased = store
            .lease_node(&holder, wanted, url, Timestamp::now(), later(ttl))
            .await?;
        let Some(node_id) = leased else {
            match wanted {
                Some(id) => bail!(
                    "node_id {id} is held by another live node; give this node another node_id \
                     or leave it unset (its lease frees {} s after that node stops)",
                    ttl.as_secs()
                ),
                None => bail!("every node id (0-1023) is held by a live node"),
            }
        };
        Ok(NodeLease {
            store,
            node_id,
            holder,
            ttl,
        })
    }

    /// Renews the lease and reaps dead nodes every third of the lease period; returns only
    /// when the lease is lost (then the node must stop).
    pub async fn keep(&self, hub: Arc<Hub>) -> anyhow::Error {
        let mut tick = tokio::time::interval(self.ttl / 3);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut renewed = Instant::now();
        loop {
            tick.tick().await;
            match self
                .store
                .renew_node(self.node_id, &self.holder, later(self.ttl))
                .await
            {
                Ok(true) => renewed = Instant::now(),
                Ok(false) => {
                    return anyhow::anyhow!(
                        "the lease on node id {} was lost (another node holds it now)",
                        self.node_id
                    )
                }
                Err(e) if renewed.elapsed() < self.ttl => {
                    tracing::warn!(error = %e, "renewing the node lease; retrying");
                    continue;
                }
                Err(e) => {
                    return anyhow::anyhow!(
                        "the lease on node id {} could not be renewed for {} s: {e}",
                        self.node_id,
                        self.ttl.as_secs()
                    )
                }
            }
            hub.reap_dead_nodes().await;
        }
    }

    /// Gives the id back (at shutdown) with this node's presence records.
    pub async fn release(&self) {
        if let Err(e) = self.store.release_node(self.node_id, &self.holder).await {
            tracing::warn!(error = %e, "releasing the node lease");
        }
    }
}

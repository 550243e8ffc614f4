//! hearth-bus: carries committed changes ([`Event`]s) from the API to every node's gateway.
//!
//! Events are `hearth_protocol::events::Event`: typed, each knowing its audience, which
//! decides where a cluster bus sends it.
//!
//! [`Bus`] is the interface. [`LocalBus`] is the single-node implementation (a tokio broadcast
//! channel); [`NatsBus`] carries events between the nodes of a cluster over NATS. Publishers call
//! [`Bus::publish`] after their write has committed, while holding the ordering lock of what
//! they changed, so that subscribers see the events of one guild in commit order. Each node's
//! gateway holds one subscription and fans events out to its sessions; it declares which guilds
//! and users it holds sessions for ([`Bus::interest`]) so that a cluster bus delivers only what
//! those sessions can need.
#![forbid(unsafe_code)]

mod nats;

use std::sync::Arc;

use async_trait::async_trait;
use hearth_core::{GuildId, UserId};
use hearth_protocol::events::Event;
use tokio::sync::broadcast;

pub use nats::{NatsBus, NatsConfig};

/// A subscription: events in publish order. A subscriber that falls more than the bus's
/// capacity behind receives `RecvError::Lagged` and must resynchronise; a cluster bus that may
/// have lost events hands its subscribers [`Event::BusGap`].
pub type Subscription = broadcast::Receiver<Arc<Event>>;

/// What a node can be interested in: the events of a guild (its channels included) or those
/// addressed to one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Every event of a guild.
    Guild(GuildId),
    /// Events addressed to one user.
    User(UserId),
}

/// Where committed changes go.
#[async_trait]
pub trait Bus: Send + Sync + std::fmt::Debug {
    /// Hands an event to every subscriber interested in it, on every node (an event without
    /// an audience, such as [`Event::BusGap`], to this node's subscribers at most).
    fn publish(&self, event: Event);
    /// A new subscription to the events published from now on (of the topics this node is
    /// interested in).
    fn subscribe(&self) -> Subscription;
    /// Adds (`on`) or removes one unit of this node's interest in `topic`. Changes take effect
    /// in the order they are made; the node receives a topic's events while its count is above
    /// zero.
    fn interest(&self, topic: Topic, on: bool);
    /// Completes once every interest change made so far is in effect.
    async fn settled(&self);
    /// Completes once every event this node published so far has reached the bus (for a
    /// cluster bus: the NATS server), so that a change acknowledged to a client is never lost
    /// with its node and is ordered before any change made after the acknowledgement.
    async fn published(&self);
    /// Which bus this is and whether it is working (for the health check).
    fn health(&self) -> (&'static str, bool);
}

/// The in-process bus of a single node.
#[derive(Debug, Clone)]
pub struct LocalBus {
    tx: broadcast::Sender<Arc<Event>>,
}

impl LocalBus {
    /// A bus whose subscribers may fall `capacity` events behind before they lag.
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(1));
        LocalBus { tx }
    }
}

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus::new(65_536)
    }
}

#[async_trait]
impl Bus for LocalBus {
    fn publish(&self, event: Event) {
        // No subscriber is not an error: nobody is connected to hear it.
        let _ = self.tx.send(Arc::new(event));
    }

    fn subscribe(&self) -> Subscription {
        self.tx.subscribe()
    }

    /// Every event of a single node is local: there is nothing to narrow.
    fn interest(&self, _topic: Topic, _on: bool) {}

    async fn settled(&self) {}

    /// Events are in every subscriber's channel when `publish` returns.
    async fn published(&self) {}

    fn health(&self) -> (&'static str, bool) {
        ("local", true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_core::Snowflake;
    use hearth_protocol::events::MessageDelete;

    fn event(n: u64) -> Event {
        Event::MessageDelete(MessageDelete {
            id: Snowflake(n).into(),
            channel_id: Snowflake(2).into(),
            guild_id: Snowflake(1).into(),
        })
    }

    /// The number an event of [`event`] carries.
    fn n(e: &Event) -> u64 {
        match e {
            Event::MessageDelete(m) => m.id.get(),
            other => panic!("unexpected {}", other.name()),
        }
    }

    #[tokio::test]
    async fn every_subscriber_sees_every_event_in_order() {
        let bus = LocalBus::new(16);
        let mut a = bus.subscribe();
        let mut b = bus.subscribe();
        for n in 0..5 {
            bus.publish(event(n));
        }
        for n in 0..5 {
            assert_eq!(self::n(&a.recv().await.unwrap()), n);
            assert_eq!(self::n(&b.recv().await.unwrap()), n);
        }
    }

    #[tokio::test]
    async fn publishing_without_subscribers_is_fine_and_late_subscribers_see_only_new_events() {
        let bus = LocalBus::new(4);
        bus.publish(event(0));
        let mut late = bus.subscribe();
        bus.publish(event(1));
        assert_eq!(n(&late.recv().await.unwrap()), 1);
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told() {
        let bus = LocalBus::new(2);
        let mut slow = bus.subscribe();
        for n in 0..5 {
            bus.publish(event(n));
        }
        assert!(matches!(
            slow.recv().await,
            Err(broadcast::error::RecvError::Lagged(3))
        ));
        assert_eq!(n(&slow.recv().await.unwrap()), 3);
    }
}

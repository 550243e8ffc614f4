//! hearth-bus: carries committed changes ([`Event`]s) from the API to the gateway.
//!
//! [`Bus`] is the interface; [`LocalBus`] is the single-node implementation (a tokio broadcast
//! channel). Publishers call [`Bus::publish`] after their write has committed, while holding
//! the ordering lock of what they changed, so that subscribers see events in commit order.
//! Each node's gateway holds one subscription and fans events out to its sessions.
#![forbid(unsafe_code)]

use std::sync::Arc;

use hearth_core::events::Event;
use tokio::sync::broadcast;

/// A subscription: events in publish order. A subscriber that falls more than the bus's
/// capacity behind receives `RecvError::Lagged` and must resynchronise.
pub type Subscription = broadcast::Receiver<Arc<Event>>;

/// Where committed changes go.
pub trait Bus: Send + Sync + std::fmt::Debug {
    /// Hands an event to every subscriber (of every node, once a cluster bus exists).
    fn publish(&self, event: Event);
    /// A new subscription to every event published from now on.
    fn subscribe(&self) -> Subscription;
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

impl Bus for LocalBus {
    fn publish(&self, event: Event) {
        // No subscriber is not an error: nobody is connected to hear it.
        let _ = self.tx.send(Arc::new(event));
    }

    fn subscribe(&self) -> Subscription {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_core::Snowflake;
    use serde_json::json;

    fn event(n: u64) -> Event {
        Event::guild("GUILD_UPDATE", Snowflake(1), json!({ "n": n }))
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
            assert_eq!(a.recv().await.unwrap().data["n"], n);
            assert_eq!(b.recv().await.unwrap().data["n"], n);
        }
    }

    #[tokio::test]
    async fn publishing_without_subscribers_is_fine_and_late_subscribers_see_only_new_events() {
        let bus = LocalBus::new(4);
        bus.publish(event(0));
        let mut late = bus.subscribe();
        bus.publish(event(1));
        assert_eq!(late.recv().await.unwrap().data["n"], 1);
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
        assert_eq!(slow.recv().await.unwrap().data["n"], 3);
    }
}

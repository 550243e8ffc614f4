//! The hub: this node's sessions and the fan-out of bus events to them.
//!
//! - [`session`]: a session and its bounded buffer of dispatch frames (a frame's payload is
//!   serialized once per event and shared by every session's buffer).
//! - [`registry`]: sessions indexed by id, user and guild (plain data with `check_invariants`).
//! - [`dispatch`]: one bus event to the sessions that may receive it, in named steps.
//! - the guilds' states ([`hearth_state::States`], shared with REST): the fan-out is the one
//!   task that applies events to them, in bus order.
//! - [`presences`]: this node's presence contributions and their publication.
//!
//! This file holds the [`Hub`] itself: registration and removal of sessions, the bus
//! subscription, expiry and shutdown.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_bus::{Bus, Subscription, Topic};
use hearth_core::{GuildId, UserId};
use hearth_protocol::events::Event;
use hearth_state::States;
use hearth_store::Store;
use tokio::sync::{broadcast, watch};

use crate::GatewayConfig;

mod dispatch;
mod presences;
mod registry;
mod session;

pub use dispatch::GuildViews;
use registry::{Registry, RegistryGuard};
pub use session::{Frame, Session, Verdict};

/// Interest held in a user's topics while their session is being prepared (see
/// [`Hub::hold_interest`]); released on drop.
#[derive(Debug)]
pub struct InterestHold {
    bus: Arc<dyn Bus>,
    topics: Vec<Topic>,
}

impl Drop for InterestHold {
    fn drop(&mut self) {
        for t in self.topics.drain(..) {
            self.bus.interest(t, false);
        }
    }
}

/// This node's sessions and the fan-out of events to them.
pub struct Hub {
    /// This node's id (presence contributions are recorded under it).
    pub node_id: u16,
    /// Storage (identify, guild payloads).
    pub store: Arc<dyn Store>,
    /// Where presence changes are published.
    pub bus: Arc<dyn Bus>,
    /// Settings.
    pub config: GatewayConfig,
    /// The guild states and tokens of this node, shared with REST.
    pub states: Arc<States>,
    registry: Mutex<Registry>,
    next_connection: AtomicU64,
    shutdown: watch::Sender<bool>,
    connections: watch::Sender<usize>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("sessions", &self.session_count())
            .finish()
    }
}

impl Hub {
    /// A hub over a store and a bus. Call [`Hub::start`] to begin receiving events.
    pub fn new(
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
        config: GatewayConfig,
        node_id: u16,
    ) -> Arc<Hub> {
        Arc::new(Hub {
            node_id,
            states: States::new(store.clone(), bus.clone()),
            store,
            bus,
            config,
            registry: Mutex::new(Registry::default()),
            next_connection: AtomicU64::new(1),
            shutdown: watch::channel(false).0,
            connections: watch::channel(0).0,
        })
    }

    fn registry(&self) -> RegistryGuard<'_> {
        RegistryGuard {
            guard: self.registry.lock().unwrap_or_else(|e| e.into_inner()),
            bus: self.bus.as_ref(),
        }
    }

    /// Subscribes to the bus and starts the fan-out and the clean-up of expired sessions.
    pub fn start(self: &Arc<Self>) {
        self.states.start();
        let subscription = self.bus.subscribe();
        let hub = self.clone();
        tokio::spawn(async move { hub.fan_out(subscription).await });
        let hub = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                let Some(hub) = hub.upgrade() else { return };
                hub.expire();
            }
        });
        // Presence changes are published after a short quiet time: a burst becomes one event.
        let hub = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(PRESENCE_FLUSH_MS));
            loop {
                tick.tick().await;
                let Some(hub) = hub.upgrade() else { return };
                hub.flush_presences().await;
            }
        });
    }

    async fn fan_out(self: Arc<Self>, mut events: Subscription) {
        loop {
            match events.recv().await {
                Ok(event) if matches!(*event, Event::BusGap) => {
                    self.states.clear();
                    if self.session_count() > 0 {
                        tracing::warn!("the bus may have lost events; invalidating sessions");
                        self.invalidate_all();
                    }
                }
                Ok(event) => self.dispatch(&event),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::error!(
                        missed = n,
                        "gateway fan-out fell behind the bus; invalidating sessions"
                    );
                    self.states.clear();
                    self.invalidate_all();
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Gives up every session (events were lost for all of them: none can resume without a
    /// gap); their clients identify again.
    pub fn invalidate_all(&self) {
        let ids: Vec<String> = self.registry().sessions.keys().cloned().collect();
        for id in ids {
            if let Some(s) = self.remove(&id) {
                s.end(Verdict::Invalid);
            }
        }
    }

    /// Makes sure this node receives the events of `user` and of `guilds` before their state
    /// is read for a new session: nothing committed after the read can then be missed. The
    /// interest lasts until the returned hold is dropped (after [`Hub::register`]).
    pub async fn hold_interest(&self, user: UserId, guilds: &[GuildId]) -> InterestHold {
        let mut topics = vec![Topic::User(user)];
        topics.extend(guilds.iter().map(|g| Topic::Guild(*g)));
        for t in &topics {
            self.bus.interest(*t, true);
        }
        self.bus.settled().await;
        InterestHold {
            bus: self.bus.clone(),
            topics,
        }
    }

    /// A new connection id.
    pub fn connection_id(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// Registers an identified session in its guilds and gives it its first frames (READY and
    /// GUILD_CREATEs) before any event can reach it. `views` are the guilds' permission states
    /// read with those frames (see [`GuildViews`]); a guild already followed here keeps its
    /// own, which the events since have kept current.
    pub fn register(
        &self,
        session: Arc<Session>,
        guilds: &[GuildId],
        first: Vec<Arc<Frame>>,
        views: GuildViews,
    ) {
        let mut reg = self.registry();
        for view in views.0 {
            reg.install_view(view);
        }
        session.preload(first);
        let uid = session.user_id;
        if reg.by_user.get(&uid).is_none_or(|set| set.is_empty()) {
            reg.interest.push((Topic::User(uid), true));
        }
        reg.by_user
            .entry(uid)
            .or_default()
            .insert(session.id.clone());
        reg.guilds_of.entry(session.id.clone()).or_default();
        // A guild whose state could not be read (left in the meantime) is not joined.
        for g in guilds {
            if reg.views.contains_key(g) {
                reg.join(&session.id, *g);
            }
        }
        reg.sessions.insert(session.id.clone(), session);
    }

    /// A session by id.
    pub fn find(&self, id: &str) -> Option<Arc<Session>> {
        self.registry().sessions.get(id).cloned()
    }

    /// Forgets a session.
    pub fn remove(&self, id: &str) -> Option<Arc<Session>> {
        self.registry().remove(id)
    }

    /// Appends a frame to one session (RESUMED, member chunks).
    pub fn send_to(&self, session: &Arc<Session>, frame: Arc<Frame>) {
        if session.push(frame, &self.config) == Verdict::Invalid {
            self.remove(&session.id);
        }
    }

    /// How many sessions this node holds.
    pub fn session_count(&self) -> usize {
        self.registry().sessions.len()
    }

    /// Whether `session` is in `guild` (for commands naming a guild).
    pub fn in_guild(&self, session: &str, guild: GuildId) -> bool {
        self.registry()
            .by_guild
            .get(&guild)
            .is_some_and(|s| s.contains(session))
    }

    /// Panics if the indexes disagree (for tests).
    pub fn check_invariants(&self) {
        self.registry().check_invariants();
    }

    fn expire(&self) {
        let timeout = Duration::from_secs(self.config.resume_timeout_secs);
        let expired: Vec<String> = self
            .registry()
            .sessions
            .values()
            .filter(|s| s.expired(timeout))
            .map(|s| s.id.clone())
            .collect();
        for id in expired {
            self.remove(&id);
        }
    }

    /// Ends every session of this node (at shutdown: none can resume on a node that is gone)
    /// and publishes what their users' presence becomes.
    pub async fn close_all(&self) {
        let ids: Vec<String> = self.registry().sessions.keys().cloned().collect();
        for id in ids {
            if let Some(s) = self.remove(&id) {
                s.end(Verdict::Invalid);
            }
        }
        self.flush_presences().await;
    }

    /// A receiver that turns true when the node shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Counts a connection for the lifetime of the returned guard.
    pub fn connection_guard(self: &Arc<Self>) -> ConnectionGuard {
        self.connections.send_modify(|n| *n += 1);
        ConnectionGuard { hub: self.clone() }
    }

    /// Asks every connection to reconnect elsewhere (op 7) and waits, at most `wait`, for them
    /// to close.
    pub async fn shutdown(&self, wait: Duration) {
        self.shutdown.send_replace(true);
        let mut rx = self.connections.subscribe();
        let _ = tokio::time::timeout(wait, rx.wait_for(|n| *n == 0)).await;
    }
}

/// Keeps a connection counted (see [`Hub::connection_guard`]).
#[derive(Debug)]
pub struct ConnectionGuard {
    hub: Arc<Hub>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.hub
            .connections
            .send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// How long presence changes gather before they are published.
const PRESENCE_FLUSH_MS: u64 = 250;

//! What every handler shares ([`AppState`]) and the API's settings ([`ApiConfig`]).

use std::sync::Arc;

use hearth_bus::Bus;
use hearth_core::SnowflakeGenerator;
use hearth_protocol::events::Event;
use hearth_store::Store;

use crate::{events, limits, passwords};

/// Settings the API needs.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Base URL clients reach this node at (e.g. `https://chat.example.org`), used to publish the
    /// gateway URL; when unset, the request's `Host` header is used.
    pub public_url: Option<String>,
    /// This node's own base URL (for READY's `resume_gateway_url`); when unset, as the gateway
    /// URL.
    pub node_url: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Whether the client's address is the last entry of `X-Forwarded-For` (behind a reverse
    /// proxy that appends it) rather than the connection's peer.
    pub trust_forwarded_for: bool,
    /// Password hashing and authentication throttles.
    pub auth: limits::AuthConfig,
    /// The guild every new account joins (and may not leave), if any.
    pub primary_guild: Option<hearth_core::GuildId>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            public_url: None,
            node_url: None,
            max_body_bytes: 1024 * 1024,
            trust_forwarded_for: false,
            auth: limits::AuthConfig::default(),
            primary_guild: None,
        }
    }
}

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Where committed changes are published.
    pub bus: Arc<dyn Bus>,
    /// This node's gateway sessions.
    pub hub: Arc<hearth_gateway::Hub>,
    /// Ordering locks: held from a write until its event is published.
    pub order: Arc<events::OrderLocks>,
    /// Id generator of this node.
    pub ids: Arc<SnowflakeGenerator>,
    /// Settings.
    pub config: Arc<ApiConfig>,
    /// The bounded password hasher.
    pub passwords: Arc<passwords::Passwords>,
    /// Login and registration throttles.
    pub throttles: Arc<limits::AuthThrottles>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store.backend())
            .field("node_id", &self.ids.node_id())
            .finish()
    }
}

impl AppState {
    /// State over a store and a bus, for node `node_id`.
    pub fn new(
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
        hub: Arc<hearth_gateway::Hub>,
        node_id: u16,
        config: ApiConfig,
    ) -> Self {
        let passwords =
            passwords::Passwords::new(config.auth.hash_concurrency(), config.auth.hash_queue);
        AppState {
            store,
            bus,
            hub,
            order: Arc::new(events::OrderLocks::default()),
            ids: Arc::new(SnowflakeGenerator::new(node_id)),
            passwords: Arc::new(passwords),
            throttles: Arc::new(limits::AuthThrottles::new(&config.auth)),
            config: Arc::new(config),
        }
    }

    /// Publishes a committed change (call while holding its ordering lock). A change to a guild
    /// state this node keeps is awaited before the request is answered (see
    /// [`published_first`]).
    pub fn publish(&self, event: Event) {
        // A revoked token or a changed user is dropped from this node's cache at once (the
        // other nodes drop it when the event reaches them).
        self.hub.states.observe(&event);
        self.hub.states.expect(&event);
        self.bus.publish(event);
    }

    /// Publishes each of several committed changes, in order.
    pub fn publish_all(&self, events: impl IntoIterator<Item = Event>) {
        for e in events {
            self.publish(e);
        }
    }
}

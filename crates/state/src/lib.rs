//! hearth-state: what each node keeps in memory about guilds and tokens, for REST and the
//! gateway alike.
//!
//! - [`guild::GuildState`]: one guild's owner, roles, channels with overwrites and the members
//!   met so far, with the one adapter into `hearth_core::permissions` that both REST checks and
//!   the gateway's fan-out use.
//! - [`States`]: this node's guild states, loaded from the store on demand, kept current by the
//!   bus events the node receives (it holds interest in a guild's topic while it keeps the
//!   guild, so this holds on every node of a cluster), evicted when unused; an index from
//!   channel to guild; and the cache of tokens (session and user), dropped on a revoked token or
//!   a changed user.
//! - [`wire`]: stored records as wire objects.
//!
//! One task applies events: the gateway hub's fan-out, in bus order ([`States::route`], then
//! [`States::applied`]). A request that published state changes on this node is answered only
//! once they are applied here ([`States::expect`], [`States::caught_up`]), so a client reads its
//! own writes on the node it wrote through; other nodes apply them as their events arrive.
//!
//! The cache accelerates and never decides alone: what it does not hold (a channel created a
//! moment ago on another node, a member not met yet) is read from the store.
#![forbid(unsafe_code)]

pub mod guild;
mod guilds;
mod tokens;
pub mod wire;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hearth_bus::Bus;
use hearth_store::Store;

pub use guild::{GuildState, MemberInputs, Scope};
pub use guilds::Awaited;

/// A guild's state, shared by REST requests and the hub (holding one keeps it from eviction).
pub type SharedGuild = Arc<Mutex<GuildState>>;

/// Locks a mutex, taking the data of a poisoned one (no state here is left half-changed by a
/// panic: every change is one assignment or one removal).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long an unused guild state or token stays cached.
pub const IDLE: Duration = Duration::from_secs(300);

/// How long a request waits for its own state changes to be applied before it is answered
/// anyway (they are late only if the bus is).
pub const CATCH_UP_WAIT: Duration = Duration::from_secs(5);

/// This node's guild states and tokens.
pub struct States {
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    guilds: Mutex<guilds::GuildMap>,
    tokens: Mutex<tokens::TokenMap>,
    awaited: Awaited,
}

impl std::fmt::Debug for States {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("States")
            .field("guilds", &lock(&self.guilds).len())
            .field("tokens", &lock(&self.tokens).len())
            .finish()
    }
}

impl States {
    /// Empty states over a store and a bus.
    pub fn new(store: Arc<dyn Store>, bus: Arc<dyn Bus>) -> Arc<States> {
        Arc::new(States {
            store,
            bus,
            guilds: Mutex::new(guilds::GuildMap::default()),
            tokens: Mutex::new(tokens::TokenMap::default()),
            awaited: Awaited::default(),
        })
    }

    /// Starts the eviction of what has not been used for [`IDLE`].
    pub fn start(self: &Arc<Self>) {
        let states = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(30));
            loop {
                tick.tick().await;
                let Some(states) = states.upgrade() else {
                    return;
                };
                states.evict_idle(IDLE);
            }
        });
    }

    /// Forgets what has not been used for `idle` (guilds held by a session stay).
    pub fn evict_idle(&self, idle: Duration) {
        self.evict_guilds(idle);
        self.evict_tokens(idle);
    }

    /// Forgets everything (events may have been lost: nothing cached can be trusted).
    pub fn clear(&self) {
        self.clear_guilds();
        self.clear_tokens();
        self.awaited.clear();
    }

    /// How many guild states and tokens are cached.
    pub fn sizes(&self) -> (usize, usize) {
        (lock(&self.guilds).len(), lock(&self.tokens).len())
    }
}

//! The guild states of a node: loaded on demand, kept current by the bus, evicted when unused;
//! the index from channel to guild; the state changes this node's requests wait for.
//!
//! Loading a guild: interest in its topic is taken and settled first, then the store is read;
//! the events that arrive meanwhile are kept and applied to what was read before it is
//! installed. Replaying an event the read already reflects is harmless (each event sets what it
//! changed), so nothing committed after the read can be missed.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hearth_bus::Topic;
use hearth_core::{ChannelId, GuildId, UserId};
use hearth_protocol::events::Event;
use hearth_store::StoreError;
use tokio::sync::Notify;

use crate::{lock, GuildState, SharedGuild, States, CATCH_UP_WAIT};

enum Slot {
    /// Being read from the store; the events that arrive meanwhile wait in `buffer`.
    Loading {
        buffer: Vec<Event>,
        done: Arc<Notify>,
    },
    Ready {
        shared: SharedGuild,
        last_used: Instant,
    },
}

/// Guild states by id, and which guild each known channel belongs to.
#[derive(Default)]
pub(crate) struct GuildMap {
    slots: HashMap<GuildId, Slot>,
    channels: HashMap<ChannelId, GuildId>,
}

/// Members read per query when a guild's roster is loaded.
const ROSTER_PAGE: i64 = 1000;

impl GuildMap {
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Indexes the channels of a state being installed.
    fn index(&mut self, state: &GuildState) {
        for c in state.channel_ids() {
            self.channels.insert(c, state.guild_id());
        }
    }

    fn unindex(&mut self, guild: GuildId) {
        self.channels.retain(|_, g| *g != guild);
    }
}

/// The outcome of one attempt to load a guild.
enum Loaded {
    Ready(SharedGuild),
    /// Someone else is loading it: wait for them.
    Wait(Arc<Notify>),
    /// Nobody is: the caller loads it (the slot is marked with this).
    Load(Arc<Notify>),
}

impl States {
    /// The state of guild `g`, read from the store if it is not cached. `None` when the guild
    /// does not exist, or when the cache could not settle (the caller then reads the store).
    pub async fn guild(&self, g: GuildId) -> Result<Option<SharedGuild>, StoreError> {
        for _ in 0..3 {
            match self.begin_load(g) {
                Loaded::Ready(shared) => return Ok(Some(shared)),
                Loaded::Load(mine) => return self.load(g, mine).await,
                Loaded::Wait(done) => {
                    let notified = done.notified();
                    // The load may have ended between the check and `notified`.
                    if self.is_loading(g, &done) {
                        notified.await;
                    }
                }
            }
        }
        Ok(None)
    }

    fn is_loading(&self, g: GuildId, done: &Arc<Notify>) -> bool {
        matches!(lock(&self.guilds).slots.get(&g),
            Some(Slot::Loading { done: d, .. }) if Arc::ptr_eq(d, done))
    }

    /// A cached state (touched), someone else's load to wait for, or a new load to make
    /// (with the slot now marked as loading).
    fn begin_load(&self, g: GuildId) -> Loaded {
        let mut map = lock(&self.guilds);
        match map.slots.get_mut(&g) {
            Some(Slot::Ready { shared, last_used }) => {
                *last_used = Instant::now();
                Loaded::Ready(shared.clone())
            }
            Some(Slot::Loading { done, .. }) => Loaded::Wait(done.clone()),
            None => {
                let done = Arc::new(Notify::new());
                map.slots.insert(
                    g,
                    Slot::Loading {
                        buffer: Vec::new(),
                        done: done.clone(),
                    },
                );
                Loaded::Load(done)
            }
        }
    }

    /// Reads guild `g` (marked as loading by this caller with `mine`) and installs it.
    async fn load(&self, g: GuildId, mine: Arc<Notify>) -> Result<Option<SharedGuild>, StoreError> {
        self.bus.interest(Topic::Guild(g), true);
        self.bus.settled().await;
        // The changes published here before the read are in it (their events may have been
        // published before the interest took effect, and never come back).
        let published = self.awaited.mark();
        let read = self.read_guild(g).await;
        let mut map = lock(&self.guilds);
        let buffer = match map.slots.remove(&g) {
            Some(Slot::Loading { buffer, done }) if Arc::ptr_eq(&done, &mine) => buffer,
            other => {
                // Replaced meanwhile (installed from a GUILD_CREATE, or forgotten after a gap
                // and loaded again): this read is not kept.
                let kept = match other {
                    Some(slot) => {
                        let kept = match &slot {
                            Slot::Ready { shared, .. } => Some(shared.clone()),
                            Slot::Loading { .. } => None,
                        };
                        map.slots.insert(g, slot);
                        kept
                    }
                    None => None,
                };
                drop(map);
                self.bus.interest(Topic::Guild(g), false);
                mine.notify_waiters();
                return read.map(|_| kept);
            }
        };
        let mut state = match read {
            Ok(Some(state)) => state,
            other => {
                // Not found, or the read failed: nothing is cached.
                drop(map);
                self.bus.interest(Topic::Guild(g), false);
                mine.notify_waiters();
                return other.map(|_| None);
            }
        };
        for e in &buffer {
            state.apply(e);
        }
        map.index(&state);
        let shared = Arc::new(Mutex::new(state));
        map.slots.insert(
            g,
            Slot::Ready {
                shared: shared.clone(),
                last_used: Instant::now(),
            },
        );
        drop(map);
        self.awaited.satisfied(g, published);
        for e in &buffer {
            self.awaited.matched(e);
        }
        mine.notify_waiters();
        Ok(Some(shared))
    }

    async fn read_guild(&self, g: GuildId) -> Result<Option<GuildState>, StoreError> {
        let Some(guild) = self.store.fetch_guild(g).await? else {
            return Ok(None);
        };
        let roles = self.store.fetch_roles(g).await?;
        let channels = self.store.fetch_guild_channels(g).await?;
        let overwrites = self.store.fetch_guild_overwrites(g).await?;
        let threads = self.store.fetch_active_threads(g).await?;
        let mut state = GuildState::from_store(&guild, &roles, &channels, &overwrites);
        state.put_threads(&threads.iter().map(crate::wire::thread).collect::<Vec<_>>());
        Ok(Some(state))
    }

    /// Installs a state read from a GUILD_CREATE payload (a user gained the guild) unless one
    /// is cached, in which case it learns the payload's members; returns the cached state.
    /// Events that arrived during a load in progress are applied to it.
    pub fn install(&self, state: GuildState) -> SharedGuild {
        let g = state.guild_id();
        let mut map = lock(&self.guilds);
        if let Some(Slot::Ready { shared, last_used }) = map.slots.get_mut(&g) {
            *last_used = Instant::now();
            let shared = shared.clone();
            drop(map);
            lock(&shared).merge_members(state);
            return shared;
        }
        let mut state = state;
        let buffer = match map.slots.remove(&g) {
            Some(Slot::Loading { buffer, done }) => {
                // The loader finds the slot taken and keeps its interest to itself.
                done.notify_waiters();
                buffer
            }
            _ => Vec::new(),
        };
        for e in &buffer {
            state.apply(e);
        }
        map.index(&state);
        let shared = Arc::new(Mutex::new(state));
        map.slots.insert(
            g,
            Slot::Ready {
                shared: shared.clone(),
                last_used: Instant::now(),
            },
        );
        drop(map);
        self.bus.interest(Topic::Guild(g), true);
        for e in &buffer {
            self.awaited.matched(e);
        }
        shared
    }

    /// For the one task that applies events, in bus order: the cached state the event belongs
    /// to (the caller applies it, then calls [`States::applied`]). An event for a guild being
    /// loaded is kept for the load; a deleted guild is forgotten.
    pub fn route(&self, event: &Event) -> Option<SharedGuild> {
        let g = event.audience().guild_id()?;
        let mut map = lock(&self.guilds);
        if let Event::GuildDelete(_) = event {
            let forgotten = map.slots.remove(&g);
            map.unindex(g);
            drop(map);
            self.awaited.forget_guild(g);
            if let Some(Slot::Ready { .. }) = forgotten {
                self.bus.interest(Topic::Guild(g), false);
            }
            return None;
        }
        let shared = match map.slots.get_mut(&g)? {
            Slot::Ready { shared, .. } => shared.clone(),
            Slot::Loading { buffer, .. } => {
                if GuildState::changes_state(event) {
                    buffer.push(event.clone());
                }
                return None;
            }
        };
        match event {
            Event::ChannelCreate(c) => {
                map.channels.insert(c.id, g);
            }
            Event::ThreadCreate(t) => {
                map.channels.insert(t.thread.id, g);
            }
            Event::ChannelDelete(c) => {
                map.channels.remove(&c.id);
            }
            Event::ThreadDelete(t) => {
                map.channels.remove(&t.id);
            }
            _ => {}
        }
        Some(shared)
    }

    /// Tells the requests waiting for `event` that it is applied.
    pub fn applied(&self, event: &Event) {
        self.awaited.matched(event);
    }

    /// The guild of a channel: from the index, else from the store (`None`: no such channel,
    /// or not a guild channel).
    pub async fn guild_of_channel(
        &self,
        channel: ChannelId,
    ) -> Result<Option<GuildId>, StoreError> {
        if let Some(g) = lock(&self.guilds).channels.get(&channel) {
            return Ok(Some(*g));
        }
        Ok(self
            .store
            .fetch_channel(channel)
            .await?
            .and_then(|c| c.guild_id))
    }

    /// Makes sure `state` knows `user` if they are a member (read from the store when not met
    /// yet); returns whether they are one.
    pub async fn meet(
        &self,
        g: GuildId,
        state: &SharedGuild,
        user: UserId,
    ) -> Result<bool, StoreError> {
        for _ in 0..3 {
            let changes = {
                let s = lock(state);
                if s.knows(user) {
                    return Ok(true);
                }
                s.member_changes()
            };
            let Some(member) = self.store.fetch_member(g, user).await? else {
                // A member added meanwhile is known now; otherwise they are none.
                return Ok(lock(state).knows(user));
            };
            if lock(state).meet(&member, changes) {
                return Ok(true);
            }
            // Members changed while this one was read: read again.
        }
        Ok(lock(state).knows(user))
    }

    /// Makes `state` know every member of guild `g` (read from the store once; the member
    /// events keep it complete after). False when members kept changing while they were read.
    pub async fn roster(&self, g: GuildId, state: &SharedGuild) -> Result<bool, StoreError> {
        for _ in 0..3 {
            let changes = {
                let s = lock(state);
                if s.has_roster() {
                    return Ok(true);
                }
                s.member_changes()
            };
            let mut all = Vec::new();
            let mut after = UserId::default();
            loop {
                let page = self.store.fetch_members(g, after, ROSTER_PAGE).await?;
                let Some((last, _)) = page.last() else { break };
                after = last.user_id;
                let full = page.len() as i64 == ROSTER_PAGE;
                all.extend(page.into_iter().map(|(m, _)| m));
                if !full {
                    break;
                }
            }
            if lock(state).learn_roster(&all, changes) {
                return Ok(true);
            }
        }
        Ok(lock(state).has_roster())
    }

    /// Before publishing `event` from this node: if it changes a cached guild, the request will
    /// wait for it to be applied ([`States::caught_up`]).
    pub fn expect(&self, event: &Event) {
        if !GuildState::changes_state(event) {
            return;
        }
        let Some(g) = event.audience().guild_id() else {
            return;
        };
        if lock(&self.guilds).slots.contains_key(&g) {
            self.awaited.push(g, event.clone());
        }
    }

    /// Waits (at most [`CATCH_UP_WAIT`]) until every state change this node has published so
    /// far is applied to its cached guild.
    pub async fn caught_up(&self) {
        self.awaited.wait(CATCH_UP_WAIT).await;
    }

    pub(crate) fn evict_guilds(&self, idle: Duration) {
        let now = Instant::now();
        let mut map = lock(&self.guilds);
        let old: Vec<GuildId> = map
            .slots
            .iter()
            .filter_map(|(g, slot)| match slot {
                Slot::Ready { shared, last_used }
                    if Arc::strong_count(shared) == 1 && now - *last_used >= idle =>
                {
                    Some(*g)
                }
                _ => None,
            })
            .collect();
        for g in &old {
            map.slots.remove(g);
            map.unindex(*g);
        }
        drop(map);
        for g in old {
            self.awaited.forget_guild(g);
            self.bus.interest(Topic::Guild(g), false);
        }
    }

    pub(crate) fn clear_guilds(&self) {
        let mut map = lock(&self.guilds);
        let slots = std::mem::take(&mut map.slots);
        map.channels.clear();
        drop(map);
        for (g, slot) in slots {
            match slot {
                Slot::Ready { .. } => self.bus.interest(Topic::Guild(g), false),
                // Its loader finds the slot gone and discards what it read.
                Slot::Loading { done, .. } => done.notify_waiters(),
            }
        }
    }
}

/// State changes published by this node and not yet applied to its cached guilds.
#[derive(Debug, Default)]
pub struct Awaited {
    pending: Mutex<VecDeque<(u64, GuildId, Event)>>,
    /// Entries in `pending` (read without the lock on the hot path).
    count: AtomicUsize,
    next: Mutex<u64>,
    changed: Notify,
}

impl Awaited {
    fn push(&self, g: GuildId, event: Event) {
        let mut next = lock(&self.next);
        *next += 1;
        lock(&self.pending).push_back((*next, g, event));
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    fn matched(&self, event: &Event) {
        if self.count.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut pending = lock(&self.pending);
        if let Some(i) = pending.iter().position(|(_, _, e)| e == event) {
            pending.remove(i);
            self.count.fetch_sub(1, Ordering::SeqCst);
            drop(pending);
            self.changed.notify_waiters();
        }
    }

    /// The number of the last change pushed so far.
    fn mark(&self) -> u64 {
        *lock(&self.next)
    }

    /// The changes of guild `g` pushed up to `upto` are in a state just read.
    fn satisfied(&self, g: GuildId, upto: u64) {
        self.remove_where(|n, guild| guild == g && n <= upto);
    }

    fn forget_guild(&self, g: GuildId) {
        self.remove_where(|_, guild| guild == g);
    }

    fn remove_where(&self, f: impl Fn(u64, GuildId) -> bool) {
        let mut pending = lock(&self.pending);
        let before = pending.len();
        pending.retain(|(n, guild, _)| !f(*n, *guild));
        if pending.len() != before {
            self.count.store(pending.len(), Ordering::SeqCst);
            drop(pending);
            self.changed.notify_waiters();
        }
    }

    pub(crate) fn clear(&self) {
        lock(&self.pending).clear();
        self.count.store(0, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    /// Waits until nothing pushed before the call is pending, or `limit` passes.
    async fn wait(&self, limit: Duration) {
        if self.count.load(Ordering::SeqCst) == 0 {
            return;
        }
        let upto = *lock(&self.next);
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let changed = self.changed.notified();
            if !lock(&self.pending).iter().any(|(n, _, _)| *n <= upto) {
                return;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                tracing::warn!("state changes published here were not applied in time");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;

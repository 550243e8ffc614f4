//! The hub: this node's sessions, indexed by id, user and guild, and the fan-out of bus events.
//!
//! Each session owns a bounded buffer of dispatch frames, numbered by its sequence. The hub
//! appends to it; the session's current connection (if any) drains it; RESUME re-reads it from
//! the client's last sequence number. A frame's payload is serialized once per event and shared
//! by every session's buffer.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hearth_bus::{Bus, Subscription, Topic, BUS_GAP};
use hearth_core::events::{Audience, Event};
use hearth_core::Snowflake;
use hearth_store::Store;
use serde_json::Value;
use tokio::sync::{broadcast, watch, Notify};

use crate::payload::intents;
use crate::presence::UserPresence;
use crate::GatewayConfig;

mod presences;
mod views;

use views::{GuildView, Scope};

/// One dispatch: its name and its payload, serialized once.
#[derive(Debug)]
pub struct Frame {
    /// Event name (`t`).
    pub name: Arc<str>,
    /// Serialized payload (`d`).
    pub data: Arc<str>,
}

impl Frame {
    /// A frame from a name and a payload.
    pub fn new(name: &str, data: &Value) -> Arc<Frame> {
        Arc::new(Frame {
            name: name.into(),
            data: data.to_string().into(),
        })
    }

    /// The full text of this dispatch as sequence number `seq`.
    pub fn text(&self, seq: u64) -> String {
        let mut s = String::with_capacity(self.data.len() + self.name.len() + 40);
        s.push_str("{\"op\":0,\"s\":");
        s.push_str(&seq.to_string());
        s.push_str(",\"t\":\"");
        s.push_str(&self.name);
        s.push_str("\",\"d\":");
        s.push_str(&self.data);
        s.push('}');
        s
    }
}

/// Why a connection must close, as seen from its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Keep going.
    Open,
    /// Another connection resumed this session.
    Superseded,
    /// Too many frames waiting: close, the session stays resumable.
    TooSlow,
    /// The session can no longer be resumed (its buffer overflowed).
    Invalid,
    /// The token the session identified with was revoked.
    Revoked,
}

#[derive(Debug)]
struct Buffer {
    seq: u64,
    frames: VecDeque<(u64, Instant, Arc<Frame>)>,
    /// Highest sequence number written to the current connection.
    sent: u64,
    /// The attached connection (0: none).
    connection: u64,
    /// Last sequence number buffered when the connection attached: a replay up to it is not
    /// held against the connection as slowness.
    attached_at_seq: u64,
    detached_at: Option<Instant>,
    verdict: Verdict,
}

/// A gateway session: who it is, what it asked for, and its buffer.
#[derive(Debug)]
pub struct Session {
    /// Opaque id (`session_id` of READY).
    pub id: String,
    /// The user.
    pub user_id: Snowflake,
    /// Whether the user is a bot.
    pub bot: bool,
    /// Intent bits asked for at IDENTIFY.
    pub intents: u64,
    /// Hash of the token it identified with (RESUME must present the same token).
    pub token_hash: String,
    /// Members per guild up to which GUILD_CREATE lists them all.
    pub large_threshold: i64,
    buf: Mutex<Buffer>,
    notify: Notify,
}

impl Session {
    /// A session not yet registered.
    pub fn new(
        user_id: Snowflake,
        bot: bool,
        intents: u64,
        token_hash: String,
        large_threshold: i64,
    ) -> Arc<Session> {
        let id = format!("{:032x}", rand::random::<u128>());
        Arc::new(Session {
            id,
            user_id,
            bot,
            intents,
            token_hash,
            large_threshold,
            buf: Mutex::new(Buffer {
                seq: 0,
                frames: VecDeque::new(),
                sent: 0,
                connection: 0,
                attached_at_seq: 0,
                detached_at: Some(Instant::now()),
                verdict: Verdict::Open,
            }),
            notify: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Buffer> {
        self.buf.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes the connection's writer.
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Waits for new frames or a verdict.
    pub async fn woken(&self) {
        self.notify.notified().await;
    }

    /// Makes `connection` the session's connection, resuming after `seq` (0: from the start).
    /// Fails when frames after `seq` are no longer buffered or `seq` is ahead of the session.
    pub fn attach(&self, connection: u64, seq: u64) -> Result<(), Verdict> {
        let mut b = self.lock();
        if b.verdict == Verdict::Invalid {
            return Err(Verdict::Invalid);
        }
        let first = b.frames.front().map_or(b.seq + 1, |f| f.0);
        if seq > b.seq || (seq < b.seq && first > seq + 1) {
            return Err(Verdict::Invalid);
        }
        b.sent = seq;
        b.connection = connection;
        b.attached_at_seq = b.seq;
        b.detached_at = None;
        b.verdict = Verdict::Open;
        drop(b);
        self.wake();
        Ok(())
    }

    /// Lets go of `connection` (the session stays resumable).
    pub fn detach(&self, connection: u64) {
        let mut b = self.lock();
        if b.connection == connection {
            b.connection = 0;
            b.detached_at = Some(Instant::now());
        }
    }

    /// The next frame for `connection` to write, or why it must stop.
    pub fn next(&self, connection: u64) -> Result<Option<(u64, Arc<Frame>)>, Verdict> {
        let b = self.lock();
        if b.connection != connection {
            return Err(Verdict::Superseded);
        }
        if b.verdict != Verdict::Open {
            return Err(b.verdict);
        }
        let Some(first) = b.frames.front().map(|f| f.0) else {
            return Ok(None);
        };
        let wanted = b.sent + 1;
        if wanted < first {
            return Err(Verdict::Invalid);
        }
        Ok(b.frames
            .get((wanted - first) as usize)
            .map(|(s, _, f)| (*s, f.clone())))
    }

    /// Records that `connection` wrote frame `seq`.
    pub fn written(&self, connection: u64, seq: u64) {
        let mut b = self.lock();
        if b.connection == connection && seq > b.sent {
            b.sent = seq;
        }
    }

    /// The last sequence number given out.
    pub fn seq(&self) -> u64 {
        self.lock().seq
    }

    /// Buffers a new session's first frames (READY, a GUILD_CREATE per guild), however many.
    fn preload(&self, frames: Vec<Arc<Frame>>) {
        let mut b = self.lock();
        let now = Instant::now();
        for f in frames {
            b.seq += 1;
            let seq = b.seq;
            b.frames.push_back((seq, now, f));
        }
    }

    /// Appends a frame; returns the verdict for the session afterwards.
    fn push(&self, frame: Arc<Frame>, config: &GatewayConfig) -> Verdict {
        let mut b = self.lock();
        if b.verdict == Verdict::Invalid {
            return Verdict::Invalid;
        }
        let now = Instant::now();
        b.seq += 1;
        let seq = b.seq;
        b.frames.push_back((seq, now, frame));
        // Written frames are kept for RESUME within the window (count and age); frames not yet
        // written are never dropped: past the window the session is given up instead.
        let window = Duration::from_secs(config.resume_timeout_secs);
        while let Some((s, at, _)) = b.frames.front() {
            let (s, at) = (*s, *at);
            if s <= b.sent
                && (b.frames.len() > config.resume_buffer || now.duration_since(at) > window)
            {
                b.frames.pop_front();
            } else {
                break;
            }
        }
        let unsent = b.seq - b.sent;
        // Waiting frames that arrived since the connection attached (a replay does not count).
        let queued = b.seq - b.sent.max(b.attached_at_seq);
        if unsent as usize > config.resume_buffer {
            b.verdict = Verdict::Invalid;
            b.frames.clear();
        } else if b.connection != 0 && queued as usize > config.queue_limit {
            b.verdict = Verdict::TooSlow;
        }
        let verdict = b.verdict;
        drop(b);
        self.wake();
        verdict
    }

    fn expired(&self, timeout: Duration) -> bool {
        let b = self.lock();
        b.verdict == Verdict::Invalid || b.detached_at.is_some_and(|at| at.elapsed() > timeout)
    }
}

#[derive(Debug, Default)]
struct Registry {
    sessions: HashMap<String, Arc<Session>>,
    by_user: HashMap<Snowflake, HashSet<String>>,
    by_guild: HashMap<Snowflake, HashSet<String>>,
    guilds_of: HashMap<String, HashSet<Snowflake>>,
    presences: HashMap<Snowflake, UserPresence>,
    /// Users whose presence changed since the last flush, with the guilds they were in.
    dirty: HashMap<Snowflake, HashSet<Snowflake>>,
    /// The last presence published for each user, by any node (to skip changes others cannot
    /// see), without its `guild_id`.
    published: HashMap<Snowflake, Value>,
    /// Changes of this node's interest in bus topics, applied when the lock is released.
    interest: Vec<(Topic, bool)>,
    /// Who may see what in each guild that has sessions here.
    views: HashMap<Snowflake, GuildView>,
}

impl Registry {
    fn join(&mut self, session: &str, guild: Snowflake) {
        let sessions = self.by_guild.entry(guild).or_default();
        if sessions.is_empty() {
            self.interest.push((Topic::Guild(guild), true));
        }
        sessions.insert(session.to_owned());
        self.guilds_of
            .entry(session.to_owned())
            .or_default()
            .insert(guild);
    }

    fn leave(&mut self, session: &str, guild: Snowflake) {
        if let Some(set) = self.by_guild.get_mut(&guild) {
            set.remove(session);
            if set.is_empty() {
                self.by_guild.remove(&guild);
                self.views.remove(&guild);
                self.interest.push((Topic::Guild(guild), false));
            }
        }
        if let Some(set) = self.guilds_of.get_mut(session) {
            set.remove(&guild);
        }
    }

    fn remove(&mut self, id: &str) -> Option<Arc<Session>> {
        let s = self.sessions.remove(id)?;
        let guilds = self.guilds_of.get(id).cloned().unwrap_or_default();
        if let Some(p) = self.presences.get_mut(&s.user_id) {
            p.devices.remove(id);
            self.dirty.entry(s.user_id).or_default().extend(guilds);
        }
        if let Some(set) = self.by_user.get_mut(&s.user_id) {
            set.remove(id);
            if set.is_empty() {
                self.by_user.remove(&s.user_id);
                self.interest.push((Topic::User(s.user_id), false));
            }
        }
        for g in self.guilds_of.remove(id).unwrap_or_default() {
            if let Some(set) = self.by_guild.get_mut(&g) {
                set.remove(id);
                if set.is_empty() {
                    self.by_guild.remove(&g);
                    self.views.remove(&g);
                    self.interest.push((Topic::Guild(g), false));
                }
            }
        }
        Some(s)
    }

    fn install_view(&mut self, view: GuildView) {
        match self.views.get_mut(&view.guild_id()) {
            Some(mine) => mine.merge_members(view),
            None => {
                self.views.insert(view.guild_id(), view);
            }
        }
    }

    fn sessions_of_users(&self, users: &[Snowflake]) -> Vec<String> {
        users
            .iter()
            .flat_map(|u| self.by_user.get(u).into_iter().flatten().cloned())
            .collect()
    }

    /// Every index agrees with the others (for tests).
    fn check_invariants(&self) {
        for (id, s) in &self.sessions {
            assert!(
                self.by_user
                    .get(&s.user_id)
                    .is_some_and(|set| set.contains(id)),
                "{id} not indexed by user"
            );
            for g in self.guilds_of.get(id).into_iter().flatten() {
                assert!(
                    self.by_guild.get(g).is_some_and(|set| set.contains(id)),
                    "{id} not indexed by guild"
                );
            }
        }
        for g in self.views.keys() {
            assert!(
                self.by_guild.contains_key(g),
                "view of guild {g} without sessions"
            );
        }
        for (g, set) in &self.by_guild {
            assert!(!set.is_empty(), "empty guild entry {g}");
            assert!(
                self.views.contains_key(g),
                "guild {g} has sessions but no view"
            );
            for id in set {
                assert!(
                    self.sessions.contains_key(id),
                    "guild {g} lists unknown session {id}"
                );
                assert!(self.guilds_of.get(id).is_some_and(|gs| gs.contains(g)));
            }
        }
        for (u, set) in &self.by_user {
            assert!(!set.is_empty(), "empty user entry {u}");
            for id in set {
                assert!(self.sessions.get(id).is_some_and(|s| s.user_id == *u));
            }
        }
    }
}

/// The registry, locked; interest changes made under the lock reach the bus, in order, when
/// it is released.
struct RegistryGuard<'a> {
    guard: MutexGuard<'a, Registry>,
    bus: &'a dyn Bus,
}

impl std::ops::Deref for RegistryGuard<'_> {
    type Target = Registry;
    fn deref(&self) -> &Registry {
        &self.guard
    }
}

impl std::ops::DerefMut for RegistryGuard<'_> {
    fn deref_mut(&mut self) -> &mut Registry {
        &mut self.guard
    }
}

impl Drop for RegistryGuard<'_> {
    fn drop(&mut self) {
        for (topic, on) in self.guard.interest.drain(..) {
            self.bus.interest(topic, on);
        }
    }
}

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
                Ok(event) if event.name == BUS_GAP => {
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
                s.lock().verdict = Verdict::Invalid;
                s.wake();
            }
        }
    }

    /// Makes sure this node receives the events of `user` and of `guilds` before their state
    /// is read for a new session: nothing committed after the read can then be missed. The
    /// interest lasts until the returned hold is dropped (after [`Hub::register`]).
    pub async fn hold_interest(&self, user: Snowflake, guilds: &[Snowflake]) -> InterestHold {
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
        guilds: &[Snowflake],
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
    pub fn in_guild(&self, session: &str, guild: Snowflake) -> bool {
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

    /// Delivers one event to every session that may receive it: a channel's events only to
    /// members who may view the channel; a change of who may view what also sends
    /// CHANNEL_CREATE / CHANNEL_DELETE to the sessions that gained or lost channels.
    pub fn dispatch(&self, event: &Event) {
        let mut guard = self.registry();
        let reg: &mut Registry = &mut guard;
        // Not a dispatch: a revoked token ends the sessions that identified with it.
        if event.name == SESSION_REVOKED {
            if let (Audience::Users { user_ids }, Some(hash)) =
                (&event.audience, event.data["token_hash"].as_str())
            {
                for sid in reg.sessions_of_users(user_ids) {
                    let revoked = reg.sessions.get(&sid).is_some_and(|s| s.token_hash == hash);
                    if let Some(s) = revoked.then(|| reg.remove(&sid)).flatten() {
                        s.lock().verdict = Verdict::Revoked;
                        s.wake();
                    }
                }
            }
            return;
        }
        // A user who gains a guild starts receiving its events with this GUILD_CREATE.
        if let (Audience::Users { user_ids }, "GUILD_CREATE") =
            (&event.audience, event.name.as_str())
        {
            let invalid = self.guild_gained(reg, user_ids, &event.data);
            for sid in invalid {
                reg.remove(&sid);
            }
            return;
        }
        let change = reg.view_change(event);
        let recipients: Vec<String> = match &event.audience {
            Audience::Guild { guild_id } | Audience::Channel { guild_id, .. } => reg
                .by_guild
                .get(guild_id)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            Audience::Users { user_ids } => reg.sessions_of_users(user_ids),
        };
        let need = intents::required(&event.name);
        let content_gated = matches!(event.name.as_str(), "MESSAGE_CREATE" | "MESSAGE_UPDATE");
        let author = snowflake(&event.data["author"]["id"]);
        // Presence changes from any node keep this node's view of what was published current.
        if event.name == "PRESENCE_UPDATE" {
            if let Some(user) = author_or_subject(event) {
                let seen = unplaced(event.data.clone());
                if seen["status"] == "offline" {
                    reg.published.remove(&user);
                } else {
                    reg.published.insert(user, seen);
                }
            }
        }
        let mut full: Option<Arc<Frame>> = None;
        let mut stripped: Option<Arc<Frame>> = None;
        let mut invalid = Vec::new();
        for sid in &recipients {
            let Some(s) = reg.sessions.get(sid) else {
                continue;
            };
            if need.is_some_and(|bits| s.intents & bits == 0) {
                continue;
            }
            // A user's own presence is not echoed to them.
            if event.name == "PRESENCE_UPDATE" && author_or_subject(event) == Some(s.user_id) {
                continue;
            }
            if !may_receive(&mut reg.views, &change, event, s.user_id) {
                continue;
            }
            // Bots without MESSAGE_CONTENT get others' messages without their content.
            let strip = content_gated
                && s.bot
                && s.intents & intents::MESSAGE_CONTENT == 0
                && author != Some(s.user_id);
            let frame = if strip {
                stripped
                    .get_or_insert_with(|| Frame::new(&event.name, &without_content(&event.data)))
                    .clone()
            } else {
                full.get_or_insert_with(|| Frame::new(&event.name, &event.data))
                    .clone()
            };
            if s.push(frame, &self.config) == Verdict::Invalid {
                invalid.push(sid.clone());
            }
        }
        invalid.extend(self.send_view_changes(reg, &change));
        // After a user loses a guild (or the guild is deleted) its events stop reaching them.
        if event.name == "GUILD_DELETE" {
            if let Some(g) = snowflake(&event.data["id"]) {
                let leaving = match &event.audience {
                    Audience::Users { user_ids } => reg.sessions_of_users(user_ids),
                    _ => recipients.clone(),
                };
                for sid in leaving {
                    reg.leave(&sid, g);
                }
            }
        }
        for sid in invalid {
            reg.remove(&sid);
        }
    }

    /// GUILD_CREATE for users who gained a guild: their sessions join it, the guild's view is
    /// installed (or learns the new members), and each gets the channels they may view.
    /// Returns the sessions whose buffers overflowed.
    fn guild_gained(&self, reg: &mut Registry, users: &[Snowflake], data: &Value) -> Vec<String> {
        let Some(view) = GuildView::from_guild_create(data) else {
            return Vec::new();
        };
        let g = view.guild_id();
        for sid in reg.sessions_of_users(users) {
            reg.join(&sid, g);
        }
        reg.install_view(view);
        // The new member's presence goes to the guild they joined.
        for u in users {
            if reg.presences.contains_key(u) {
                reg.dirty.entry(*u).or_default().insert(g);
                reg.published.remove(u);
            }
        }
        let mut invalid = Vec::new();
        for u in users {
            let Some(view) = reg.views.get_mut(&g) else {
                break;
            };
            let cut = view.filter_guild_create(data, *u);
            let mut with: Option<Arc<Frame>> = None;
            let mut without: Option<Arc<Frame>> = None;
            for sid in reg.sessions_of_users(&[*u]) {
                let Some(s) = reg.sessions.get(&sid) else {
                    continue;
                };
                if s.intents & intents::GUILDS == 0 {
                    continue;
                }
                // The presences of its members online, for those who asked.
                let frame = if s.intents & intents::GUILD_PRESENCES == 0 {
                    without.get_or_insert_with(|| {
                        let mut d = cut.clone();
                        d["presences"] = Value::Array(Vec::new());
                        Frame::new("GUILD_CREATE", &d)
                    })
                } else {
                    with.get_or_insert_with(|| Frame::new("GUILD_CREATE", &cut))
                };
                if s.push(frame.clone(), &self.config) == Verdict::Invalid {
                    invalid.push(sid);
                }
            }
        }
        invalid
    }

    /// CHANNEL_CREATE for each channel a session gained, CHANNEL_DELETE for each it lost.
    /// Returns the sessions whose buffers overflowed.
    fn send_view_changes(&self, reg: &mut Registry, change: &Option<ViewChange>) -> Vec<String> {
        let Some(change) = change else {
            return Vec::new();
        };
        let Some(view) = reg.views.get(&change.guild_id) else {
            return Vec::new();
        };
        let mut frames: HashMap<(Snowflake, bool), Arc<Frame>> = HashMap::new();
        let mut invalid = Vec::new();
        for (user, before, after) in &change.users {
            let moves: Vec<(Snowflake, bool)> = after
                .difference(before)
                .map(|c| (*c, true))
                .chain(before.difference(after).map(|c| (*c, false)))
                .filter(|(c, _)| Some(*c) != change.created_or_deleted)
                .collect();
            if moves.is_empty() {
                continue;
            }
            for sid in reg.by_user.get(user).into_iter().flatten() {
                let Some(s) = reg.sessions.get(sid) else {
                    continue;
                };
                let in_guild = reg
                    .guilds_of
                    .get(sid)
                    .is_some_and(|g| g.contains(&change.guild_id));
                if !in_guild || s.intents & intents::GUILDS == 0 {
                    continue;
                }
                for (c, gained) in &moves {
                    let Some(data) = view.channel_data(*c) else {
                        continue;
                    };
                    let name = if *gained {
                        "CHANNEL_CREATE"
                    } else {
                        "CHANNEL_DELETE"
                    };
                    let frame = frames
                        .entry((*c, *gained))
                        .or_insert_with(|| Frame::new(name, data))
                        .clone();
                    if s.push(frame, &self.config) == Verdict::Invalid {
                        invalid.push(sid.clone());
                    }
                }
            }
        }
        invalid
    }

    /// Ends every session of this node (at shutdown: none can resume on a node that is gone)
    /// and publishes what their users' presence becomes.
    pub async fn close_all(&self) {
        let ids: Vec<String> = self.registry().sessions.keys().cloned().collect();
        for id in ids {
            if let Some(s) = self.remove(&id) {
                s.lock().verdict = Verdict::Invalid;
                s.wake();
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

/// The bus event (never sent to clients) that ends the sessions of a revoked token:
/// `Audience::Users` with the token's owner, data `{"token_hash": "..."}`.
pub const SESSION_REVOKED: &str = "hearth.session_revoked";

/// How long presence changes gather before they are published.
const PRESENCE_FLUSH_MS: u64 = 250;

/// A presence payload without its guild (what is compared to decide whether to publish).
fn unplaced(mut data: Value) -> Value {
    data["guild_id"] = Value::Null;
    data
}

fn author_or_subject(event: &Event) -> Option<Snowflake> {
    snowflake(&event.data["user"]["id"])
}

fn snowflake(v: &Value) -> Option<Snowflake> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// A message payload without what MESSAGE_CONTENT guards.
fn without_content(data: &Value) -> Value {
    let mut v = data.clone();
    if let Value::Object(m) = &mut v {
        m.insert("content".into(), Value::String(String::new()));
        for key in ["embeds", "attachments", "components"] {
            m.insert(key.into(), Value::Array(Vec::new()));
        }
        m.remove("poll");
    }
    v
}

/// Permission states of guilds read for a new session (see [`Hub::register`]).
#[derive(Debug, Default)]
pub struct GuildViews(Vec<GuildView>);

impl GuildViews {
    /// Learns a guild from its GUILD_CREATE payload (which lists every channel) and answers the
    /// payload cut to the channels `user` may view.
    pub fn add(&mut self, data: &Value, user: Snowflake) -> Value {
        match GuildView::from_guild_create(data) {
            Some(mut view) => {
                let cut = view.filter_guild_create(data, user);
                self.0.push(view);
                cut
            }
            None => data.clone(),
        }
    }
}

/// How an event changed who may view which channels of a guild: each user with sessions here
/// whose view it may have changed, with the channels they could view before and after.
#[derive(Debug)]
struct ViewChange {
    guild_id: Snowflake,
    users: Vec<(Snowflake, BTreeSet<Snowflake>, BTreeSet<Snowflake>)>,
    /// The channel created or deleted by the event (its own dispatch tells of it).
    created_or_deleted: Option<Snowflake>,
}

impl ViewChange {
    fn of(&self, user: Snowflake) -> Option<(&BTreeSet<Snowflake>, &BTreeSet<Snowflake>)> {
        self.users
            .iter()
            .find(|(u, _, _)| *u == user)
            .map(|(_, b, a)| (b, a))
    }
}

impl Registry {
    /// Applies an event to its guild's view, noting whose view of which channels it changed.
    fn view_change(&mut self, event: &Event) -> Option<ViewChange> {
        let g = event.guild_id()?;
        let scope = self.views.get(&g)?.scope(&event.name, &event.data);
        if scope == Scope::None {
            // Most events (messages, typing, presence) change no one's view.
            self.views.get_mut(&g)?.apply(&event.name, &event.data);
            return None;
        }
        let here: BTreeSet<Snowflake> = self
            .by_guild
            .get(&g)
            .into_iter()
            .flatten()
            .filter_map(|sid| self.sessions.get(sid).map(|s| s.user_id))
            .collect();
        let (users, only): (Vec<Snowflake>, Option<Snowflake>) = match scope {
            Scope::None => return None,
            Scope::Member(u) => (here.into_iter().filter(|x| *x == u).collect(), None),
            Scope::Role(r) => {
                let view = self.views.get(&g)?;
                (
                    here.into_iter().filter(|u| view.has_role(*u, r)).collect(),
                    None,
                )
            }
            Scope::Channel(c) => (here.into_iter().collect(), Some(c)),
            Scope::All => (here.into_iter().collect(), None),
        };
        let view = self.views.get_mut(&g)?;
        let before: Vec<BTreeSet<Snowflake>> =
            users.iter().map(|u| view.visible(*u, only)).collect();
        view.apply(&event.name, &event.data);
        let users = users
            .into_iter()
            .zip(before)
            .map(|(u, b)| {
                let a = view.visible(u, only);
                (u, b, a)
            })
            .collect();
        let created_or_deleted = matches!(event.name.as_str(), "CHANNEL_CREATE" | "CHANNEL_DELETE")
            .then(|| snowflake(&event.data["id"]))
            .flatten();
        Some(ViewChange {
            guild_id: g,
            users,
            created_or_deleted,
        })
    }
}

/// Whether `user` may receive `event` as far as the guild's permissions go: a channel's events
/// only if they may view it (a deleted channel: if they could; a changed one: if they could
/// and still can, the others are told by CHANNEL_CREATE / CHANNEL_DELETE), the audit log only
/// with VIEW_AUDIT_LOG, bans only with BAN_MEMBERS, invites only with MANAGE_CHANNELS in their
/// channel.
fn may_receive(
    views: &mut HashMap<Snowflake, GuildView>,
    change: &Option<ViewChange>,
    event: &Event,
    user: Snowflake,
) -> bool {
    match &event.audience {
        Audience::Channel {
            guild_id,
            channel_id,
        } => {
            let seen = change.as_ref().and_then(|c| c.of(user));
            match (event.name.as_str(), seen) {
                // Invites (their codes) go to those who may manage the channel, as on Discord.
                ("INVITE_CREATE" | "INVITE_DELETE", _) => views.get(guild_id).is_some_and(|v| {
                    v.channel_permissions(user, *channel_id)
                        .contains(hearth_core::Permissions::MANAGE_CHANNELS)
                }),
                ("CHANNEL_DELETE", Some((before, _))) => before.contains(channel_id),
                ("CHANNEL_UPDATE", Some((before, after))) => {
                    before.contains(channel_id) && after.contains(channel_id)
                }
                _ => views
                    .get_mut(guild_id)
                    .is_some_and(|v| v.can_view(user, *channel_id)),
            }
        }
        Audience::Guild { guild_id } => match guarded_by(&event.name) {
            Some(needed) => views
                .get(guild_id)
                .is_some_and(|v| v.guild_permissions(user).contains(needed)),
            None => true,
        },
        _ => true,
    }
}

/// The guild permission a guild event needs of its receivers, if any.
fn guarded_by(name: &str) -> Option<hearth_core::Permissions> {
    match name {
        AUDIT_LOG_ENTRY_CREATE => Some(hearth_core::Permissions::VIEW_AUDIT_LOG),
        "GUILD_BAN_ADD" | "GUILD_BAN_REMOVE" => Some(hearth_core::Permissions::BAN_MEMBERS),
        _ => None,
    }
}

/// The dispatch of a new audit log entry, for members with VIEW_AUDIT_LOG only.
pub const AUDIT_LOG_ENTRY_CREATE: &str = "GUILD_AUDIT_LOG_ENTRY_CREATE";

//! The registry: this node's sessions indexed by id, user and guild, their presence
//! contributions and the guilds' permission views. Plain data, no I/O: interest changes in bus
//! topics are queued and applied by [`RegistryGuard`] when the lock is released.
//! [`Registry::check_invariants`] states what the indexes promise each other.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, MutexGuard};

use hearth_bus::{Bus, Topic};
use hearth_core::{GuildId, UserId};
use hearth_protocol::events::PresenceUpdate;

use super::Session;
use crate::presence::UserPresence;
use hearth_state::{lock, SharedGuild};

#[derive(Debug, Default)]
pub(super) struct Registry {
    pub(super) sessions: HashMap<String, Arc<Session>>,
    pub(super) by_user: HashMap<UserId, HashSet<String>>,
    pub(super) by_guild: HashMap<GuildId, HashSet<String>>,
    pub(super) guilds_of: HashMap<String, HashSet<GuildId>>,
    pub(super) presences: HashMap<UserId, UserPresence>,
    /// Users whose presence changed since the last flush, with the guilds they were in.
    pub(super) dirty: HashMap<UserId, HashSet<GuildId>>,
    /// The last presence published for each user, by any node (to skip changes others cannot
    /// see), without its `guild_id`.
    pub(super) published: HashMap<UserId, PresenceUpdate>,
    /// Changes of this node's interest in bus topics, applied when the lock is released.
    pub(super) interest: Vec<(Topic, bool)>,
    /// The state of each guild that has sessions here (held: it is not evicted meanwhile).
    pub(super) views: HashMap<GuildId, SharedGuild>,
}

impl Registry {
    pub(super) fn join(&mut self, session: &str, guild: GuildId) {
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

    pub(super) fn leave(&mut self, session: &str, guild: GuildId) {
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

    pub(super) fn remove(&mut self, id: &str) -> Option<Arc<Session>> {
        let s = self.sessions.remove(id)?;
        let guilds = self.guilds_of.get(id).cloned().unwrap_or_default();
        if let Some(p) = self.presences.get_mut(&s.user_id) {
            p.devices.remove(id);
            p.resting.remove(id);
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

    /// Forgets every session of `ids` (whose buffers overflowed).
    pub(super) fn remove_all(&mut self, ids: Vec<String>) {
        for id in ids {
            self.remove(&id);
        }
    }

    /// Holds a guild's state for the sessions that will join it.
    pub(super) fn install_view(&mut self, view: SharedGuild) {
        let g = lock(&view).guild_id();
        self.views.entry(g).or_insert(view);
    }

    pub(super) fn sessions_of_users(&self, users: &[UserId]) -> Vec<String> {
        users
            .iter()
            .flat_map(|u| self.by_user.get(u).into_iter().flatten().cloned())
            .collect()
    }

    /// Every index agrees with the others (for tests).
    pub(super) fn check_invariants(&self) {
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
pub(super) struct RegistryGuard<'a> {
    pub(super) guard: MutexGuard<'a, Registry>,
    pub(super) bus: &'a dyn Bus,
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

//! One guild's state as this node knows it: the owner, roles and their bits, channels with their
//! overwrites, and the members it has met (their roles, timeout and member object). Built from
//! the store (or from a GUILD_CREATE payload) and kept current by the same events that go to
//! clients, so that REST's permission checks and the gateway's choice of who receives what read
//! the same data through the same adapter into `hearth_core::permissions`.

use std::collections::{BTreeSet, HashMap};

use hearth_core::permissions::{
    self, channel_permissions, thread_permissions, Member, Overwrite, OverwriteKind,
};
use hearth_core::{
    ChannelId, ChannelKind, GuildId, MemberKind, Permissions, RoleId, Timestamp, UserId,
};
use hearth_protocol::events::{Event, GuildCreate};
use hearth_protocol::objects as wire;
use hearth_store as db;

use crate::wire as convert;

/// One channel: its overwrites and its wire object (sent as CHANNEL_CREATE to those who gain it).
#[derive(Debug, Clone)]
struct ChannelState {
    overwrites: Vec<Overwrite>,
    data: wire::Channel,
    /// A thread's parent: its overwrites are the thread's.
    thread_of: Option<ChannelId>,
}

/// One member: their roles (not @everyone), timeout and member object.
#[derive(Debug, Clone)]
struct MemberState {
    roles: Vec<RoleId>,
    timed_out_until: Option<i64>,
    /// A guest: nothing of @everyone counts for them.
    guest: bool,
    /// The member object, without its user.
    data: wire::Member,
}

impl MemberState {
    fn of(m: &wire::Member) -> MemberState {
        MemberState {
            roles: m.roles.clone(),
            timed_out_until: m.communication_disabled_until.map(|t| t.0),
            guest: m.hearth_kind == MemberKind::Guest,
            data: wire::Member {
                user: None,
                ..m.clone()
            },
        }
    }
}

/// What a change does to who may see what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Nothing.
    None,
    /// The view of one channel, for every member.
    Channel(ChannelId),
    /// One member's view of every channel.
    Member(UserId),
    /// The view of every channel, for the members holding this role.
    Role(RoleId),
    /// Every member's view of every channel.
    All,
}

/// A member's permission inputs, copied out of the state (for checks made after its lock is
/// released).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInputs {
    /// Whether they own the guild.
    pub is_owner: bool,
    /// @everyone's bits.
    pub everyone: Permissions,
    /// Each of their roles with its bits.
    pub roles: Vec<(RoleId, Permissions)>,
    /// Their timeout, if any.
    pub timed_out_until: Option<i64>,
    /// Whether they are a guest.
    pub guest: bool,
}

/// A guild's state.
#[derive(Debug, Clone)]
pub struct GuildState {
    guild_id: GuildId,
    owner_id: UserId,
    /// Every role with its bits; @everyone under the guild's id.
    roles: HashMap<RoleId, Permissions>,
    channels: HashMap<ChannelId, ChannelState>,
    /// The members met so far (not every member of a large guild).
    members: HashMap<UserId, MemberState>,
    /// Counts the changes to members (added, changed, removed, a role deleted): a member read
    /// from the store is kept only if no such change happened while it was read.
    member_changes: u64,
    /// Who may view which channel, as computed since the last change.
    seen: HashMap<(UserId, ChannelId), bool>,
    /// Whether every member is known (read once for the channel counters, then kept by the
    /// member events).
    roster: bool,
}

fn overwrite(o: &wire::Overwrite) -> Overwrite {
    Overwrite {
        id: o.id,
        kind: OverwriteKind::try_from(i64::from(o.kind)).unwrap_or(OverwriteKind::Role),
        allow: o.allow,
        deny: o.deny,
    }
}

impl GuildState {
    fn empty(guild_id: GuildId, owner_id: UserId) -> GuildState {
        GuildState {
            guild_id,
            owner_id,
            roles: HashMap::new(),
            channels: HashMap::new(),
            members: HashMap::new(),
            member_changes: 0,
            seen: HashMap::new(),
            roster: false,
        }
    }

    /// The state of a guild as the store holds it (members are met later, one by one).
    pub fn from_store(
        guild: &db::Guild,
        roles: &[db::Role],
        channels: &[db::Channel],
        overwrites: &[db::Overwrite],
    ) -> GuildState {
        let mut state = GuildState::empty(guild.id, guild.owner_id);
        state.roles = roles
            .iter()
            .map(|r| (r.id, Permissions(r.permissions as u64)))
            .collect();
        for c in channels {
            state.put_channel(&convert::channel(c, overwrites));
        }
        state
    }

    /// The state described by a GUILD_CREATE payload (every channel, roles, the members listed).
    pub fn from_guild_create(g: &GuildCreate) -> GuildState {
        let mut state = GuildState::empty(g.guild.id, g.guild.owner_id);
        state.roles = g
            .guild
            .roles
            .iter()
            .map(|r| (r.id, r.permissions))
            .collect();
        for c in g.channels.iter().chain(&g.threads) {
            state.put_channel(c);
        }
        for m in &g.members {
            if let Some(user) = &m.user {
                state.members.insert(user.id, MemberState::of(m));
            }
        }
        state
    }

    /// The guild.
    pub fn guild_id(&self) -> GuildId {
        self.guild_id
    }

    /// The guild's owner.
    pub fn owner_id(&self) -> UserId {
        self.owner_id
    }

    /// Takes members this state does not know yet from a fresher read of the same guild (the
    /// rest of this state is kept: it follows the events since it was built).
    pub fn merge_members(&mut self, other: GuildState) {
        for (user, m) in other.members {
            self.members.entry(user).or_insert(m);
        }
    }

    /// The count of member changes (see [`GuildState::meet`]).
    pub fn member_changes(&self) -> u64 {
        self.member_changes
    }

    /// Learns a member read from the store, unless a member change was applied since
    /// `changes` was taken (the read may be older than that change) or the member is known.
    /// Returns whether the member is known now.
    pub fn meet(&mut self, member: &db::Member, changes: u64) -> bool {
        let user = member.user_id;
        if self.members.contains_key(&user) {
            return true;
        }
        if changes != self.member_changes {
            return false;
        }
        self.members
            .insert(user, MemberState::of(&convert::member(member, None)));
        self.seen.clear();
        true
    }

    /// Whether every member of the guild is known.
    pub fn has_roster(&self) -> bool {
        self.roster
    }

    /// Learns every member of the guild, read from the store, unless a member change was
    /// applied since `changes` was taken. Returns whether the roster is complete now.
    pub fn learn_roster(&mut self, members: &[db::Member], changes: u64) -> bool {
        if self.roster {
            return true;
        }
        if changes != self.member_changes {
            return false;
        }
        for m in members {
            self.members
                .entry(m.user_id)
                .or_insert_with(|| MemberState::of(&convert::member(m, None)));
        }
        self.seen.clear();
        self.roster = true;
        true
    }

    /// How many members may view `channel`, and how many of them are guests (of the members
    /// known: all of them once [`GuildState::learn_roster`] completed).
    pub fn channel_counts(&mut self, channel: ChannelId) -> (i64, i64) {
        let users: Vec<(UserId, bool)> = self.members.iter().map(|(u, m)| (*u, m.guest)).collect();
        let (mut members, mut guests) = (0, 0);
        for (user, guest) in users {
            if self.can_view(user, channel) {
                members += 1;
                guests += i64::from(guest);
            }
        }
        (members, guests)
    }

    fn put_channel(&mut self, c: &wire::Channel) {
        let mut data = c.clone();
        data.guild_id.get_or_insert(self.guild_id);
        self.channels.insert(
            c.id,
            ChannelState {
                overwrites: c.permission_overwrites.iter().map(overwrite).collect(),
                thread_of: c.parent_id.filter(|_| ChannelKind::is_thread(c.kind)),
                data,
            },
        );
    }

    /// Learns threads read from the store (the active ones, when the state is loaded).
    pub fn put_threads(&mut self, threads: &[wire::Channel]) {
        for t in threads {
            self.put_channel(t);
        }
        self.seen.clear();
    }

    /// The overwrites that decide a channel's permissions (a thread's parent's), and whether
    /// it is a thread; `None` for a channel (or a thread's parent) this state does not know.
    fn overwrites_of(&self, channel: ChannelId) -> Option<(&[Overwrite], bool)> {
        let c = self.channels.get(&channel)?;
        match c.thread_of {
            Some(parent) => Some((&self.channels.get(&parent)?.overwrites, true)),
            None => Some((&c.overwrites, false)),
        }
    }

    /// The parent of a thread this state knows.
    pub fn thread_parent(&self, channel: ChannelId) -> Option<ChannelId> {
        self.channels.get(&channel)?.thread_of
    }

    /// Which views an event may alter (before it is applied).
    pub fn scope(&self, event: &Event) -> Scope {
        match event {
            // A role's name, colour or position changes no one's view; only its bits do, and
            // only for its members (everyone's, for @everyone).
            Event::GuildRoleUpdate(r) => match r.role.id {
                id if self.roles.get(&id) == Some(&r.role.permissions) => Scope::None,
                id if id.is_everyone_of(self.guild_id) => Scope::All,
                id => Scope::Role(id),
            },
            Event::GuildRoleDelete(r) => Scope::Role(r.role_id),
            Event::GuildUpdate(g) if g.owner_id != self.owner_id => Scope::All,
            Event::GuildMemberUpdate(m) | Event::GuildMemberAdd(m) => m
                .member
                .user
                .as_ref()
                .map_or(Scope::None, |u| Scope::Member(u.id)),
            Event::ChannelCreate(c) | Event::ChannelUpdate(c) | Event::ChannelDelete(c) => {
                Scope::Channel(c.id)
            }
            // Threads are in no one's channel view (their own events tell of them).
            _ => Scope::None,
        }
    }

    /// Whether an event changes a guild's state (those that do not are ignored by
    /// [`GuildState::apply`]).
    pub fn changes_state(event: &Event) -> bool {
        matches!(
            event,
            Event::GuildRoleCreate(_)
                | Event::GuildRoleUpdate(_)
                | Event::GuildRoleDelete(_)
                | Event::GuildUpdate(_)
                | Event::GuildMemberAdd(_)
                | Event::GuildMemberUpdate(_)
                | Event::GuildMemberRemove(_)
                | Event::ChannelCreate(_)
                | Event::ChannelUpdate(_)
                | Event::ChannelDelete(_)
                | Event::ThreadCreate(_)
                | Event::ThreadUpdate(_)
                | Event::ThreadDelete(_)
        )
    }

    /// Applies an event (those that change no state are ignored). Applying an event the state
    /// already reflects changes nothing: each one sets what it changed.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::GuildRoleCreate(r) | Event::GuildRoleUpdate(r) => {
                self.roles.insert(r.role.id, r.role.permissions);
            }
            Event::GuildRoleDelete(r) => {
                let id = r.role_id;
                self.roles.remove(&id);
                for m in self.members.values_mut() {
                    m.roles.retain(|r| *r != id);
                    m.data.roles.retain(|r| *r != id);
                }
                for c in self.channels.values_mut() {
                    c.overwrites
                        .retain(|o| !(o.kind == OverwriteKind::Role && o.id == id.snowflake()));
                    c.data.permission_overwrites.retain(|o| {
                        !(o.kind == OverwriteKind::Role.code() && o.id == id.snowflake())
                    });
                }
                self.member_changes += 1;
            }
            Event::GuildUpdate(g) => self.owner_id = g.owner_id,
            Event::GuildMemberAdd(m) | Event::GuildMemberUpdate(m) => {
                if let Some(user) = &m.member.user {
                    self.members.insert(user.id, MemberState::of(&m.member));
                }
                self.member_changes += 1;
            }
            Event::GuildMemberRemove(u) => {
                self.members.remove(&u.user.id);
                self.member_changes += 1;
            }
            Event::ChannelCreate(c) | Event::ChannelUpdate(c) => self.put_channel(c),
            Event::ChannelDelete(c) => {
                self.channels.remove(&c.id);
                self.channels.retain(|_, t| t.thread_of != Some(c.id));
            }
            Event::ThreadCreate(t) => self.put_channel(&t.thread),
            Event::ThreadUpdate(t) => self.put_channel(t),
            Event::ThreadDelete(t) => {
                self.channels.remove(&t.id);
            }
            _ => return,
        }
        self.seen.clear();
    }

    /// Whether `user` holds `role`.
    pub fn has_role(&self, user: UserId, role: RoleId) -> bool {
        self.members
            .get(&user)
            .is_some_and(|m| m.roles.contains(&role))
    }

    /// Whether this state knows `user` as a member.
    pub fn knows(&self, user: UserId) -> bool {
        self.members.contains_key(&user)
    }

    /// A member's object (without its user), if this state knows them.
    pub fn member(&self, user: UserId) -> Option<&wire::Member> {
        self.members.get(&user).map(|m| &m.data)
    }

    /// A member's permission inputs (`None` for someone this state does not know).
    pub fn inputs(&self, user: UserId) -> Option<MemberInputs> {
        let m = self.members.get(&user)?;
        Some(MemberInputs {
            is_owner: user == self.owner_id,
            everyone: self.everyone(),
            roles: self.member_roles(user)?,
            timed_out_until: m.timed_out_until,
            guest: m.guest,
        })
    }

    fn member_roles(&self, user: UserId) -> Option<Vec<(RoleId, Permissions)>> {
        let m = self.members.get(&user)?;
        Some(
            m.roles
                .iter()
                .filter_map(|r| self.roles.get(r).map(|p| (*r, *p)))
                .collect(),
        )
    }

    fn everyone(&self) -> Permissions {
        self.roles
            .get(&self.guild_id.everyone())
            .copied()
            .unwrap_or(Permissions::NONE)
    }

    /// A member as the permission function takes them (`None` for someone this state does
    /// not know); `timeouts` says whether a running timeout counts.
    fn with_member<R>(
        &self,
        user: UserId,
        timeouts: bool,
        f: impl FnOnce(&Member<'_>) -> R,
    ) -> Option<R> {
        let m = self.members.get(&user)?;
        let roles = self.member_roles(user)?;
        let timed_out = timeouts && m.timed_out_until.is_some_and(|t| t > Timestamp::now().0);
        Some(f(&Member {
            guild_id: self.guild_id,
            user_id: user,
            is_owner: user == self.owner_id,
            everyone: self.everyone(),
            roles: &roles,
            timed_out,
            guest: m.guest,
        }))
    }

    /// A member's guild-level permissions now (nothing for someone this state does not know).
    pub fn guild_permissions(&self, user: UserId) -> Permissions {
        self.with_member(user, true, permissions::base_permissions)
            .unwrap_or(Permissions::NONE)
    }

    /// A member's permissions in a channel now, overwrites and timeout included (nothing for a
    /// member or channel this state does not know).
    /// In a thread: those of its parent, as [`thread_permissions`] makes them.
    pub fn channel_permissions(&self, user: UserId, channel: ChannelId) -> Permissions {
        let Some((overwrites, thread)) = self.overwrites_of(channel) else {
            return Permissions::NONE;
        };
        let p = self
            .with_member(user, true, |m| channel_permissions(m, overwrites))
            .unwrap_or(Permissions::NONE);
        if thread {
            thread_permissions(p)
        } else {
            p
        }
    }

    /// Whether `user` may view `channel` (never a channel or a member this state does not
    /// know). A timeout never takes VIEW_CHANNEL away, so the answer does not change with time.
    pub fn can_view(&mut self, user: UserId, channel: ChannelId) -> bool {
        if let Some(v) = self.seen.get(&(user, channel)) {
            return *v;
        }
        let v = self.compute_view(user, channel);
        self.seen.insert((user, channel), v);
        v
    }

    fn compute_view(&self, user: UserId, channel: ChannelId) -> bool {
        let Some((overwrites, _)) = self.overwrites_of(channel) else {
            return false;
        };
        self.with_member(user, false, |m| {
            channel_permissions(m, overwrites).contains(Permissions::VIEW_CHANNEL)
        })
        .unwrap_or(false)
    }

    /// The channels `user` may view (of `only`, when given; threads only when named).
    pub fn visible(&mut self, user: UserId, only: Option<ChannelId>) -> BTreeSet<ChannelId> {
        let ids: Vec<ChannelId> = match only {
            Some(c) => vec![c],
            None => self
                .channels
                .iter()
                .filter(|(_, c)| c.thread_of.is_none())
                .map(|(id, _)| *id)
                .collect(),
        };
        ids.into_iter()
            .filter(|c| self.can_view(user, *c))
            .collect()
    }

    /// A channel's wire object (with `guild_id`).
    pub fn channel_data(&self, channel: ChannelId) -> Option<&wire::Channel> {
        self.channels.get(&channel).map(|c| &c.data)
    }

    /// Every channel's id.
    pub fn channel_ids(&self) -> impl Iterator<Item = ChannelId> + '_ {
        self.channels.keys().copied()
    }

    /// A GUILD_CREATE payload with only the channels `user` may view.
    pub fn filter_guild_create(&mut self, g: &GuildCreate, user: UserId) -> GuildCreate {
        let mut out = g.clone();
        out.channels.retain(|c| self.can_view(user, c.id));
        out.threads.retain(|c| self.can_view(user, c.id));
        out
    }
}

#[cfg(test)]
mod tests;

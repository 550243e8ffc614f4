//! Dispatch: one bus event to the sessions of this node that may receive it. The steps, in
//! [`Hub::dispatch`], each deciding by the event's variant and its audience: events for the hub
//! itself (a revoked token, a guild gained) are handled apart; otherwise the event is applied
//! to its guild's permission view (noting whose view of which channels changed), its audience
//! is resolved to sessions, presence bookkeeping is updated, the frame is delivered to each
//! session that passes the intent, echo and permission filters, the view changes are told
//! (CHANNEL_CREATE / CHANNEL_DELETE), and sessions leave a guild they lost.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use hearth_core::{ChannelId, GuildId, Snowflake, UserId};
use hearth_protocol::events::{Audience, Event, GuildCreate, PresenceUpdate};

use hearth_state::{lock, GuildState, Scope, SharedGuild};

use super::registry::Registry;
use super::session::{Frame, Verdict};
use super::Hub;
use crate::payload::intents;

impl Hub {
    /// Delivers one event to every session that may receive it: a channel's events only to
    /// members who may view the channel; a change of who may view what also sends
    /// CHANNEL_CREATE / CHANNEL_DELETE to the sessions that gained or lost channels.
    pub fn dispatch(&self, event: &Event) {
        self.states.observe(event);
        // The guild's state, if this node keeps it (applied below, under the registry's lock,
        // so that the sessions' views change in bus order).
        let state = self.states.route(event);
        let mut guard = self.registry();
        let reg: &mut Registry = &mut guard;
        match event {
            Event::SessionRevoked {
                user_id,
                token_hash,
            } => return revoke_sessions(reg, *user_id, token_hash),
            // A user who gains a guild starts receiving its events with this GUILD_CREATE.
            Event::GuildCreate { user_id, guild } => {
                let invalid = self.guild_gained(reg, event, *user_id, guild);
                return reg.remove_all(invalid);
            }
            // The hub acts on a gap when it reads it from the bus (see `Hub::fan_out`).
            Event::BusGap => return,
            _ => {}
        }
        let audience = event.audience();
        let change = reg.view_change(event, state.as_ref());
        if state.is_some() {
            self.states.applied(event);
        }
        let recipients = recipients(reg, &audience);
        note_published_presence(reg, event);
        let mut invalid = self.deliver(reg, event, &audience, &change, &recipients);
        invalid.extend(self.send_view_changes(reg, &change));
        leave_deleted_guild(reg, event, &recipients);
        reg.remove_all(invalid);
    }

    /// Pushes the event's frame to each of `recipients` that may receive it (the intent asked
    /// for, not one's own presence, the guild's permissions); bots without MESSAGE_CONTENT get
    /// others' messages without their content. The frame is serialized once (once more without
    /// the content, if some session needs that). Returns the sessions whose buffers overflowed.
    fn deliver(
        &self,
        reg: &mut Registry,
        event: &Event,
        audience: &Audience,
        change: &Option<ViewChange>,
        recipients: &[String],
    ) -> Vec<String> {
        let need = intents::required(event);
        let message = match event {
            Event::MessageCreate(m) | Event::MessageUpdate(m) => Some(m),
            _ => None,
        };
        let presence_of = match event {
            Event::PresenceUpdate(p) => Some(p.user.id),
            _ => None,
        };
        let mut full: Option<Arc<Frame>> = None;
        let mut stripped: Option<Arc<Frame>> = None;
        let mut invalid = Vec::new();
        for sid in recipients {
            let Some(s) = reg.sessions.get(sid) else {
                continue;
            };
            if need.is_some_and(|bits| s.intents & bits == 0) {
                continue;
            }
            // A user's own presence is not echoed to them.
            if presence_of == Some(s.user_id) {
                continue;
            }
            if !may_receive(&reg.views, change, event, audience, s.user_id) {
                continue;
            }
            let strip = message.filter(|m| {
                s.bot
                    && s.intents & intents::MESSAGE_CONTENT == 0
                    && m.message.author.id != s.user_id
            });
            let frame = match strip {
                Some(m) => stripped
                    .get_or_insert_with(|| Frame::new(event.name(), &m.without_content()))
                    .clone(),
                None => match &full {
                    Some(f) => f.clone(),
                    None => match Frame::dispatch(event) {
                        Some(f) => full.insert(f).clone(),
                        None => return invalid,
                    },
                },
            };
            if s.push(frame, &self.config) == Verdict::Invalid {
                invalid.push(sid.clone());
            }
        }
        invalid
    }

    /// GUILD_CREATE for a user who gained a guild: their sessions join it, the guild's view is
    /// installed (or learns the new member), and each session gets the channels the user may
    /// view. Returns the sessions whose buffers overflowed.
    fn guild_gained(
        &self,
        reg: &mut Registry,
        event: &Event,
        user: UserId,
        guild: &GuildCreate,
    ) -> Vec<String> {
        let view = self.states.install(GuildState::from_guild_create(guild));
        let g = guild.guild.id;
        reg.install_view(view);
        let sessions = reg.sessions_of_users(&[user]);
        for sid in &sessions {
            reg.join(sid, g);
        }
        // The new member's presence goes to the guild they joined.
        if reg.presences.contains_key(&user) {
            reg.dirty.entry(user).or_default().insert(g);
            reg.published.remove(&user);
        }
        let mut invalid = Vec::new();
        let Some(view) = reg.views.get(&g) else {
            return invalid;
        };
        let cut = lock(view).filter_guild_create(guild, user);
        let mut with: Option<Arc<Frame>> = None;
        let mut without: Option<Arc<Frame>> = None;
        for sid in sessions {
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
                    d.presences = Vec::new();
                    Frame::new(event.name(), &d)
                })
            } else {
                with.get_or_insert_with(|| Frame::new(event.name(), &cut))
            };
            if s.push(frame.clone(), &self.config) == Verdict::Invalid {
                invalid.push(sid);
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
        let Some(view) = reg.views.get(&change.guild_id).cloned() else {
            return Vec::new();
        };
        let mut frames: HashMap<(ChannelId, bool), Option<Arc<Frame>>> = HashMap::new();
        let mut invalid = Vec::new();
        for (user, before, after) in &change.users {
            let moves: Vec<(ChannelId, bool)> = after
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
                    let frame = frames.entry((*c, *gained)).or_insert_with(|| {
                        let channel = Box::new(lock(&view).channel_data(*c)?.clone());
                        let told = if *gained {
                            Event::ChannelCreate(channel)
                        } else {
                            Event::ChannelDelete(channel)
                        };
                        Frame::dispatch(&told)
                    });
                    let Some(frame) = frame.clone() else {
                        continue;
                    };
                    if s.push(frame, &self.config) == Verdict::Invalid {
                        invalid.push(sid.clone());
                    }
                }
            }
        }
        invalid
    }
}

/// Ends the sessions that identified with a revoked token (its owner's sessions carrying the
/// token's hash).
fn revoke_sessions(reg: &mut Registry, user: UserId, token_hash: &str) {
    for sid in reg.sessions_of_users(&[user]) {
        let revoked = reg
            .sessions
            .get(&sid)
            .is_some_and(|s| s.token_hash == token_hash);
        if let Some(s) = revoked.then(|| reg.remove(&sid)).flatten() {
            s.end(Verdict::Revoked);
        }
    }
}

/// The sessions an audience names on this node (before any filter).
fn recipients(reg: &Registry, audience: &Audience) -> Vec<String> {
    match audience.guild_id() {
        Some(guild_id) => reg
            .by_guild
            .get(&guild_id)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default(),
        None => match audience {
            Audience::User { user_id } => reg.sessions_of_users(&[*user_id]),
            _ => Vec::new(),
        },
    }
}

/// Presence changes from any node keep this node's record of what was published current.
fn note_published_presence(reg: &mut Registry, event: &Event) {
    let Event::PresenceUpdate(p) = event else {
        return;
    };
    if p.status == "offline" {
        reg.published.remove(&p.user.id);
    } else {
        reg.published.insert(p.user.id, unplaced(p));
    }
}

/// After a user loses a guild (or the guild is deleted) its events stop reaching them.
fn leave_deleted_guild(reg: &mut Registry, event: &Event, recipients: &[String]) {
    let (g, leaving) = match event {
        Event::GuildDelete(g) => (g.id, recipients.to_vec()),
        Event::GuildLost { user_id, guild } => (guild.id, reg.sessions_of_users(&[*user_id])),
        _ => return,
    };
    for sid in leaving {
        reg.leave(&sid, g);
    }
}

/// A presence without its guild (what is compared to decide whether to publish).
pub(super) fn unplaced(p: &PresenceUpdate) -> PresenceUpdate {
    PresenceUpdate {
        guild_id: GuildId(Snowflake(0)),
        ..p.clone()
    }
}

/// The states of the guilds of a new session (see [`Hub::register`]).
#[derive(Debug, Default)]
pub struct GuildViews(pub(super) Vec<SharedGuild>);

impl GuildViews {
    /// Holds a guild's state for the session and answers its GUILD_CREATE payload cut to the
    /// channels `user` may view.
    pub fn add(&mut self, view: SharedGuild, guild: &GuildCreate, user: UserId) -> GuildCreate {
        let cut = lock(&view).filter_guild_create(guild, user);
        self.0.push(view);
        cut
    }
}

/// How an event changed who may view which channels of a guild: each user with sessions here
/// whose view it may have changed, with the channels they could view before and after.
#[derive(Debug)]
struct ViewChange {
    guild_id: GuildId,
    users: Vec<(UserId, BTreeSet<ChannelId>, BTreeSet<ChannelId>)>,
    /// The channel created or deleted by the event (its own dispatch tells of it).
    created_or_deleted: Option<ChannelId>,
}

impl ViewChange {
    fn of(&self, user: UserId) -> Option<(&BTreeSet<ChannelId>, &BTreeSet<ChannelId>)> {
        self.users
            .iter()
            .find(|(u, _, _)| *u == user)
            .map(|(_, b, a)| (b, a))
    }
}

impl Registry {
    /// Applies an event to its guild's state (when this node keeps it), noting whose view of
    /// which channels it changed.
    fn view_change(&mut self, event: &Event, state: Option<&SharedGuild>) -> Option<ViewChange> {
        let state = state?;
        let mut view = lock(state);
        let g = view.guild_id();
        let scope = view.scope(event);
        if scope == Scope::None {
            // Most events (messages, typing, presence) change no one's view.
            view.apply(event);
            return None;
        }
        let here: BTreeSet<UserId> = self
            .by_guild
            .get(&g)
            .into_iter()
            .flatten()
            .filter_map(|sid| self.sessions.get(sid).map(|s| s.user_id))
            .collect();
        let (users, only): (Vec<UserId>, Option<ChannelId>) = match scope {
            Scope::None => return None,
            Scope::Member(u) => (here.into_iter().filter(|x| *x == u).collect(), None),
            Scope::Role(r) => (
                here.into_iter().filter(|u| view.has_role(*u, r)).collect(),
                None,
            ),
            Scope::Channel(c) => (here.into_iter().collect(), Some(c)),
            Scope::All => (here.into_iter().collect(), None),
        };
        let before: Vec<BTreeSet<ChannelId>> =
            users.iter().map(|u| view.visible(*u, only)).collect();
        view.apply(event);
        let users = users
            .into_iter()
            .zip(before)
            .map(|(u, b)| {
                let a = view.visible(u, only);
                (u, b, a)
            })
            .collect();
        let created_or_deleted = match event {
            Event::ChannelCreate(c) | Event::ChannelDelete(c) => Some(c.id),
            _ => None,
        };
        Some(ViewChange {
            guild_id: g,
            users,
            created_or_deleted,
        })
    }
}

/// Whether `user` may receive `event` as far as the guild's permissions go: a channel's events
/// only if they may view it (a deleted channel: if they could; a changed one: if they could
/// and still can, the others are told by CHANNEL_CREATE / CHANNEL_DELETE), the events for
/// holders of a permission (bans, the audit log, invites) only if they hold it.
fn may_receive(
    views: &HashMap<GuildId, SharedGuild>,
    change: &Option<ViewChange>,
    event: &Event,
    audience: &Audience,
    user: UserId,
) -> bool {
    match *audience {
        Audience::Channel {
            guild_id,
            channel_id,
        } => {
            let seen = change.as_ref().and_then(|c| c.of(user));
            match (event, seen) {
                (Event::ChannelDelete(_), Some((before, _))) => before.contains(&channel_id),
                (Event::ChannelUpdate(_), Some((before, after))) => {
                    before.contains(&channel_id) && after.contains(&channel_id)
                }
                _ => views
                    .get(&guild_id)
                    .is_some_and(|v| lock(v).can_view(user, channel_id)),
            }
        }
        Audience::ChannelPermission {
            guild_id,
            channel_id,
            permission,
        } => views.get(&guild_id).is_some_and(|v| {
            lock(v)
                .channel_permissions(user, channel_id)
                .contains(permission)
        }),
        Audience::GuildPermission {
            guild_id,
            permission,
        } => views
            .get(&guild_id)
            .is_some_and(|v| lock(v).guild_permissions(user).contains(permission)),
        Audience::Guild { .. } | Audience::User { .. } | Audience::Nobody => true,
    }
}

//! Dispatch: one bus event to the sessions of this node that may receive it. The steps, in
//! [`Hub::dispatch`]: events for the hub itself (a revoked token, a guild gained) are handled
//! apart; otherwise the event is applied to its guild's permission view (noting whose view of
//! which channels changed), its audience is resolved to sessions, presence bookkeeping is
//! updated, the frame is delivered to each session that passes the intent, echo and permission
//! filters, the view changes are told (CHANNEL_CREATE / CHANNEL_DELETE), and sessions leave a
//! guild they lost.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use hearth_core::events::{Audience, Event};
use hearth_core::Snowflake;
use serde_json::Value;

use super::registry::Registry;
use super::session::{Frame, Verdict};
use super::views::{GuildView, Scope};
use super::Hub;
use crate::payload::intents;

/// The bus event (never sent to clients) that ends the sessions of a revoked token:
/// `Audience::Users` with the token's owner, data `{"token_hash": "..."}`.
pub const SESSION_REVOKED: &str = "hearth.session_revoked";

impl Hub {
    /// Delivers one event to every session that may receive it: a channel's events only to
    /// members who may view the channel; a change of who may view what also sends
    /// CHANNEL_CREATE / CHANNEL_DELETE to the sessions that gained or lost channels.
    pub fn dispatch(&self, event: &Event) {
        let mut guard = self.registry();
        let reg: &mut Registry = &mut guard;
        if event.name == SESSION_REVOKED {
            revoke_sessions(reg, event);
            return;
        }
        // A user who gains a guild starts receiving its events with this GUILD_CREATE.
        if let (Audience::Users { user_ids }, "GUILD_CREATE") =
            (&event.audience, event.name.as_str())
        {
            let invalid = self.guild_gained(reg, user_ids, &event.data);
            reg.remove_all(invalid);
            return;
        }
        let change = reg.view_change(event);
        let recipients = recipients(reg, &event.audience);
        note_published_presence(reg, event);
        let mut invalid = self.deliver(reg, event, &change, &recipients);
        invalid.extend(self.send_view_changes(reg, &change));
        leave_deleted_guild(reg, event, &recipients);
        reg.remove_all(invalid);
    }

    /// Pushes the event's frame to each of `recipients` that may receive it (the intent asked
    /// for, not one's own presence, the guild's permissions); bots without MESSAGE_CONTENT get
    /// others' messages without their content. Returns the sessions whose buffers overflowed.
    fn deliver(
        &self,
        reg: &mut Registry,
        event: &Event,
        change: &Option<ViewChange>,
        recipients: &[String],
    ) -> Vec<String> {
        let need = intents::required(&event.name);
        let content_gated = matches!(event.name.as_str(), "MESSAGE_CREATE" | "MESSAGE_UPDATE");
        let author = snowflake(&event.data["author"]["id"]);
        let presence_of = (event.name == "PRESENCE_UPDATE")
            .then(|| author_or_subject(event))
            .flatten();
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
            if !may_receive(&mut reg.views, change, event, s.user_id) {
                continue;
            }
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
        invalid
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
}

/// Ends the sessions that identified with a revoked token (its owner's sessions carrying the
/// token's hash).
fn revoke_sessions(reg: &mut Registry, event: &Event) {
    let (Audience::Users { user_ids }, Some(hash)) =
        (&event.audience, event.data["token_hash"].as_str())
    else {
        return;
    };
    for sid in reg.sessions_of_users(user_ids) {
        let revoked = reg.sessions.get(&sid).is_some_and(|s| s.token_hash == hash);
        if let Some(s) = revoked.then(|| reg.remove(&sid)).flatten() {
            s.end(Verdict::Revoked);
        }
    }
}

/// The sessions an audience names on this node (before any filter).
fn recipients(reg: &Registry, audience: &Audience) -> Vec<String> {
    match audience {
        Audience::Guild { guild_id } | Audience::Channel { guild_id, .. } => reg
            .by_guild
            .get(guild_id)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default(),
        Audience::Users { user_ids } => reg.sessions_of_users(user_ids),
    }
}

/// Presence changes from any node keep this node's record of what was published current.
fn note_published_presence(reg: &mut Registry, event: &Event) {
    if event.name != "PRESENCE_UPDATE" {
        return;
    }
    if let Some(user) = author_or_subject(event) {
        let seen = unplaced(event.data.clone());
        if seen["status"] == "offline" {
            reg.published.remove(&user);
        } else {
            reg.published.insert(user, seen);
        }
    }
}

/// After a user loses a guild (or the guild is deleted) its events stop reaching them.
fn leave_deleted_guild(reg: &mut Registry, event: &Event, recipients: &[String]) {
    if event.name != "GUILD_DELETE" {
        return;
    }
    let Some(g) = snowflake(&event.data["id"]) else {
        return;
    };
    let leaving = match &event.audience {
        Audience::Users { user_ids } => reg.sessions_of_users(user_ids),
        _ => recipients.to_vec(),
    };
    for sid in leaving {
        reg.leave(&sid, g);
    }
}

/// A presence payload without its guild (what is compared to decide whether to publish).
pub(super) fn unplaced(mut data: Value) -> Value {
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
pub struct GuildViews(pub(super) Vec<GuildView>);

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

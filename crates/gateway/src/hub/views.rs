//! What each guild's members may see, as this node knows it: roles and their bits, channels with
//! their overwrites, and the roles of the members who have sessions here. Built from the
//! GUILD_CREATE payload a session starts with, and kept current by the same events that go to
//! clients (role, member, channel and guild changes), so deciding who receives a channel's
//! events needs no database read.

use std::collections::{BTreeSet, HashMap};

use hearth_core::permissions::{self, channel_permissions, Member, Overwrite, OverwriteKind};
use hearth_core::{Permissions, Snowflake, Timestamp};
use hearth_protocol::events::{Event, GuildCreate};
use hearth_protocol::objects as wire;

/// One channel: its overwrites and its wire object (sent as CHANNEL_CREATE to those who gain it).
#[derive(Debug, Clone)]
struct ChannelView {
    overwrites: Vec<Overwrite>,
    data: wire::Channel,
}

/// One member: their roles (not @everyone) and timeout.
#[derive(Debug, Clone, Default)]
struct MemberView {
    roles: Vec<Snowflake>,
    timed_out_until: Option<i64>,
}

impl MemberView {
    fn of(m: &wire::Member) -> MemberView {
        MemberView {
            roles: m.roles.clone(),
            timed_out_until: m.communication_disabled_until.map(|t| t.0),
        }
    }
}

/// What a change does to who may see what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Nothing.
    None,
    /// The view of one channel, for every member.
    Channel(Snowflake),
    /// One member's view of every channel.
    Member(Snowflake),
    /// The view of every channel, for the members holding this role.
    Role(Snowflake),
    /// Every member's view of every channel.
    All,
}

/// A guild's permission state.
#[derive(Debug, Clone)]
pub(crate) struct GuildView {
    guild_id: Snowflake,
    owner_id: Snowflake,
    /// Every role with its bits; @everyone under the guild's id.
    roles: HashMap<Snowflake, Permissions>,
    channels: HashMap<Snowflake, ChannelView>,
    members: HashMap<Snowflake, MemberView>,
    /// Who may view which channel, as computed since the last change.
    seen: HashMap<(Snowflake, Snowflake), bool>,
}

fn overwrite(o: &wire::Overwrite) -> Overwrite {
    Overwrite {
        id: o.id,
        kind: if o.kind == 1 {
            OverwriteKind::Member
        } else {
            OverwriteKind::Role
        },
        allow: o.allow,
        deny: o.deny,
    }
}

impl GuildView {
    /// The view described by a GUILD_CREATE payload (every channel, roles, the members listed).
    pub(crate) fn from_guild_create(g: &GuildCreate) -> GuildView {
        let mut view = GuildView {
            guild_id: g.guild.id,
            owner_id: g.guild.owner_id,
            roles: g
                .guild
                .roles
                .iter()
                .map(|r| (r.id, r.permissions))
                .collect(),
            channels: HashMap::new(),
            members: HashMap::new(),
            seen: HashMap::new(),
        };
        for c in &g.channels {
            view.put_channel(c);
        }
        for m in &g.members {
            if let Some(user) = &m.user {
                view.members.insert(user.id, MemberView::of(m));
            }
        }
        view
    }

    /// The guild.
    pub(crate) fn guild_id(&self) -> Snowflake {
        self.guild_id
    }

    /// Takes members this view does not know yet from a fresher read of the same guild (the
    /// rest of this view is kept: it follows the events since it was built).
    pub(crate) fn merge_members(&mut self, other: GuildView) {
        for (user, m) in other.members {
            self.members.entry(user).or_insert(m);
        }
    }

    fn put_channel(&mut self, c: &wire::Channel) {
        let mut data = c.clone();
        data.guild_id.get_or_insert(self.guild_id);
        self.channels.insert(
            c.id,
            ChannelView {
                overwrites: c.permission_overwrites.iter().map(overwrite).collect(),
                data,
            },
        );
    }

    /// Which views an event may alter (before it is applied).
    pub(crate) fn scope(&self, event: &Event) -> Scope {
        match event {
            // A role's name, colour or position changes no one's view; only its bits do, and
            // only for its members (everyone's, for @everyone).
            Event::GuildRoleUpdate(r) => match r.role.id {
                id if self.roles.get(&id) == Some(&r.role.permissions) => Scope::None,
                id if id == self.guild_id => Scope::All,
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
            _ => Scope::None,
        }
    }

    /// Applies an event (those that change no permission state are ignored).
    pub(crate) fn apply(&mut self, event: &Event) {
        match event {
            Event::GuildRoleCreate(r) | Event::GuildRoleUpdate(r) => {
                self.roles.insert(r.role.id, r.role.permissions);
            }
            Event::GuildRoleDelete(r) => {
                let id = r.role_id;
                self.roles.remove(&id);
                for m in self.members.values_mut() {
                    m.roles.retain(|r| *r != id);
                }
                for c in self.channels.values_mut() {
                    c.overwrites
                        .retain(|o| !(o.kind == OverwriteKind::Role && o.id == id));
                }
            }
            Event::GuildUpdate(g) => self.owner_id = g.owner_id,
            Event::GuildMemberAdd(m) | Event::GuildMemberUpdate(m) => {
                if let Some(user) = &m.member.user {
                    self.members.insert(user.id, MemberView::of(&m.member));
                }
            }
            Event::GuildMemberRemove(u) => {
                self.members.remove(&u.user.id);
            }
            Event::ChannelCreate(c) | Event::ChannelUpdate(c) => self.put_channel(c),
            Event::ChannelDelete(c) => {
                self.channels.remove(&c.id);
            }
            _ => return,
        }
        self.seen.clear();
    }

    /// Whether `user` holds `role`.
    pub(crate) fn has_role(&self, user: Snowflake, role: Snowflake) -> bool {
        self.members
            .get(&user)
            .is_some_and(|m| m.roles.contains(&role))
    }

    fn member_roles(&self, user: Snowflake) -> Option<Vec<(Snowflake, Permissions)>> {
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
            .get(&self.guild_id)
            .copied()
            .unwrap_or(Permissions::NONE)
    }

    /// A member's guild-level permissions now (nothing for someone this view does not know).
    pub(crate) fn guild_permissions(&self, user: Snowflake) -> Permissions {
        let Some(roles) = self.member_roles(user) else {
            return Permissions::NONE;
        };
        let timed_out = self.members[&user]
            .timed_out_until
            .is_some_and(|t| t > Timestamp::now().0);
        permissions::base_permissions(&Member {
            guild_id: self.guild_id,
            user_id: user,
            is_owner: user == self.owner_id,
            everyone: self.everyone(),
            roles: &roles,
            timed_out,
        })
    }

    /// A member's permissions in a channel now, overwrites and timeout included (nothing for a
    /// member or channel this view does not know).
    pub(crate) fn channel_permissions(&self, user: Snowflake, channel: Snowflake) -> Permissions {
        let (Some(c), Some(roles)) = (self.channels.get(&channel), self.member_roles(user)) else {
            return Permissions::NONE;
        };
        let timed_out = self.members[&user]
            .timed_out_until
            .is_some_and(|t| t > Timestamp::now().0);
        channel_permissions(
            &Member {
                guild_id: self.guild_id,
                user_id: user,
                is_owner: user == self.owner_id,
                everyone: self.everyone(),
                roles: &roles,
                timed_out,
            },
            &c.overwrites,
        )
    }

    /// Whether `user` may view `channel` (never a channel or a member this view does not know).
    /// A timeout never takes VIEW_CHANNEL away, so the answer does not change with time.
    pub(crate) fn can_view(&mut self, user: Snowflake, channel: Snowflake) -> bool {
        if let Some(v) = self.seen.get(&(user, channel)) {
            return *v;
        }
        let v = self.compute_view(user, channel);
        self.seen.insert((user, channel), v);
        v
    }

    fn compute_view(&self, user: Snowflake, channel: Snowflake) -> bool {
        let (Some(c), Some(roles)) = (self.channels.get(&channel), self.member_roles(user)) else {
            return false;
        };
        let m = Member {
            guild_id: self.guild_id,
            user_id: user,
            is_owner: user == self.owner_id,
            everyone: self.everyone(),
            roles: &roles,
            timed_out: false,
        };
        channel_permissions(&m, &c.overwrites).contains(Permissions::VIEW_CHANNEL)
    }

    /// The channels `user` may view (of `only`, when given).
    pub(crate) fn visible(
        &mut self,
        user: Snowflake,
        only: Option<Snowflake>,
    ) -> BTreeSet<Snowflake> {
        let ids: Vec<Snowflake> = match only {
            Some(c) => vec![c],
            None => self.channels.keys().copied().collect(),
        };
        ids.into_iter()
            .filter(|c| self.can_view(user, *c))
            .collect()
    }

    /// A channel's wire object (with `guild_id`).
    pub(crate) fn channel_data(&self, channel: Snowflake) -> Option<&wire::Channel> {
        self.channels.get(&channel).map(|c| &c.data)
    }

    /// A GUILD_CREATE payload with only the channels `user` may view.
    pub(crate) fn filter_guild_create(&mut self, g: &GuildCreate, user: Snowflake) -> GuildCreate {
        let mut out = g.clone();
        out.channels.retain(|c| self.can_view(user, c.id));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const VIEW: u64 = 1 << 10;

    /// A typed value from the JSON of its wire shape.
    fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
        serde_json::from_value(v).unwrap()
    }

    fn user(id: &str) -> Value {
        json!({"id": id, "username": format!("u{id}"), "discriminator": "0", "global_name": null,
               "avatar": null, "bot": false, "public_flags": 0})
    }

    fn member(id: &str, roles: &[&str]) -> Value {
        json!({"user": user(id), "nick": null, "avatar": null, "roles": roles,
               "joined_at": "2025-01-01T12:00:00.000000+00:00", "premium_since": null,
               "deaf": false, "mute": false, "flags": 0, "pending": false,
               "communication_disabled_until": null})
    }

    fn role(id: &str, bits: u64) -> Value {
        json!({"id": id, "name": "r", "permissions": bits.to_string(), "position": 0,
               "color": 0, "colors": {"primary_color": 0, "secondary_color": null,
               "tertiary_color": null}, "hoist": false, "managed": false, "mentionable": false,
               "flags": 0, "icon": null, "unicode_emoji": null})
    }

    fn channel(id: &str, overwrites: Value) -> wire::Channel {
        from(
            json!({"id": id, "type": 0, "name": "c", "position": 0, "parent_id": null,
                    "permission_overwrites": overwrites, "topic": null, "nsfw": false,
                    "rate_limit_per_user": 0, "last_message_id": null, "flags": 0}),
        )
    }

    fn guild_create(
        owner: &str,
        roles: Vec<Value>,
        channels: Vec<wire::Channel>,
        members: Vec<Value>,
    ) -> GuildCreate {
        let mut guild = json!({
            "id": "1", "name": "g", "icon": null, "splash": null, "discovery_splash": null,
            "banner": null, "description": null, "owner_id": owner, "afk_channel_id": null,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "features": [],
            "roles": roles, "emojis": [], "stickers": [], "system_channel_id": null,
        });
        let more = json!({
            "system_channel_flags": 0, "rules_channel_id": null, "public_updates_channel_id": null,
            "safety_alerts_channel_id": null, "vanity_url_code": null, "premium_tier": 0,
            "premium_subscription_count": 0, "preferred_locale": "en-US", "max_members": 1,
            "premium_progress_bar_enabled": false, "application_id": null,
        });
        let gateway = json!({
            "joined_at": "2025-01-01T12:00:00.000000+00:00", "large": false, "member_count": 3,
            "members": members, "channels": channels, "threads": [], "presences": [],
            "voice_states": [], "stage_instances": [], "guild_scheduled_events": [],
            "soundboard_sounds": [],
        });
        for part in [more, gateway] {
            if let (Some(all), Value::Object(part)) = (guild.as_object_mut(), part) {
                all.extend(part);
            }
        }
        from(guild)
    }

    fn private() -> wire::Channel {
        channel(
            "11",
            json!([{"id": "1", "type": 0, "allow": "0", "deny": VIEW.to_string()},
                   {"id": "7", "type": 0, "allow": VIEW.to_string(), "deny": "0"}]),
        )
    }

    fn sample() -> GuildCreate {
        guild_create(
            "100",
            vec![role("1", VIEW | (1 << 11)), role("7", 0)],
            vec![channel("10", json!([])), private()],
            vec![
                member("100", &[]),
                member("200", &[]),
                member("300", &["7"]),
            ],
        )
    }

    fn guild() -> GuildView {
        GuildView::from_guild_create(&sample())
    }

    fn member_update(id: &str, roles: &[&str]) -> Event {
        let mut m = member(id, roles);
        m["guild_id"] = json!("1");
        Event::GuildMemberUpdate(Box::new(from(m)))
    }

    fn role_update(id: &str, bits: u64) -> Event {
        Event::GuildRoleUpdate(from(json!({"guild_id": "1", "role": role(id, bits)})))
    }

    #[test]
    fn a_private_channel_is_seen_by_the_owner_and_the_allowed_role_only() {
        let mut v = guild();
        let all: BTreeSet<Snowflake> = [Snowflake(10), Snowflake(11)].into();
        assert_eq!(v.visible(Snowflake(100), None), all);
        assert_eq!(v.visible(Snowflake(200), None), [Snowflake(10)].into());
        assert_eq!(v.visible(Snowflake(300), None), all);
        assert!(!v.can_view(Snowflake(999), Snowflake(10)), "unknown member");
        assert!(
            !v.can_view(Snowflake(200), Snowflake(12)),
            "unknown channel"
        );
        let p = v.channel_permissions(Snowflake(300), Snowflake(11));
        assert!(p.contains(Permissions::VIEW_CHANNEL) && p.contains(Permissions::SEND_MESSAGES));
        assert_eq!(
            v.channel_permissions(Snowflake(200), Snowflake(11)),
            Permissions::NONE
        );
    }

    #[test]
    fn role_member_and_channel_changes_move_the_view() {
        let mut v = guild();
        let joined = member_update("200", &["7"]);
        assert_eq!(v.scope(&joined), Scope::Member(Snowflake(200)));
        v.apply(&joined);
        assert!(v.can_view(Snowflake(200), Snowflake(11)));
        v.apply(&Event::GuildRoleDelete(from(
            json!({"guild_id": "1", "role_id": "7"}),
        )));
        assert!(!v.can_view(Snowflake(200), Snowflake(11)));
        assert!(!v.can_view(Snowflake(300), Snowflake(11)));
        let open = channel("11", json!([]));
        v.apply(&Event::ChannelUpdate(Box::new(open.clone())));
        assert!(v.can_view(Snowflake(200), Snowflake(11)));
        assert_eq!(
            v.channel_data(Snowflake(11)).unwrap().guild_id,
            Some(Snowflake(1))
        );
        v.apply(&Event::ChannelDelete(Box::new(open)));
        assert!(!v.can_view(Snowflake(200), Snowflake(11)));
        let mut g = sample().guild;
        g.owner_id = Snowflake(200);
        let handed_over = Event::GuildUpdate(Box::new(g));
        assert_eq!(v.scope(&handed_over), Scope::All);
        v.apply(&handed_over);
        assert_eq!(v.guild_permissions(Snowflake(200)), Permissions::ALL);
        assert_eq!(v.scope(&handed_over), Scope::None, "the same owner again");
    }

    #[test]
    fn only_a_change_of_bits_makes_a_role_change_matter_and_only_to_its_members() {
        let v = guild();
        assert_eq!(v.scope(&role_update("7", 0)), Scope::None);
        assert_eq!(v.scope(&role_update("7", 2048)), Scope::Role(Snowflake(7)));
        assert_eq!(v.scope(&role_update("1", 0)), Scope::All);
        assert_eq!(
            v.scope(&Event::GuildRoleDelete(from(
                json!({"guild_id": "1", "role_id": "7"})
            ))),
            Scope::Role(Snowflake(7))
        );
        assert!(v.has_role(Snowflake(300), Snowflake(7)));
        assert!(!v.has_role(Snowflake(200), Snowflake(7)));
    }

    #[test]
    fn a_guild_create_is_cut_to_the_receivers_view() {
        let mut v = guild();
        let data = sample();
        let cut = v.filter_guild_create(&data, Snowflake(200));
        let ids: Vec<Snowflake> = cut.channels.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![Snowflake(10)]);
        assert_eq!(cut.members, data.members);
        let whole = v.filter_guild_create(&data, Snowflake(300));
        assert_eq!(whole.channels.len(), 2);
    }
}

//! What each guild's members may see, as this node knows it: roles and their bits, channels with
//! their overwrites, and the roles of the members who have sessions here. Built from the
//! GUILD_CREATE payload a session starts with, and kept current by the same events that go to
//! clients (role, member, channel and guild changes), so deciding who receives a channel's
//! events needs no database read.

use std::collections::{BTreeSet, HashMap};

use hearth_core::permissions::{self, channel_permissions, Member, Overwrite, OverwriteKind};
use hearth_core::{Permissions, Snowflake, Timestamp};
use serde_json::Value;

/// One channel: its overwrites and its wire object (sent as CHANNEL_CREATE to those who gain it).
#[derive(Debug, Clone)]
struct ChannelView {
    overwrites: Vec<Overwrite>,
    data: Value,
}

/// One member: their roles (not @everyone) and timeout.
#[derive(Debug, Clone, Default)]
struct MemberView {
    roles: Vec<Snowflake>,
    timed_out_until: Option<i64>,
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

fn snowflake(v: &Value) -> Option<Snowflake> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64().map(Snowflake),
        _ => None,
    }
}

fn bits(v: &Value) -> Permissions {
    let raw = match v {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    };
    Permissions(raw)
}

fn parse_overwrites(v: &Value) -> Vec<Overwrite> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| {
            Some(Overwrite {
                id: snowflake(&o["id"])?,
                kind: if o["type"].as_u64() == Some(1) {
                    OverwriteKind::Member
                } else {
                    OverwriteKind::Role
                },
                allow: bits(&o["allow"]),
                deny: bits(&o["deny"]),
            })
        })
        .collect()
}

fn parse_member(v: &Value) -> MemberView {
    MemberView {
        roles: v["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(snowflake)
            .collect(),
        timed_out_until: v["communication_disabled_until"]
            .as_str()
            .and_then(Timestamp::parse_iso)
            .map(|t| t.0),
    }
}

impl GuildView {
    /// The view described by a GUILD_CREATE payload (every channel, roles, the members listed).
    pub(crate) fn from_guild_create(data: &Value) -> Option<GuildView> {
        let guild_id = snowflake(&data["id"])?;
        let mut view = GuildView {
            guild_id,
            owner_id: snowflake(&data["owner_id"]).unwrap_or(Snowflake(0)),
            roles: HashMap::new(),
            channels: HashMap::new(),
            members: HashMap::new(),
            seen: HashMap::new(),
        };
        for r in data["roles"].as_array().into_iter().flatten() {
            if let Some(id) = snowflake(&r["id"]) {
                view.roles.insert(id, bits(&r["permissions"]));
            }
        }
        for c in data["channels"].as_array().into_iter().flatten() {
            view.put_channel(c);
        }
        for m in data["members"].as_array().into_iter().flatten() {
            if let Some(user) = snowflake(&m["user"]["id"]) {
                view.members.insert(user, parse_member(m));
            }
        }
        Some(view)
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

    fn put_channel(&mut self, c: &Value) -> Option<Snowflake> {
        let id = snowflake(&c["id"])?;
        let mut data = c.clone();
        if data.get("guild_id").is_none() {
            data["guild_id"] = Value::String(self.guild_id.to_string());
        }
        self.channels.insert(
            id,
            ChannelView {
                overwrites: parse_overwrites(&c["permission_overwrites"]),
                data,
            },
        );
        Some(id)
    }

    /// Which views a change of this name and payload may alter (before it is applied).
    pub(crate) fn scope(&self, name: &str, data: &Value) -> Scope {
        match name {
            // A role's name, colour or position changes no one's view; only its bits do, and
            // only for its members (everyone's, for @everyone).
            "GUILD_ROLE_UPDATE" => match snowflake(&data["role"]["id"]) {
                Some(id) if self.roles.get(&id) == Some(&bits(&data["role"]["permissions"])) => {
                    Scope::None
                }
                Some(id) if id == self.guild_id => Scope::All,
                Some(id) => Scope::Role(id),
                None => Scope::None,
            },
            "GUILD_ROLE_DELETE" => snowflake(&data["role_id"]).map_or(Scope::None, Scope::Role),
            "GUILD_UPDATE" => match snowflake(&data["owner_id"]) {
                Some(owner) if owner != self.owner_id => Scope::All,
                _ => Scope::None,
            },
            "GUILD_MEMBER_UPDATE" | "GUILD_MEMBER_ADD" => {
                snowflake(&data["user"]["id"]).map_or(Scope::None, Scope::Member)
            }
            "CHANNEL_CREATE" | "CHANNEL_UPDATE" | "CHANNEL_DELETE" => {
                snowflake(&data["id"]).map_or(Scope::None, Scope::Channel)
            }
            _ => Scope::None,
        }
    }

    /// Applies a change.
    pub(crate) fn apply(&mut self, name: &str, data: &Value) {
        match name {
            "GUILD_ROLE_CREATE" | "GUILD_ROLE_UPDATE" => {
                if let Some(id) = snowflake(&data["role"]["id"]) {
                    self.roles.insert(id, bits(&data["role"]["permissions"]));
                }
            }
            "GUILD_ROLE_DELETE" => {
                if let Some(id) = snowflake(&data["role_id"]) {
                    self.roles.remove(&id);
                    for m in self.members.values_mut() {
                        m.roles.retain(|r| *r != id);
                    }
                    for c in self.channels.values_mut() {
                        c.overwrites
                            .retain(|o| !(o.kind == OverwriteKind::Role && o.id == id));
                    }
                }
            }
            "GUILD_UPDATE" => {
                if let Some(owner) = snowflake(&data["owner_id"]) {
                    self.owner_id = owner;
                }
            }
            "GUILD_MEMBER_ADD" | "GUILD_MEMBER_UPDATE" => {
                if let Some(user) = snowflake(&data["user"]["id"]) {
                    self.members.insert(user, parse_member(data));
                }
            }
            "GUILD_MEMBER_REMOVE" => {
                if let Some(user) = snowflake(&data["user"]["id"]) {
                    self.members.remove(&user);
                }
            }
            "CHANNEL_CREATE" | "CHANNEL_UPDATE" => {
                self.put_channel(data);
            }
            "CHANNEL_DELETE" => {
                if let Some(id) = snowflake(&data["id"]) {
                    self.channels.remove(&id);
                }
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
    pub(crate) fn channel_data(&self, channel: Snowflake) -> Option<&Value> {
        self.channels.get(&channel).map(|c| &c.data)
    }

    /// A GUILD_CREATE payload with only the channels `user` may view.
    pub(crate) fn filter_guild_create(&mut self, data: &Value, user: Snowflake) -> Value {
        let mut out = data.clone();
        if let Some(list) = out["channels"].as_array_mut() {
            list.retain(|c| snowflake(&c["id"]).is_some_and(|id| self.can_view(user, id)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const VIEW: u64 = 1 << 10;

    fn guild() -> GuildView {
        GuildView::from_guild_create(&json!({
            "id": "1", "owner_id": "100",
            "roles": [{"id": "1", "permissions": (VIEW | (1 << 11)).to_string()},
                      {"id": "7", "permissions": "0"}],
            "channels": [
                {"id": "10", "permission_overwrites": []},
                {"id": "11", "permission_overwrites": [
                    {"id": "1", "type": 0, "allow": "0", "deny": VIEW.to_string()},
                    {"id": "7", "type": 0, "allow": VIEW.to_string(), "deny": "0"}]},
            ],
            "members": [{"user": {"id": "100"}, "roles": []},
                        {"user": {"id": "200"}, "roles": []},
                        {"user": {"id": "300"}, "roles": ["7"]}],
        }))
        .unwrap()
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
        assert_eq!(
            v.scope("GUILD_MEMBER_UPDATE", &json!({"user": {"id": "200"}})),
            Scope::Member(Snowflake(200))
        );
        v.apply(
            "GUILD_MEMBER_UPDATE",
            &json!({"user": {"id": "200"}, "roles": ["7"]}),
        );
        assert!(v.can_view(Snowflake(200), Snowflake(11)));
        v.apply(
            "GUILD_ROLE_DELETE",
            &json!({"guild_id": "1", "role_id": "7"}),
        );
        assert!(!v.can_view(Snowflake(200), Snowflake(11)));
        assert!(!v.can_view(Snowflake(300), Snowflake(11)));
        v.apply(
            "CHANNEL_UPDATE",
            &json!({"id": "11", "permission_overwrites": []}),
        );
        assert!(v.can_view(Snowflake(200), Snowflake(11)));
        assert_eq!(v.channel_data(Snowflake(11)).unwrap()["guild_id"], "1");
        v.apply("CHANNEL_DELETE", &json!({"id": "11"}));
        assert!(!v.can_view(Snowflake(200), Snowflake(11)));
        v.apply("GUILD_UPDATE", &json!({"owner_id": "200"}));
        assert_eq!(v.guild_permissions(Snowflake(200)), Permissions::ALL);
    }

    #[test]
    fn only_a_change_of_bits_makes_a_role_change_matter_and_only_to_its_members() {
        let v = guild();
        let same = json!({"role": {"id": "7", "permissions": "0", "position": 3}});
        assert_eq!(v.scope("GUILD_ROLE_UPDATE", &same), Scope::None);
        let more = json!({"role": {"id": "7", "permissions": "2048"}});
        assert_eq!(
            v.scope("GUILD_ROLE_UPDATE", &more),
            Scope::Role(Snowflake(7))
        );
        let everyone = json!({"role": {"id": "1", "permissions": "0"}});
        assert_eq!(v.scope("GUILD_ROLE_UPDATE", &everyone), Scope::All);
        assert_eq!(
            v.scope("GUILD_ROLE_DELETE", &json!({"role_id": "7"})),
            Scope::Role(Snowflake(7))
        );
        assert!(v.has_role(Snowflake(300), Snowflake(7)));
        assert!(!v.has_role(Snowflake(200), Snowflake(7)));
    }

    #[test]
    fn a_guild_create_is_cut_to_the_receivers_view() {
        let mut v = guild();
        let data = json!({"id": "1", "channels": [{"id": "10"}, {"id": "11"}]});
        let cut = v.filter_guild_create(&data, Snowflake(200));
        assert_eq!(cut["channels"], json!([{"id": "10"}]));
        let whole = v.filter_guild_create(&data, Snowflake(300));
        assert_eq!(whole["channels"].as_array().unwrap().len(), 2);
    }
}

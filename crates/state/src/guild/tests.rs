//! A guild's state: who sees what, and how changes move it.
use super::*;
use hearth_core::Snowflake;

fn user_id(n: u64) -> UserId {
    UserId(Snowflake(n))
}

fn channel_id(n: u64) -> ChannelId {
    ChannelId(Snowflake(n))
}

fn role_id(n: u64) -> RoleId {
    RoleId(Snowflake(n))
}

fn guild_id(n: u64) -> GuildId {
    GuildId(Snowflake(n))
}
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

fn guild() -> GuildState {
    GuildState::from_guild_create(&sample())
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
    let all: BTreeSet<ChannelId> = [channel_id(10), channel_id(11)].into();
    assert_eq!(v.visible(user_id(100), None), all);
    assert_eq!(v.visible(user_id(200), None), [channel_id(10)].into());
    assert_eq!(v.visible(user_id(300), None), all);
    assert!(!v.can_view(user_id(999), channel_id(10)), "unknown member");
    assert!(!v.can_view(user_id(200), channel_id(12)), "unknown channel");
    let p = v.channel_permissions(user_id(300), channel_id(11));
    assert!(p.contains(Permissions::VIEW_CHANNEL) && p.contains(Permissions::SEND_MESSAGES));
    assert_eq!(
        v.channel_permissions(user_id(200), channel_id(11)),
        Permissions::NONE
    );
}

#[test]
fn role_member_and_channel_changes_move_the_view() {
    let mut v = guild();
    let joined = member_update("200", &["7"]);
    assert_eq!(v.scope(&joined), Scope::Member(user_id(200)));
    v.apply(&joined);
    assert!(v.can_view(user_id(200), channel_id(11)));
    v.apply(&Event::GuildRoleDelete(from(
        json!({"guild_id": "1", "role_id": "7"}),
    )));
    assert!(!v.can_view(user_id(200), channel_id(11)));
    assert!(!v.can_view(user_id(300), channel_id(11)));
    let open = channel("11", json!([]));
    v.apply(&Event::ChannelUpdate(Box::new(open.clone())));
    assert!(v.can_view(user_id(200), channel_id(11)));
    assert_eq!(
        v.channel_data(channel_id(11)).unwrap().guild_id,
        Some(guild_id(1))
    );
    v.apply(&Event::ChannelDelete(Box::new(open)));
    assert!(!v.can_view(user_id(200), channel_id(11)));
    let mut g = sample().guild;
    g.owner_id = user_id(200);
    let handed_over = Event::GuildUpdate(Box::new(g));
    assert_eq!(v.scope(&handed_over), Scope::All);
    v.apply(&handed_over);
    assert_eq!(v.guild_permissions(user_id(200)), Permissions::ALL);
    assert_eq!(v.scope(&handed_over), Scope::None, "the same owner again");
}

#[test]
fn only_a_change_of_bits_makes_a_role_change_matter_and_only_to_its_members() {
    let v = guild();
    assert_eq!(v.scope(&role_update("7", 0)), Scope::None);
    assert_eq!(v.scope(&role_update("7", 2048)), Scope::Role(role_id(7)));
    assert_eq!(v.scope(&role_update("1", 0)), Scope::All);
    assert_eq!(
        v.scope(&Event::GuildRoleDelete(from(
            json!({"guild_id": "1", "role_id": "7"})
        ))),
        Scope::Role(role_id(7))
    );
    assert!(v.has_role(user_id(300), role_id(7)));
    assert!(!v.has_role(user_id(200), role_id(7)));
}

#[test]
fn a_guild_create_is_cut_to_the_receivers_view() {
    let mut v = guild();
    let data = sample();
    let cut = v.filter_guild_create(&data, user_id(200));
    let ids: Vec<ChannelId> = cut.channels.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![channel_id(10)]);
    assert_eq!(cut.members, data.members);
    let whole = v.filter_guild_create(&data, user_id(300));
    assert_eq!(whole.channels.len(), 2);
}

#[test]
fn a_guest_sees_only_their_own_channels_and_is_counted_apart() {
    let mut v = guild();
    // 200 becomes a guest: @everyone's bits and overwrite no longer count for them.
    let mut m = member("200", &[]);
    m["guild_id"] = json!("1");
    m["hearth_kind"] = json!("guest");
    v.apply(&Event::GuildMemberUpdate(Box::new(from(m))));
    assert!(v.visible(user_id(200), None).is_empty());
    assert_eq!(v.guild_permissions(user_id(200)), Permissions::NONE);
    assert_eq!(v.channel_counts(channel_id(10)), (2, 0));
    // Given channel 10 by their own overwrite: that one only, and counted as a guest there.
    let given = json!([{"id": "200", "type": 1, "allow": VIEW.to_string(), "deny": "0"}]);
    v.apply(&Event::ChannelUpdate(Box::new(channel("10", given))));
    assert_eq!(v.visible(user_id(200), None), [channel_id(10)].into());
    assert_eq!(v.channel_counts(channel_id(10)), (3, 1));
    assert_eq!(v.channel_counts(channel_id(11)), (2, 0));
    // Made a member again: everything @everyone sees.
    v.apply(&member_update("200", &[]));
    assert_eq!(v.visible(user_id(200), None), [channel_id(10)].into());
    assert_eq!(v.channel_counts(channel_id(10)), (3, 0));
}

#[test]
fn the_roster_is_learned_once_and_not_from_a_read_older_than_a_member_change() {
    let mut v = guild();
    assert!(!v.has_roster());
    let stored = |n: u64| db::Member {
        guild_id: guild_id(1),
        user_id: user_id(n),
        nick: None,
        joined_at: 0,
        temporary: false,
        communication_disabled_until: None,
        roles: Vec::new(),
        kind: MemberKind::Guest,
        guest_expires_at: None,
    };
    let before = v.member_changes();
    v.apply(&member_update("400", &[]));
    assert!(
        !v.learn_roster(&[stored(500)], before),
        "a member changed meanwhile"
    );
    assert!(v.learn_roster(&[stored(500), stored(200)], v.member_changes()));
    assert!(v.has_roster() && v.knows(user_id(500)));
    // Known members keep what the events said (200 stays a member, not the read's guest);
    // 500, a guest given nothing, does not count in channel 10.
    assert_eq!(v.channel_counts(channel_id(10)), (4, 0));
}

use hearth_core::{DirectedInviteStatus, Permissions, RelationshipKind, Snowflake, Timestamp};
use serde_json::{json, Value};

use super::*;
use crate::guild_settings::{ChannelOverride, MuteConfig, UserGuildSettings};
use crate::objects::{
    AuditLogEntry, Channel, CurrentUser, DirectedInvite, DirectedInviteChannel,
    DirectedInviteGuild, Guild, Member, Message, MessageReference, Overwrite, PrivateChannel,
    Relationship, Role, RoleColors, RoleTags, ThreadFields, ThreadMember, ThreadMetadata, User,
};
use crate::settings::{CustomStatus, SettingsDocument, Theme, UserSettings};

const G: Snowflake = Snowflake(100);
const C: Snowflake = Snowflake(200);
const U: Snowflake = Snowflake(300);
const T: Timestamp = Timestamp(1_735_732_800_123_456);

fn user(id: Snowflake) -> User {
    User {
        id: id.into(),
        username: "alice".into(),
        discriminator: "0".into(),
        global_name: None,
        avatar: None,
        bot: false,
        public_flags: 0,
    }
}

fn member(with_user: bool, timeout: Option<Timestamp>) -> Member {
    Member {
        user: with_user.then(|| user(U)),
        nick: Some("al".into()),
        avatar: None,
        roles: vec![Snowflake(7).into()],
        joined_at: T,
        premium_since: None,
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        communication_disabled_until: timeout,
        hearth_kind: hearth_core::MemberKind::Member,
        hearth_guest_expires_at: None,
    }
}

fn role(tags: bool) -> Role {
    Role {
        id: Snowflake(7).into(),
        name: "mods".into(),
        permissions: Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
        position: 1,
        color: 0xff0000,
        colors: RoleColors {
            primary_color: 0xff0000,
            secondary_color: None,
            tertiary_color: None,
        },
        hoist: true,
        managed: tags,
        mentionable: false,
        flags: 0,
        icon: None,
        unicode_emoji: None,
        tags: tags.then_some(RoleTags { bot_id: U.into() }),
    }
}

fn channel() -> Channel {
    Channel {
        id: C.into(),
        kind: 0,
        guild_id: Some(G.into()),
        name: Some("general".into()),
        position: 0,
        parent_id: None,
        permission_overwrites: vec![Overwrite {
            id: G,
            kind: 0,
            allow: Permissions::NONE,
            deny: Permissions::VIEW_CHANNEL,
        }],
        topic: Some("t".into()),
        nsfw: false,
        rate_limit_per_user: 0,
        last_message_id: None,
        flags: 0,
        hearth_counters: None,
        thread: None,
    }
}

/// A public thread of [`channel`].
fn thread(member: bool) -> Channel {
    let tm = ThreadMember {
        id: Snowflake(201).into(),
        user_id: U.into(),
        join_timestamp: T,
        flags: 1,
    };
    Channel {
        id: Snowflake(201).into(),
        kind: 11,
        name: Some("plans".into()),
        parent_id: Some(C.into()),
        permission_overwrites: Vec::new(),
        topic: None,
        thread: Some(Box::new(ThreadFields {
            owner_id: U.into(),
            message_count: 2,
            total_message_sent: 2,
            member_count: 1,
            thread_metadata: ThreadMetadata {
                archived: false,
                auto_archive_duration: 1440,
                archive_timestamp: T,
                locked: false,
                invitable: None,
                create_timestamp: T,
            },
            member: member.then_some(tm),
        })),
        ..channel()
    }
}

/// Samples of the thread events.
fn thread_samples() -> Vec<Event> {
    let tm = ThreadMember {
        id: Snowflake(201).into(),
        user_id: U.into(),
        join_timestamp: T,
        flags: 0,
    };
    vec![
        Event::ThreadCreate(Box::new(ThreadCreate {
            thread: thread(true),
            newly_created: Some(true),
        })),
        Event::ThreadUpdate(Box::new(thread(false))),
        Event::ThreadDelete(ThreadDelete {
            id: Snowflake(201).into(),
            guild_id: G.into(),
            parent_id: C.into(),
            kind: 11,
        }),
        Event::ThreadMemberUpdate {
            user_id: U.into(),
            member: Box::new(ThreadMemberUpdate {
                member: tm.clone(),
                guild_id: G.into(),
            }),
        },
        Event::ThreadMembersUpdate(Box::new(ThreadMembersUpdate {
            id: Snowflake(201).into(),
            guild_id: G.into(),
            member_count: 2,
            added_members: vec![tm],
            removed_member_ids: vec![Snowflake(301).into()],
        })),
    ]
}

fn guild() -> Guild {
    Guild {
        id: G.into(),
        name: "Home".into(),
        icon: None,
        splash: None,
        discovery_splash: None,
        banner: None,
        description: None,
        owner_id: U.into(),
        afk_channel_id: None,
        afk_timeout: 300,
        verification_level: 0,
        default_message_notifications: 0,
        explicit_content_filter: 0,
        mfa_level: 0,
        nsfw_level: 0,
        features: Vec::new(),
        roles: vec![role(false), role(true)],
        emojis: Vec::new(),
        stickers: Vec::new(),
        system_channel_id: Some(C.into()),
        system_channel_flags: 0,
        rules_channel_id: None,
        public_updates_channel_id: None,
        safety_alerts_channel_id: None,
        vanity_url_code: None,
        premium_tier: 0,
        premium_subscription_count: 0,
        preferred_locale: "en-US".into(),
        max_members: 500_000,
        premium_progress_bar_enabled: false,
        application_id: None,
        approximate_member_count: None,
        approximate_presence_count: None,
        hearth_default_channel_ids: None,
    }
}

fn message(id: u64, referenced: Option<Option<Box<Message>>>) -> Message {
    Message {
        id: Snowflake(id).into(),
        channel_id: C.into(),
        guild_id: Some(G.into()),
        kind: if referenced.is_some() { 19 } else { 0 },
        content: "hello".into(),
        author: user(U),
        timestamp: T,
        edited_timestamp: None,
        tts: false,
        mention_everyone: false,
        mentions: vec![user(Snowflake(301))],
        mention_roles: Vec::new(),
        attachments: Vec::new(),
        embeds: vec![json!({"title": "x"})],
        components: Vec::new(),
        pinned: false,
        flags: 0,
        nonce: Some("n1".into()),
        channel_type: 0,
        message_reference: referenced.as_ref().map(|_| MessageReference {
            kind: 0,
            message_id: Snowflake(1).into(),
            channel_id: C.into(),
            guild_id: Some(G.into()),
        }),
        referenced_message: referenced,
        message_snapshots: Vec::new(),
        reactions: Vec::new(),
    }
}

fn presence(status: &str) -> PresenceUpdate {
    PresenceUpdate {
        user: PresenceUser { id: U.into() },
        guild_id: G.into(),
        status: status.into(),
        activities: vec![Activity {
            name: "chess".into(),
            kind: 0,
            state: None,
            details: Some("winning".into()),
            url: None,
        }],
        client_status: ClientStatus {
            desktop: Some(status.into()),
            ..ClientStatus::default()
        },
    }
}

fn guild_create(unavailable: Option<bool>) -> GuildCreate {
    GuildCreate {
        guild: guild(),
        joined_at: T,
        large: false,
        unavailable,
        member_count: 1,
        members: vec![member(true, None)],
        channels: vec![channel()],
        threads: Vec::new(),
        presences: vec![presence("idle")],
        voice_states: Vec::new(),
        stage_instances: Vec::new(),
        guild_scheduled_events: Vec::new(),
        soundboard_sounds: Vec::new(),
    }
}

fn audit_entry(options: Option<Value>, reason: Option<&str>) -> GuildAuditLogEntry {
    GuildAuditLogEntry {
        entry: AuditLogEntry {
            id: Snowflake(9).into(),
            user_id: Some(U.into()),
            target_id: None,
            action_type: 72,
            changes: vec![json!({"key": "nick", "old_value": "a", "new_value": null})],
            options,
            reason: reason.map(str::to_owned),
        },
        guild_id: G.into(),
    }
}

/// At least one event of every variant, with the optional parts both present and absent.
fn samples() -> Vec<Event> {
    let mut all = guild_samples();
    all.extend(channel_and_user_samples());
    all.extend(private_samples());
    all.extend(relationship_samples());
    all.extend(settings_samples());
    all.extend(directed_invite_samples());
    all.extend(guild_settings_samples());
    all.extend(reaction_samples());
    all.extend(thread_samples());
    all
}

/// A DM and a group DM as their recipients see them.
fn private_channel(group: bool) -> PrivateChannel {
    PrivateChannel {
        id: C.into(),
        kind: if group { 3 } else { 1 },
        last_message_id: None,
        flags: 0,
        recipients: vec![user(U)],
        name: group.then_some(None),
        icon: group.then_some(None),
        owner_id: group.then_some(U.into()),
    }
}

/// Samples of every private channel event.
fn private_samples() -> Vec<Event> {
    let to = |event| Event::Private {
        user_id: U.into(),
        event,
    };
    let recipient = Recipient {
        channel_id: C.into(),
        user: user(U),
    };
    let dm = |m: Message| {
        Box::new(Message {
            guild_id: None,
            channel_type: 1,
            ..m
        })
    };
    vec![
        to(PrivateEvent::ChannelCreate(Box::new(private_channel(
            false,
        )))),
        to(PrivateEvent::ChannelCreate(Box::new(private_channel(true)))),
        to(PrivateEvent::ChannelUpdate(Box::new(PrivateChannel {
            name: Some(Some("trip".into())),
            ..private_channel(true)
        }))),
        to(PrivateEvent::ChannelDelete(Box::new(private_channel(true)))),
        to(PrivateEvent::RecipientAdd(recipient.clone())),
        to(PrivateEvent::RecipientRemove(recipient)),
        to(PrivateEvent::MessageCreate(dm(message(2, None)))),
        to(PrivateEvent::MessageUpdate(dm(message(2, None)))),
        to(PrivateEvent::MessageDelete(PrivateMessageDelete {
            id: Snowflake(2).into(),
            channel_id: C.into(),
        })),
        to(PrivateEvent::TypingStart(PrivateTyping {
            channel_id: C.into(),
            user_id: U.into(),
            timestamp: 1_735_732_800,
        })),
        to(PrivateEvent::MessageDeleteBulk(PrivateMessageDeleteBulk {
            ids: vec![Snowflake(2).into(), Snowflake(3).into()],
            channel_id: C.into(),
        })),
    ]
}

fn relationship(kind: RelationshipKind, nickname: Option<&str>) -> Box<Relationship> {
    Box::new(Relationship {
        id: Snowflake(301).into(),
        kind,
        user: user(Snowflake(301)),
        nickname: nickname.map(str::to_owned),
        since: T,
    })
}

/// Samples of the relationship events (to user U, about user 301).
fn relationship_samples() -> Vec<Event> {
    vec![
        Event::RelationshipAdd {
            user_id: U.into(),
            relationship: relationship(RelationshipKind::PendingIncoming, None),
        },
        Event::RelationshipUpdate {
            user_id: U.into(),
            relationship: relationship(RelationshipKind::Friend, Some("bob")),
        },
        Event::RelationshipRemove {
            user_id: U.into(),
            relationship: RelationshipRemove {
                id: Snowflake(301).into(),
                kind: RelationshipKind::Blocked,
            },
        },
    ]
}

/// A settings change: the whole document, with its version.
fn settings_samples() -> Vec<Event> {
    let document = SettingsDocument {
        theme: Some(Theme::Dark),
        custom_status: Some(CustomStatus {
            text: "brb".into(),
            emoji_name: Some("☕".into()),
            expires_at: Some(T),
        }),
        ..SettingsDocument::default()
    };
    vec![Event::UserSettingsUpdate {
        user_id: U.into(),
        settings: Box::new(UserSettings::new(3, &document)),
    }]
}

/// A directed invite to a channel, told to its recipient, then answered and told to its
/// sender.
fn directed_invite_samples() -> Vec<Event> {
    let invite = DirectedInvite {
        id: Snowflake(5).into(),
        guild: DirectedInviteGuild {
            id: G.into(),
            name: "Home".into(),
            icon: None,
        },
        channel: Some(DirectedInviteChannel {
            id: C.into(),
            name: Some("general".into()),
            kind: 0,
        }),
        sender: user(Snowflake(301)),
        recipient: user(U),
        message: Some("join us".into()),
        permissions: Permissions::SEND_MESSAGES,
        status: DirectedInviteStatus::Pending,
        created_at: T,
        expires_at: Some(T),
        resolved_at: None,
    };
    let declined = DirectedInvite {
        status: DirectedInviteStatus::Declined,
        resolved_at: Some(T),
        channel: None,
        ..invite.clone()
    };
    vec![
        Event::DirectedInviteCreate {
            user_id: U.into(),
            invite: Box::new(invite),
        },
        Event::DirectedInviteUpdate {
            user_id: Snowflake(301).into(),
            invite: Box::new(declined),
        },
    ]
}

/// A notification settings change: the whole entry of one guild.
fn guild_settings_samples() -> Vec<Event> {
    let entry = UserGuildSettings {
        guild_id: Some(G.into()),
        muted: true,
        mute_config: Some(MuteConfig {
            end_time: Some(T),
            selected_time_window: 3600,
        }),
        message_notifications: 1,
        suppress_everyone: false,
        suppress_roles: false,
        mobile_push: true,
        hide_muted_channels: false,
        notify_highlights: 0,
        flags: 0,
        version: 2,
        channel_overrides: vec![ChannelOverride {
            channel_id: C.into(),
            muted: false,
            mute_config: None,
            message_notifications: 3,
            collapsed: false,
            favorite: true,
            last_accessed_at: None,
        }],
    };
    vec![Event::UserGuildSettingsUpdate {
        user_id: U.into(),
        settings: Box::new(entry),
    }]
}

/// Samples of the guild, role, member, ban and audit log events.
fn guild_samples() -> Vec<Event> {
    let deleted = UnavailableGuild {
        id: G.into(),
        unavailable: false,
    };
    let gm = |timeout| {
        Box::new(GuildMember {
            member: member(true, timeout),
            guild_id: G.into(),
        })
    };
    let gu = GuildUser {
        guild_id: G.into(),
        user: user(U),
    };
    vec![
        Event::GuildCreate {
            user_id: U.into(),
            guild: Box::new(guild_create(None)),
        },
        Event::GuildCreate {
            user_id: U.into(),
            guild: Box::new(guild_create(Some(false))),
        },
        Event::GuildUpdate(Box::new(guild())),
        Event::GuildDelete(deleted.clone()),
        Event::GuildLost {
            user_id: U.into(),
            guild: deleted,
        },
        Event::GuildRoleCreate(GuildRole {
            guild_id: G.into(),
            role: role(true),
        }),
        Event::GuildRoleUpdate(GuildRole {
            guild_id: G.into(),
            role: role(false),
        }),
        Event::GuildRoleDelete(GuildRoleDelete {
            guild_id: G.into(),
            role_id: Snowflake(7).into(),
        }),
        Event::GuildMemberAdd(gm(None)),
        Event::GuildMemberUpdate(gm(Some(T))),
        Event::GuildMemberRemove(gu.clone()),
        Event::GuildBanAdd(gu.clone()),
        Event::GuildBanRemove(gu),
        Event::GuildAuditLogEntryCreate(Box::new(audit_entry(None, None))),
        Event::GuildAuditLogEntryCreate(Box::new(audit_entry(
            Some(json!({"channel_id": C, "count": "1"})),
            Some("spam"),
        ))),
        Event::GuildAuditLogEntryCreate(Box::new(audit_entry(Some(Value::Null), None))),
    ]
}

/// Samples of the channel, invite, message, typing, presence, user and session events.
fn channel_and_user_samples() -> Vec<Event> {
    let msg = |m: Message, member: Option<Member>| Box::new(GuildMessage { message: m, member });
    vec![
        Event::ChannelCreate(Box::new(channel())),
        Event::ChannelUpdate(Box::new(channel())),
        Event::ChannelDelete(Box::new(channel())),
        Event::InviteCreate(Box::new(InviteCreate {
            channel_id: C.into(),
            guild_id: G.into(),
            code: "abcdefgh".into(),
            created_at: T,
            max_age: 86_400,
            max_uses: 0,
            temporary: false,
            uses: 0,
            inviter: None,
            kind: 0,
        })),
        Event::InviteDelete(InviteDelete {
            channel_id: C.into(),
            guild_id: G.into(),
            code: "abcdefgh".into(),
        }),
        Event::MessageCreate(msg(message(2, None), Some(member(false, None)))),
        Event::MessageCreate(msg(message(3, Some(None)), None)),
        Event::MessageUpdate(msg(
            message(4, Some(Some(Box::new(message(1, None))))),
            Some(member(false, Some(T))),
        )),
        Event::MessageDelete(MessageDelete {
            id: Snowflake(2).into(),
            channel_id: C.into(),
            guild_id: G.into(),
        }),
        Event::MessageDeleteBulk(MessageDeleteBulk {
            ids: vec![Snowflake(2).into(), Snowflake(3).into()],
            channel_id: C.into(),
            guild_id: G.into(),
        }),
        Event::TypingStart(Box::new(TypingStart {
            channel_id: C.into(),
            guild_id: G.into(),
            user_id: U.into(),
            timestamp: 1_735_732_800,
            member: Some(member(true, None)),
        })),
        Event::PresenceUpdate(Box::new(presence("dnd"))),
        Event::FriendPresence {
            user_id: Snowflake(301).into(),
            presence: Box::new(presence("idle").into()),
        },
        Event::PresenceUpdate(Box::new(PresenceUpdate {
            activities: Vec::new(),
            client_status: ClientStatus::default(),
            ..presence("offline")
        })),
        Event::UserUpdate(Box::new(CurrentUser {
            user: user(U),
            email: None,
            verified: false,
            mfa_enabled: false,
            flags: 0,
            locale: "en-US".into(),
        })),
        Event::SessionRevoked {
            user_id: U.into(),
            token_hash: "ab12".into(),
        },
        Event::BusGap,
    ]
}

/// Which variant an event is: exhaustive, so a new variant cannot be left out of the samples.
fn variant(e: &Event) -> usize {
    match e {
        Event::GuildCreate { .. } => 0,
        Event::GuildUpdate(_) => 1,
        Event::GuildDelete(_) => 2,
        Event::GuildLost { .. } => 3,
        Event::GuildRoleCreate(_) => 4,
        Event::GuildRoleUpdate(_) => 5,
        Event::GuildRoleDelete(_) => 6,
        Event::GuildMemberAdd(_) => 7,
        Event::GuildMemberUpdate(_) => 8,
        Event::GuildMemberRemove(_) => 9,
        Event::GuildBanAdd(_) => 10,
        Event::GuildBanRemove(_) => 11,
        Event::GuildAuditLogEntryCreate(_) => 12,
        Event::ChannelCreate(_) => 13,
        Event::ChannelUpdate(_) => 14,
        Event::ChannelDelete(_) => 15,
        Event::InviteCreate(_) => 16,
        Event::InviteDelete(_) => 17,
        Event::MessageCreate(_) => 18,
        Event::MessageUpdate(_) => 19,
        Event::MessageDelete(_) => 20,
        Event::MessageDeleteBulk(_) => 21,
        Event::TypingStart(_) => 22,
        Event::PresenceUpdate(_) => 23,
        Event::UserUpdate(_) => 24,
        Event::SessionRevoked { .. } => 25,
        Event::BusGap => 26,
        Event::Private { event, .. } => match event {
            PrivateEvent::ChannelCreate(_) => 27,
            PrivateEvent::ChannelUpdate(_) => 28,
            PrivateEvent::ChannelDelete(_) => 29,
            PrivateEvent::RecipientAdd(_) => 30,
            PrivateEvent::RecipientRemove(_) => 31,
            PrivateEvent::MessageCreate(_) => 32,
            PrivateEvent::MessageUpdate(_) => 33,
            PrivateEvent::MessageDelete(_) => 34,
            PrivateEvent::TypingStart(_) => 35,
            PrivateEvent::MessageDeleteBulk(_) => 52,
            PrivateEvent::ReactionAdd(_) => 48,
            PrivateEvent::ReactionRemove(_) => 49,
            PrivateEvent::ReactionRemoveAll(_) => 50,
            PrivateEvent::ReactionRemoveEmoji(_) => 51,
        },
        Event::RelationshipAdd { .. } => 36,
        Event::RelationshipUpdate { .. } => 37,
        Event::RelationshipRemove { .. } => 38,
        Event::UserSettingsUpdate { .. } => 39,
        Event::FriendPresence { .. } => 40,
        Event::DirectedInviteCreate { .. } => 41,
        Event::DirectedInviteUpdate { .. } => 42,
        Event::UserGuildSettingsUpdate { .. } => 43,
        Event::MessageReactionAdd(_) => 44,
        Event::MessageReactionRemove(_) => 45,
        Event::MessageReactionRemoveAll(_) => 46,
        Event::MessageReactionRemoveEmoji(_) => 47,
        Event::ThreadCreate(_) => 53,
        Event::ThreadUpdate(_) => 54,
        Event::ThreadDelete(_) => 55,
        Event::ThreadMemberUpdate { .. } => 56,
        Event::ThreadMembersUpdate(_) => 57,
    }
}

fn data(e: &Event) -> Value {
    serde_json::from_str(&e.data().expect("a dispatch")).expect("JSON")
}

#[test]
fn every_variant_round_trips_through_json_unchanged() {
    let samples = samples();
    let seen: std::collections::BTreeSet<usize> = samples.iter().map(variant).collect();
    assert_eq!(seen, (0..=57).collect(), "a variant without a sample");
    for e in samples {
        let text = serde_json::to_string(&e).unwrap();
        let back: Event = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("{} does not read back: {err}\n{text}", e.name()));
        assert_eq!(back, e, "{text}");
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        assert_eq!(back.data(), e.data());
        assert_eq!(back.audience(), e.audience());
    }
}

#[test]
fn only_the_hubs_own_events_have_no_dispatch() {
    for e in samples() {
        let internal = matches!(e, Event::SessionRevoked { .. } | Event::BusGap);
        assert_eq!(e.data().is_none(), internal, "{}", e.name());
        assert_eq!(e.name().starts_with("hearth."), internal);
        if !internal {
            assert!(data(&e).is_object(), "{}: d is an object", e.name());
        }
    }
}

#[test]
fn audiences_follow_the_payload() {
    let by_name = |name: &str| {
        samples()
            .into_iter()
            .find(|e| e.name() == name)
            .unwrap()
            .audience()
    };
    let in_channel = Audience::Channel {
        guild_id: G.into(),
        channel_id: C.into(),
    };
    assert_eq!(
        by_name("GUILD_CREATE"),
        Audience::User { user_id: U.into() }
    );
    assert_eq!(
        by_name("GUILD_UPDATE"),
        Audience::Guild { guild_id: G.into() }
    );
    assert_eq!(by_name("MESSAGE_CREATE"), in_channel);
    assert_eq!(by_name("CHANNEL_DELETE"), in_channel);
    assert_eq!(by_name("TYPING_START"), in_channel);
    assert_eq!(
        by_name("GUILD_BAN_ADD"),
        Audience::GuildPermission {
            guild_id: G.into(),
            permission: Permissions::BAN_MEMBERS
        }
    );
    assert_eq!(
        by_name("GUILD_AUDIT_LOG_ENTRY_CREATE"),
        Audience::GuildPermission {
            guild_id: G.into(),
            permission: Permissions::VIEW_AUDIT_LOG
        }
    );
    assert_eq!(
        by_name("INVITE_DELETE"),
        Audience::ChannelPermission {
            guild_id: G.into(),
            channel_id: C.into(),
            permission: Permissions::MANAGE_CHANNELS
        }
    );
    assert_eq!(by_name("USER_UPDATE"), Audience::User { user_id: U.into() });
    for name in [
        "RELATIONSHIP_ADD",
        "RELATIONSHIP_UPDATE",
        "RELATIONSHIP_REMOVE",
        "USER_SETTINGS_UPDATE",
        "USER_GUILD_SETTINGS_UPDATE",
    ] {
        assert_eq!(
            by_name(name),
            Audience::User { user_id: U.into() },
            "{name}"
        );
    }
    assert_eq!(by_name("hearth.bus_gap"), Audience::Nobody);
    assert_eq!(by_name("PRESENCE_UPDATE").guild_id(), Some(G.into()));
    let mut dm = channel();
    dm.guild_id = None;
    assert_eq!(
        Event::ChannelCreate(Box::new(dm)).audience(),
        Audience::Nobody
    );
    let lost = samples()
        .into_iter()
        .find(|e| matches!(e, Event::GuildLost { .. }))
        .unwrap();
    assert_eq!(
        (lost.name(), lost.audience()),
        ("GUILD_DELETE", Audience::User { user_id: U.into() })
    );
}

#[test]
fn dispatches_have_discords_shapes() {
    let all = samples();
    let find = |i: usize| all.iter().find(|e| variant(e) == i).unwrap();
    // The member's fields with `guild_id` beside them; nulls kept.
    let d = data(find(7));
    assert_eq!(d["guild_id"], "100");
    assert_eq!(d["user"]["id"], "300");
    assert_eq!(d["communication_disabled_until"], Value::Null);
    // A message with its author's member (without `user`), or null; `referenced_message`
    // absent, null or a message.
    let creates: Vec<Value> = all.iter().filter(|e| variant(e) == 18).map(data).collect();
    assert_eq!(creates[0]["guild_id"], "100");
    assert!(creates[0]["member"]["roles"].is_array() && creates[0]["member"].get("user").is_none());
    assert!(creates[0].get("referenced_message").is_none());
    assert_eq!(creates[1]["member"], Value::Null);
    assert_eq!(creates[1]["referenced_message"], Value::Null);
    assert_eq!(data(find(19))["referenced_message"]["id"], "1");
    // GUILD_CREATE: the guild's keys and the gateway's; `unavailable` only when given.
    let gained = data(find(0));
    assert!(gained.get("unavailable").is_none());
    assert_eq!(gained["roles"][1]["tags"]["bot_id"], "300");
    assert_eq!(gained["joined_at"], "2025-01-01T12:00:00.123456+00:00");
    for key in [
        "threads",
        "voice_states",
        "stage_instances",
        "soundboard_sounds",
    ] {
        assert_eq!(gained[key], json!([]), "{key}");
    }
    assert_eq!(
        gained["presences"],
        json!([{"user": {"id": "300"}, "guild_id": "100", "status": "idle",
                "activities": [{"name": "chess", "type": 0, "details": "winning"}],
                "client_status": {"desktop": "idle"}}])
    );
    assert!(gained.get("approximate_member_count").is_none());
    let at_identify = all
        .iter()
        .filter(|e| variant(e) == 0)
        .map(data)
        .nth(1)
        .unwrap();
    assert_eq!(at_identify["unavailable"], false);
    // Small payloads, whole.
    assert_eq!(data(find(2)), json!({"id": "100", "unavailable": false}));
    assert_eq!(data(find(6)), json!({"guild_id": "100", "role_id": "7"}));
    assert_eq!(data(find(9)), json!({"guild_id": "100", "user": user(U)}));
    assert_eq!(
        data(find(16)),
        json!({"channel_id": "200", "guild_id": "100", "code": "abcdefgh",
               "created_at": "2025-01-01T12:00:00.123456+00:00", "max_age": 86_400,
               "max_uses": 0, "temporary": false, "uses": 0, "inviter": null, "type": 0})
    );
    assert_eq!(
        data(find(21)),
        json!({"ids": ["2", "3"], "channel_id": "200", "guild_id": "100"})
    );
    assert_eq!(data(find(22))["timestamp"], json!(1_735_732_800));
    // An audit log entry leaves out `options` and `reason` it does not have.
    let entries: Vec<Value> = all.iter().filter(|e| variant(e) == 12).map(data).collect();
    assert_eq!(
        entries[0],
        json!({"id": "9", "user_id": "300", "target_id": null, "action_type": 72,
               "changes": [{"key": "nick", "old_value": "a", "new_value": null}],
               "guild_id": "100"})
    );
    assert_eq!(entries[1]["options"]["count"], "1");
    assert_eq!(entries[1]["reason"], "spam");
    assert_eq!(entries[2]["options"], Value::Null);
    // USER_UPDATE: the current user, private fields included.
    assert_eq!(data(find(24))["locale"], "en-US");
    // Relationships: the object from the receiver's side, and `{id, type}` when one ends.
    assert_eq!(
        data(find(36)),
        json!({"id": "301", "type": 3, "user": user(Snowflake(301)), "nickname": null,
               "since": "2025-01-01T12:00:00.123456+00:00"})
    );
    assert_eq!(data(find(37))["nickname"], "bob");
    assert_eq!(data(find(38)), json!({"id": "301", "type": 2}));
    // Private channels: messages without guild or member, with their channel's type; a DM
    // without the keys of a group.
    let dm = data(find(32));
    assert!(
        dm.get("guild_id").is_none() && dm.get("member").is_none(),
        "{dm}"
    );
    assert_eq!(dm["channel_type"], 1);
    assert_eq!(data(find(34)), json!({"id": "2", "channel_id": "200"}));
    let channel = data(find(27));
    assert_eq!(channel["type"], 1);
    assert!(
        channel.get("name").is_none() && channel.get("owner_id").is_none(),
        "{channel}"
    );
    // A friend's PRESENCE_UPDATE has no guild.
    let friend = data(find(40));
    assert!(friend.get("guild_id").is_none(), "{friend}");
    assert_eq!(friend["status"], "idle");
    assert_eq!(friend["user"], json!({"id": "300"}));
    // USER_SETTINGS_UPDATE: the whole document, flat, with its version.
    assert_eq!(
        data(find(39)),
        json!({"version": 3, "theme": "dark", "locale": "en-US",
               "message_display_compact": false, "inline_embed_media": true,
               "show_current_game": true, "status": "online",
               "custom_status": {"text": "brb", "emoji_name": "☕",
                                 "expires_at": "2025-01-01T12:00:00.123456+00:00"},
               "developer_mode": false, "timezone_offset": 0})
    );
}

#[test]
fn directed_invite_dispatches_carry_the_whole_invite_to_one_user() {
    let all = samples();
    let find = |i: usize| all.iter().find(|e| variant(e) == i).unwrap();
    // Directed invites: the whole invite, to the user named (the other side gets its own).
    assert_eq!(
        data(find(41)),
        json!({"id": "5", "guild": {"id": "100", "name": "Home", "icon": null},
               "channel": {"id": "200", "name": "general", "type": 0},
               "sender": user(Snowflake(301)), "recipient": user(U), "message": "join us",
               "permissions": "2048", "status": 0,
               "created_at": "2025-01-01T12:00:00.123456+00:00",
               "expires_at": "2025-01-01T12:00:00.123456+00:00", "resolved_at": null})
    );
    assert_eq!(find(41).audience(), Audience::User { user_id: U.into() });
    let answered = data(find(42));
    assert_eq!(
        (answered["status"].clone(), answered["channel"].clone()),
        (json!(2), Value::Null)
    );
    assert_eq!(
        find(42).audience(),
        Audience::User {
            user_id: Snowflake(301).into()
        }
    );
}

#[test]
fn user_guild_settings_update_has_discords_shape() {
    let all = samples();
    let find = |i: usize| all.iter().find(|e| variant(e) == i).unwrap();
    // USER_GUILD_SETTINGS_UPDATE: Discord's entry, with hearth's keys in each override.
    assert_eq!(
        data(find(43)),
        json!({"guild_id": "100", "muted": true,
               "mute_config": {"end_time": "2025-01-01T12:00:00.123456+00:00",
                               "selected_time_window": 3600},
               "message_notifications": 1, "suppress_everyone": false,
               "suppress_roles": false, "mobile_push": true, "hide_muted_channels": false,
               "notify_highlights": 0, "flags": 0, "version": 2,
               "channel_overrides": [{"channel_id": "200", "muted": false, "mute_config": null,
                                      "message_notifications": 3, "collapsed": false,
                                      "favorite": true, "last_accessed_at": null}]})
    );
}

#[test]
fn a_message_without_content_keeps_everything_else() {
    let m = GuildMessage {
        message: message(2, None),
        member: Some(member(false, None)),
    };
    let cut = m.without_content();
    assert_eq!(cut.message.content, "");
    assert!(cut.message.embeds.is_empty());
    assert!(cut.message.attachments.is_empty() && cut.message.components.is_empty());
    assert_eq!(
        (cut.message.id, cut.message.author.id, cut.member),
        (m.message.id, m.message.author.id, m.member)
    );
}

#[test]
fn session_dispatches_have_their_names() {
    assert_eq!(SessionDispatch::Ready.name(), "READY");
    assert_eq!(SessionDispatch::Resumed.name(), "RESUMED");
    assert_eq!(
        SessionDispatch::GuildMembersChunk.name(),
        "GUILD_MEMBERS_CHUNK"
    );
}

/// Samples of the reaction events, in a guild channel (with `member`) and in a private one.
fn reaction_samples() -> Vec<Event> {
    let emoji = crate::objects::PartialEmoji::unicode("👍");
    let add = |guild: bool| ReactionAdd {
        user_id: U.into(),
        channel_id: C.into(),
        message_id: Snowflake(1).into(),
        guild_id: guild.then_some(G.into()),
        member: guild.then(|| member(true, None)),
        emoji: emoji.clone(),
        message_author_id: Snowflake(301).into(),
        burst: false,
        burst_colors: Vec::new(),
        kind: 0,
    };
    let remove = |guild: bool| ReactionRemove {
        user_id: U.into(),
        channel_id: C.into(),
        message_id: Snowflake(1).into(),
        guild_id: guild.then_some(G.into()),
        emoji: emoji.clone(),
        burst: false,
        kind: 0,
    };
    let all = |guild: bool| ReactionRemoveAll {
        channel_id: C.into(),
        message_id: Snowflake(1).into(),
        guild_id: guild.then_some(G.into()),
    };
    let one = |guild: bool| ReactionRemoveEmoji {
        channel_id: C.into(),
        message_id: Snowflake(1).into(),
        guild_id: guild.then_some(G.into()),
        emoji: emoji.clone(),
    };
    let to = |event| Event::Private {
        user_id: U.into(),
        event,
    };
    vec![
        Event::MessageReactionAdd(Box::new(add(true))),
        Event::MessageReactionRemove(Box::new(remove(true))),
        Event::MessageReactionRemoveAll(all(true)),
        Event::MessageReactionRemoveEmoji(Box::new(one(true))),
        to(PrivateEvent::ReactionAdd(Box::new(add(false)))),
        to(PrivateEvent::ReactionRemove(Box::new(remove(false)))),
        to(PrivateEvent::ReactionRemoveAll(all(false))),
        to(PrivateEvent::ReactionRemoveEmoji(Box::new(one(false)))),
    ]
}

//! Stored records to wire objects: what the REST API answers and what the gateway dispatches.

use std::collections::HashMap;

use hearth_core::{ChannelKind, OverwriteKind, Permissions, Timestamp, UserId};
use hearth_protocol::guild_settings::{ChannelOverride, MuteConfig, UserGuildSettings};
use hearth_protocol::objects as wire;
use hearth_protocol::settings::{SettingsDocument, UserSettings};
use hearth_store as db;

/// A user.
pub fn user(u: &db::User) -> wire::User {
    wire::User {
        id: u.id,
        username: u.username.clone(),
        discriminator: "0".into(),
        global_name: u.global_name.clone(),
        avatar: u.avatar.clone(),
        bot: u.bot,
        public_flags: 0,
    }
}

/// The caller themself.
pub fn current_user(u: &db::User) -> wire::CurrentUser {
    wire::CurrentUser {
        user: user(u),
        email: u.email.clone(),
        verified: false,
        mfa_enabled: false,
        flags: 0,
        locale: "en-US".into(),
    }
}

/// A private channel as one of its recipients sees it: the other recipients (the viewer is
/// left out, as on Discord), from `users` (an id not found there is skipped).
pub fn private_channel(
    pc: &db::PrivateChannel,
    viewer: UserId,
    users: &HashMap<UserId, db::User>,
) -> wire::PrivateChannel {
    let group = pc.channel.kind == i64::from(ChannelKind::GroupDm);
    wire::PrivateChannel {
        id: pc.channel.id,
        kind: pc.channel.kind,
        last_message_id: pc.channel.last_message_id,
        flags: 0,
        recipients: pc
            .recipients
            .iter()
            .filter(|id| **id != viewer)
            .filter_map(|id| users.get(id).map(user))
            .collect(),
        name: group.then(|| pc.channel.name.clone()),
        icon: group.then(|| pc.icon.clone()),
        owner_id: if group { pc.owner_id } else { None },
    }
}

/// The users of these private channels' recipients, read from the store.
pub async fn recipients(
    store: &dyn db::Store,
    channels: &[db::PrivateChannel],
) -> Result<HashMap<UserId, db::User>, db::StoreError> {
    let mut users = HashMap::new();
    for id in channels.iter().flat_map(|pc| pc.recipients.iter()) {
        if !users.contains_key(id) {
            if let Some(u) = store.fetch_user(*id).await? {
                users.insert(*id, u);
            }
        }
    }
    Ok(users)
}

/// A relationship from its owner's side, with the other user.
pub fn relationship(r: &db::Relationship, other: &db::User) -> wire::Relationship {
    wire::Relationship {
        id: r.other_id,
        kind: r.kind,
        user: user(other),
        nickname: r.nickname.clone(),
        since: Timestamp(r.since),
    }
}

/// A person's settings as clients read them: what the stored document sets and the defaults of
/// the rest, at its version; the defaults at version 0 when nothing is stored.
pub fn user_settings(row: Option<&db::UserSettings>) -> UserSettings {
    match row {
        Some(row) => UserSettings::new(row.version, &settings_document(row)),
        None => UserSettings::new(0, &SettingsDocument::default()),
    }
}

/// The settings a stored row sets. The API writes every document from a [`SettingsDocument`],
/// so it reads back (keys it no longer knows are skipped); one that does not (written under
/// other rules) reads as nothing set, is logged, and the next write replaces it.
pub fn settings_document(row: &db::UserSettings) -> SettingsDocument {
    serde_json::from_str(&row.document).unwrap_or_else(|error| {
        tracing::warn!(user_id = %row.user_id, %error, "unreadable settings document");
        SettingsDocument::default()
    })
}

/// A user's entry of notification settings for `guild_id` (None: the DMs) as clients read it:
/// the stored rows, or the defaults at version 0 (notifications 3: as the guild's default
/// says). A mute whose end is not after `now` reads as no mute.
pub fn guild_settings(
    entry: &db::PreferenceEntry,
    guild_id: Option<hearth_core::GuildId>,
    now: Timestamp,
) -> UserGuildSettings {
    let channel_overrides = entry
        .channels
        .iter()
        .map(|c| {
            let (muted, mute_config) = mute(c.muted, c.mute_end_time, c.mute_window, now);
            ChannelOverride {
                channel_id: c.channel_id,
                muted,
                mute_config,
                message_notifications: level(c.message_notifications),
                collapsed: c.collapsed,
                favorite: c.favorite,
                last_accessed_at: c.last_accessed_at.map(Timestamp),
            }
        })
        .collect();
    let Some(g) = &entry.guild else {
        return UserGuildSettings {
            guild_id,
            muted: false,
            mute_config: None,
            message_notifications: 3,
            suppress_everyone: false,
            suppress_roles: false,
            mobile_push: true,
            hide_muted_channels: false,
            notify_highlights: 0,
            flags: 0,
            version: 0,
            channel_overrides,
        };
    };
    let (muted, mute_config) = mute(g.muted, g.mute_end_time, g.mute_window, now);
    UserGuildSettings {
        guild_id,
        muted,
        mute_config,
        message_notifications: level(g.message_notifications),
        suppress_everyone: g.suppress_everyone,
        suppress_roles: g.suppress_roles,
        mobile_push: g.mobile_push,
        hide_muted_channels: g.hide_muted_channels,
        notify_highlights: level(g.notify_highlights),
        flags: g.flags,
        version: g.version,
        channel_overrides,
    }
}

/// A stored mute as read at `now`: muted with its config while it lasts, else neither.
fn mute(
    muted: bool,
    end: Option<i64>,
    window: Option<i64>,
    now: Timestamp,
) -> (bool, Option<MuteConfig>) {
    if !muted || end.is_some_and(|end| end <= now.0) {
        return (false, None);
    }
    let config = window.map(|selected_time_window| MuteConfig {
        end_time: end.map(Timestamp),
        selected_time_window,
    });
    (true, config)
}

/// A small stored number (a level, 0 to 3) as the wire's byte.
fn level(n: i64) -> u8 {
    u8::try_from(n).unwrap_or(0)
}

/// A role.
pub fn role(r: &db::Role) -> wire::Role {
    let color = r.color as u32;
    wire::Role {
        id: r.id,
        name: r.name.clone(),
        permissions: Permissions(r.permissions as u64),
        position: r.position,
        color,
        colors: wire::RoleColors {
            primary_color: color,
            secondary_color: None,
            tertiary_color: None,
        },
        hoist: r.hoist,
        managed: r.managed,
        mentionable: r.mentionable,
        flags: 0,
        icon: None,
        unicode_emoji: None,
        tags: r.bot_id.map(|b| wire::RoleTags { bot_id: b }),
    }
}

/// A member, with its user when given.
pub fn member(m: &db::Member, u: Option<&db::User>) -> wire::Member {
    wire::Member {
        user: u.map(user),
        nick: m.nick.clone(),
        avatar: None,
        roles: m.roles.clone(),
        joined_at: Timestamp(m.joined_at),
        premium_since: None,
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        communication_disabled_until: m.communication_disabled_until.map(Timestamp),
        hearth_kind: m.kind,
        hearth_guest_expires_at: m.guest_expires_at.map(Timestamp),
    }
}

/// A permission overwrite.
pub fn overwrite(o: &db::Overwrite) -> wire::Overwrite {
    wire::Overwrite {
        id: o.target_id,
        kind: u8::from(o.kind == i64::from(OverwriteKind::Member)),
        allow: Permissions(o.allow as u64),
        deny: Permissions(o.deny as u64),
    }
}

/// A channel with its permission overwrites (those of other channels in `overwrites` are
/// skipped, so a guild's whole list may be passed).
pub fn channel(c: &db::Channel, overwrites: &[db::Overwrite]) -> wire::Channel {
    wire::Channel {
        id: c.id,
        kind: c.kind,
        guild_id: c.guild_id,
        name: c.name.clone(),
        position: c.position,
        parent_id: c.parent_id,
        permission_overwrites: overwrites
            .iter()
            .filter(|o| o.channel_id == c.id)
            .map(overwrite)
            .collect(),
        topic: c.topic.clone(),
        nsfw: c.nsfw,
        rate_limit_per_user: c.rate_limit_per_user,
        last_message_id: c.last_message_id,
        flags: 0,
        hearth_counters: None,
        thread: None,
    }
}

/// A thread's channel object, with its thread keys (no overwrites: a thread has its
/// parent's).
pub fn thread(t: &db::Thread) -> wire::Channel {
    let mut c = channel(&t.channel, &[]);
    c.thread = Some(Box::new(wire::ThreadFields {
        owner_id: t.meta.owner_id,
        message_count: t.message_count,
        total_message_sent: t.message_count,
        member_count: t.member_count,
        thread_metadata: wire::ThreadMetadata {
            archived: t.meta.archived,
            auto_archive_duration: t.meta.auto_archive_duration,
            archive_timestamp: Timestamp(t.meta.archive_timestamp),
            locked: t.meta.locked,
            invitable: (t.channel.kind == i64::from(ChannelKind::PrivateThread))
                .then_some(t.meta.invitable),
            create_timestamp: Timestamp(t.channel.created_at),
        },
        member: None,
    }));
    c
}

/// A thread member's wire object.
pub fn thread_member(m: &db::ThreadMember) -> wire::ThreadMember {
    wire::ThreadMember {
        id: m.thread_id,
        user_id: m.user_id,
        join_timestamp: Timestamp(m.joined_at),
        flags: m.flags,
    }
}

/// Approximate counts: members, and members visibly online.
pub type Counts = Option<(i64, i64)>;

/// A guild with its roles.
pub fn guild(g: &db::Guild, roles: &[db::Role], counts: Counts) -> wire::Guild {
    wire::Guild {
        id: g.id,
        name: g.name.clone(),
        icon: g.icon.clone(),
        splash: None,
        discovery_splash: None,
        banner: None,
        description: g.description.clone(),
        owner_id: g.owner_id,
        afk_channel_id: None,
        afk_timeout: g.afk_timeout,
        verification_level: g.verification_level,
        default_message_notifications: g.default_message_notifications,
        explicit_content_filter: g.explicit_content_filter,
        mfa_level: 0,
        nsfw_level: 0,
        features: Vec::new(),
        roles: roles.iter().map(role).collect(),
        emojis: Vec::new(),
        stickers: Vec::new(),
        system_channel_id: g.system_channel_id,
        system_channel_flags: 0,
        rules_channel_id: None,
        public_updates_channel_id: None,
        safety_alerts_channel_id: None,
        vanity_url_code: None,
        premium_tier: 0,
        premium_subscription_count: 0,
        preferred_locale: g.preferred_locale.clone(),
        max_members: 500_000,
        premium_progress_bar_enabled: false,
        application_id: None,
        approximate_member_count: counts.map(|c| c.0),
        approximate_presence_count: counts.map(|c| c.1),
        hearth_default_channel_ids: None,
    }
}

/// A guild as `GET /users/@me/guilds` lists it.
pub fn partial_guild(
    g: &db::Guild,
    caller: UserId,
    permissions: Permissions,
    counts: Counts,
) -> wire::PartialGuild {
    wire::PartialGuild {
        id: g.id,
        name: g.name.clone(),
        icon: g.icon.clone(),
        banner: None,
        owner: g.owner_id == caller,
        permissions,
        features: Vec::new(),
        approximate_member_count: counts.map(|c| c.0),
        approximate_presence_count: counts.map(|c| c.1),
    }
}

/// An invite with its guild, channel and inviter.
pub fn invite(
    i: &db::Invite,
    g: &db::Guild,
    c: &db::Channel,
    inviter: Option<&db::User>,
    counts: Counts,
) -> wire::Invite {
    wire::Invite {
        code: i.code.clone(),
        kind: 0,
        guild: wire::InviteGuild {
            id: g.id,
            name: g.name.clone(),
            icon: g.icon.clone(),
            splash: None,
            banner: None,
            description: g.description.clone(),
            features: Vec::new(),
            verification_level: g.verification_level,
            vanity_url_code: None,
            nsfw_level: 0,
            premium_subscription_count: 0,
        },
        guild_id: g.id,
        channel: wire::InviteChannel {
            id: c.id,
            name: c.name.clone(),
            kind: c.kind,
        },
        inviter: inviter.map(user),
        uses: i.uses,
        max_uses: i.max_uses,
        max_age: i.max_age,
        temporary: i.temporary,
        created_at: Timestamp(i.created_at),
        expires_at: i.expires_at.map(Timestamp),
        approximate_member_count: counts.map(|c| c.0),
        approximate_presence_count: counts.map(|c| c.1),
        hearth_guest: i.guest,
        hearth_guest_ttl: i.guest_ttl,
    }
}

/// An application with its owner and bot user.
pub fn application(a: &db::Application, owner: &db::User, bot: &db::User) -> wire::Application {
    wire::Application {
        id: a.id,
        name: a.name.clone(),
        icon: None,
        description: a.description.clone(),
        bot_public: a.bot_public,
        bot_require_code_grant: false,
        verify_key: a.verify_key.clone(),
        owner: user(owner),
        team: None,
        flags: 0,
        summary: String::new(),
        redirect_uris: Vec::new(),
        interactions_endpoint_url: None,
        tags: Vec::new(),
        bot: user(bot),
    }
}

/// Stands in for an author whose account no longer exists.
pub fn deleted_user(user_id: UserId) -> db::User {
    db::User {
        id: user_id,
        username: "deleted_user".into(),
        global_name: None,
        email: None,
        avatar: None,
        bot: false,
        disabled: true,
        created_at: 0,
    }
}

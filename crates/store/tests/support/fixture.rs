//! The `Fixture` shared by the store contract test files: fresh ids, and the records the tests
//! build on (users, guilds, channels, roles, members, messages, invites, overwrites), either
//! built for the test to store or stored right away. Each test file uses its own share of it.
#![allow(
    dead_code,
    reason = "each contract test file uses only some of the helpers"
)]

use std::sync::Arc;

use hearth_core::{
    ChannelId, GuildId, MessageId, Permissions, RoleId, Snowflake, SnowflakeGenerator, Timestamp,
    UserId,
};
use hearth_store::*;

/// Fresh ids and the records made from them.
pub struct Fixture {
    ids: SnowflakeGenerator,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            ids: SnowflakeGenerator::new(1),
        }
    }

    /// A fresh id of any kind (`UserId`, `ChannelId`, ...), greater than every id handed out
    /// before.
    pub fn id<T: From<Snowflake>>(&self) -> T {
        T::from(self.ids.next())
    }

    /// A person (not a bot) with a password, to be stored.
    pub fn new_user(&self, name: &str, email: &str) -> NewUser {
        NewUser {
            id: self.id(),
            username: name.to_owned(),
            global_name: None,
            email: Some(email.to_owned()),
            bot: false,
            password_hash: Some(format!("hash-of-{name}")),
            created_at: Timestamp::now().0,
        }
    }

    /// Stores a person named `name`, whose email is `name@example.org`.
    pub async fn user(&self, store: &Arc<dyn Store>, name: &str) -> User {
        store
            .insert_user(&self.new_user(name, &format!("{name}@example.org")))
            .await
            .expect("insert user")
    }

    /// Stores a person with a fresh name, for tests that make many.
    pub async fn someone(&self, store: &Arc<dyn Store>) -> User {
        self.user(store, &format!("user{}", self.ids.next())).await
    }

    /// Stores a guild owned by `owner`, with its @everyone role and its first channel,
    /// `general`.
    pub async fn guild(&self, store: &Arc<dyn Store>, owner: &User) -> (Guild, Channel) {
        let id: GuildId = self.id();
        let channel = self.channel(id, "general");
        let guild = Guild {
            id,
            name: "Home".into(),
            owner_id: owner.id,
            icon: None,
            description: None,
            system_channel_id: Some(channel.id),
            verification_level: 0,
            default_message_notifications: 0,
            explicit_content_filter: 0,
            afk_timeout: 300,
            preferred_locale: "en-US".into(),
            created_at: Timestamp::now().0,
        };
        let everyone = Role {
            position: 0,
            permissions: Permissions::DEFAULT_EVERYONE.0 as i64,
            ..self.role_with_id(id, id.everyone(), "@everyone")
        };
        store
            .insert_guild(&guild, &everyone, &channel)
            .await
            .expect("insert guild");
        (guild, channel)
    }

    /// A text channel of a guild, to be stored.
    pub fn channel(&self, guild_id: GuildId, name: &str) -> Channel {
        Channel {
            id: self.id(),
            guild_id: Some(guild_id),
            kind: 0,
            name: Some(name.into()),
            topic: None,
            position: 0,
            parent_id: None,
            nsfw: false,
            rate_limit_per_user: 0,
            last_message_id: None,
            created_at: Timestamp::now().0,
        }
    }

    /// A role without permissions at position 1, to be stored.
    pub fn role_with_id(&self, guild_id: GuildId, id: RoleId, name: &str) -> Role {
        Role {
            guild_id,
            id,
            name: name.into(),
            permissions: 0,
            color: 0,
            hoist: false,
            mentionable: false,
            managed: false,
            position: 1,
            bot_id: None,
        }
    }

    /// Stores a role without permissions at position 1.
    pub async fn role(&self, store: &Arc<dyn Store>, guild_id: GuildId, name: &str) -> Role {
        let role = self.role_with_id(guild_id, self.id(), name);
        store.insert_role(&role).await.expect("insert role");
        role
    }

    /// A member joining now, to be stored.
    pub fn member(&self, guild_id: GuildId, user_id: UserId, roles: Vec<RoleId>) -> Member {
        Member {
            guild_id,
            user_id,
            nick: None,
            joined_at: Timestamp::now().0,
            temporary: false,
            communication_disabled_until: None,
            roles,
            kind: hearth_core::MemberKind::Member,
            guest_expires_at: None,
        }
    }

    /// Stores a member joining now, who was not one before.
    pub async fn join(
        &self,
        store: &Arc<dyn Store>,
        guild_id: GuildId,
        user_id: UserId,
        roles: Vec<RoleId>,
    ) {
        let member = self.member(guild_id, user_id, roles);
        assert!(store.insert_member(&member).await.expect("insert member"));
    }

    /// A message with a fresh id, to be stored.
    pub fn message(&self, channel_id: ChannelId, author_id: UserId, content: &str) -> Message {
        message_with_id(channel_id, author_id, self.id(), content)
    }

    /// Stores a message with this id.
    pub async fn post(
        &self,
        store: &Arc<dyn Store>,
        channel_id: ChannelId,
        author_id: UserId,
        id: MessageId,
    ) {
        store
            .insert_message(&message_with_id(channel_id, author_id, id, "text"))
            .await
            .expect("insert message");
    }

    /// An invite to a guild channel that never expires, to be stored.
    pub fn invite(&self, channel: &Channel, inviter_id: Option<UserId>, code: &str) -> Invite {
        Invite {
            code: code.into(),
            guild_id: channel.guild_id.expect("a guild channel"),
            channel_id: channel.id,
            inviter_id,
            max_age: 0,
            max_uses: 0,
            uses: 0,
            temporary: false,
            created_at: Timestamp::now().0,
            expires_at: None,
            guest: false,
            guest_ttl: 0,
        }
    }
}

fn message_with_id(
    channel_id: ChannelId,
    author_id: UserId,
    id: MessageId,
    content: &str,
) -> Message {
    Message {
        channel_id,
        id,
        author_id,
        kind: 0,
        content: content.into(),
        nonce: None,
        tts: false,
        flags: 0,
        embeds: "[]".into(),
        reference_message_id: None,
        reference_channel_id: None,
        reference_guild_id: None,
        reference_kind: 0,
        edited_at: None,
        deleted_at: None,
        mention_user_ids: String::new(),
        mention_role_ids: String::new(),
        mention_everyone: false,
    }
}

/// An overwrite of `target_id` (a role for kind 0, a member for kind 1) in a guild channel.
pub fn overwrite(
    channel: &Channel,
    target_id: impl Into<Snowflake>,
    kind: i64,
    allow: u64,
    deny: u64,
) -> Overwrite {
    Overwrite {
        channel_id: channel.id,
        guild_id: channel.guild_id.expect("a guild channel"),
        target_id: target_id.into(),
        kind,
        allow: allow as i64,
        deny: deny as i64,
    }
}

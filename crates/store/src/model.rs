//! Stored records. Ids are typed ([`hearth_core::ids`]; stored as the signed integer the
//! databases hold), instants are microseconds since the Unix epoch; the API turns records into
//! wire objects.

use hearth_core::{
    ApplicationId, AuditEntryId, ChannelId, GuildId, MemberKind, MessageId, RelationshipKind,
    RoleId, SessionId, Snowflake, UserId,
};
use sqlx::FromRow;

mod preferences;
mod retention;
pub use preferences::*;
pub use retention::*;

/// A user account (a person or a bot).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct User {
    /// Snowflake.
    pub id: UserId,
    /// Login name as typed (unique without regard to case for people).
    pub username: String,
    /// Display name.
    pub global_name: Option<String>,
    /// E-mail address, if given.
    pub email: Option<String>,
    /// Avatar hash.
    pub avatar: Option<String>,
    /// Whether this is an application's bot user.
    pub bot: bool,
    /// Disabled accounts cannot authenticate.
    pub disabled: bool,
    /// Creation instant.
    pub created_at: i64,
}

/// What creating a user needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Snowflake.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Display name.
    pub global_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Bot user?
    pub bot: bool,
    /// argon2id PHC string, for people.
    pub password_hash: Option<String>,
    /// Creation instant.
    pub created_at: i64,
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// New login name.
    pub username: Option<String>,
    /// New display name (`Some(None)` clears it).
    pub global_name: Option<Option<String>>,
}

/// A login session or a bot token.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Session {
    /// Snowflake.
    pub id: SessionId,
    /// Whose session.
    pub user_id: UserId,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// `user` or `bot`.
    pub kind: String,
    /// Creation instant.
    pub created_at: i64,
    /// Last authenticated request (updated at most once a minute).
    pub last_used_at: i64,
    /// Client address at creation or last use.
    pub ip: Option<String>,
    /// Client `User-Agent` at creation or last use.
    pub user_agent: Option<String>,
}

/// An application with a bot user; its id is the bot user's id.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Application {
    /// Snowflake (= bot user id).
    pub id: ApplicationId,
    /// The user who made it.
    pub owner_id: UserId,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether others may add the bot.
    pub bot_public: bool,
    /// 64 hex characters.
    pub verify_key: String,
    /// Creation instant.
    pub created_at: i64,
}

/// A guild.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Guild {
    /// Snowflake.
    pub id: GuildId,
    /// Name.
    pub name: String,
    /// Owner's user id.
    pub owner_id: UserId,
    /// Icon hash.
    pub icon: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Where join messages go.
    pub system_channel_id: Option<ChannelId>,
    /// 0..=4.
    pub verification_level: i64,
    /// 0..=1.
    pub default_message_notifications: i64,
    /// 0..=2.
    pub explicit_content_filter: i64,
    /// Seconds.
    pub afk_timeout: i64,
    /// Locale tag.
    pub preferred_locale: String,
    /// Creation instant.
    pub created_at: i64,
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Role {
    /// Guild.
    pub guild_id: GuildId,
    /// Snowflake (@everyone: the guild's id).
    pub id: RoleId,
    /// Name.
    pub name: String,
    /// Permission bits.
    pub permissions: i64,
    /// RGB colour.
    pub color: i64,
    /// Shown apart in the member list.
    pub hoist: bool,
    /// Anyone may mention it.
    pub mentionable: bool,
    /// Owned by an integration (a bot's own role).
    pub managed: bool,
    /// Position in the hierarchy (@everyone: 0).
    pub position: i64,
    /// The bot whose own role this is (Discord's `tags.bot_id`); None for other roles.
    pub bot_id: Option<UserId>,
}

/// A guild member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Guild.
    pub guild_id: GuildId,
    /// User.
    pub user_id: UserId,
    /// Nickname.
    pub nick: Option<String>,
    /// Join instant.
    pub joined_at: i64,
    /// Joined through a temporary invite.
    pub temporary: bool,
    /// Timed out until this instant.
    pub communication_disabled_until: Option<i64>,
    /// Role ids (never @everyone), ascending.
    pub roles: Vec<RoleId>,
    /// Member, guest or bot (a bot user's membership is always `Bot`, whatever is written).
    pub kind: MemberKind,
    /// When a guest's access ends (None: never; only guests have one).
    pub guest_expires_at: Option<i64>,
}

/// What permission computation needs about one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionInput {
    /// The guild's owner.
    pub owner_id: UserId,
    /// @everyone's bits.
    pub everyone: i64,
    /// Each of the member's roles (never @everyone) as (id, bits), ascending by id.
    pub roles: Vec<(RoleId, i64)>,
    /// The member's timeout (`communication_disabled_until`), if any.
    pub timed_out_until: Option<i64>,
    /// Whether the member is a guest (nothing of @everyone counts for them).
    pub guest: bool,
}

/// A channel.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Channel {
    /// Snowflake.
    pub id: ChannelId,
    /// Guild, for guild channels.
    pub guild_id: Option<GuildId>,
    /// Discord channel type (0 text, 4 category, ...).
    #[sqlx(rename = "type")]
    pub kind: i64,
    /// Name.
    pub name: Option<String>,
    /// Topic.
    pub topic: Option<String>,
    /// Sort position.
    pub position: i64,
    /// Category.
    pub parent_id: Option<ChannelId>,
    /// Age-restricted.
    pub nsfw: bool,
    /// Slow mode seconds.
    pub rate_limit_per_user: i64,
    /// Newest message.
    pub last_message_id: Option<MessageId>,
    /// Creation instant.
    pub created_at: i64,
}

/// A private channel (a DM or a group DM): the channel, what only a private channel has, and
/// its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateChannel {
    /// The channel (no guild; type 1 or 3).
    pub channel: Channel,
    /// Who made a group DM (None for a DM, or when that account is gone).
    pub owner_id: Option<UserId>,
    /// A group DM's icon.
    pub icon: Option<String>,
    /// The recipients, by id.
    pub recipients: Vec<UserId>,
}

/// One channel's new place in a reorder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelMove {
    /// Channel.
    pub id: ChannelId,
    /// New position.
    pub position: Option<i64>,
    /// New parent (`Some(None)`: no parent).
    pub parent_id: Option<Option<ChannelId>>,
}

/// A guild invite.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Invite {
    /// 8-character code.
    pub code: String,
    /// Guild.
    pub guild_id: GuildId,
    /// Channel it leads to.
    pub channel_id: ChannelId,
    /// Who made it.
    pub inviter_id: Option<UserId>,
    /// Seconds it is valid (0: forever).
    pub max_age: i64,
    /// How many joins it allows (0: unlimited).
    pub max_uses: i64,
    /// Joins so far.
    pub uses: i64,
    /// Grants temporary membership.
    pub temporary: bool,
    /// Creation instant.
    pub created_at: i64,
    /// Expiry instant (None: never).
    pub expires_at: Option<i64>,
    /// Admits guests: who joins by it becomes a guest given its channel.
    pub guest: bool,
    /// Seconds a guest admitted by it stays (0: no expiry).
    pub guest_ttl: i64,
}

impl Invite {
    /// Whether it can still be used at `now` (microseconds).
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|e| e > now) && (self.max_uses == 0 || self.uses < self.max_uses)
    }
}

/// Outcome of using an invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteUse {
    /// The user joined; the invite after counting the use.
    Joined(Invite),
    /// The user already was a member; nothing changed.
    AlreadyMember(Invite),
    /// No such invite, or it expired or is used up.
    Invalid,
    /// The user is banned from the invite's guild; nothing changed.
    Banned,
}

/// A message.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Message {
    /// Channel.
    pub channel_id: ChannelId,
    /// Snowflake.
    pub id: MessageId,
    /// Author.
    pub author_id: UserId,
    /// Discord message type (0 default, 19 reply, ...).
    #[sqlx(rename = "type")]
    pub kind: i64,
    /// Text.
    pub content: String,
    /// Client nonce.
    pub nonce: Option<String>,
    /// Text to speech.
    pub tts: bool,
    /// Flag bits.
    pub flags: i64,
    /// JSON array of embeds.
    pub embeds: String,
    /// Replied-to message.
    pub reference_message_id: Option<MessageId>,
    /// Its channel.
    pub reference_channel_id: Option<ChannelId>,
    /// Its guild.
    pub reference_guild_id: Option<GuildId>,
    /// What the reference is: 0 a reply, 1 a forward (whose content and embeds are the
    /// forwarded message's, copied).
    pub reference_kind: i64,
    /// Last edit instant.
    pub edited_at: Option<i64>,
    /// Tombstone instant.
    pub deleted_at: Option<i64>,
    /// Mentioned users: decimal ids separated by spaces ([`id_list`] reads them).
    pub mention_user_ids: String,
    /// Mentioned roles, the same way.
    pub mention_role_ids: String,
    /// Mentions @everyone or @here (and the author was allowed to).
    pub mention_everyone: bool,
}

/// Reads a list of ids stored as decimals separated by spaces (skipping anything else).
pub fn id_list<T: std::str::FromStr>(s: &str) -> Vec<T> {
    s.split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect()
}

/// Writes a list of ids as decimals separated by spaces.
pub fn id_text<T: std::fmt::Display>(ids: &[T]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which page of history to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryPage {
    /// The newest messages.
    Latest,
    /// Messages older than this id.
    Before(MessageId),
    /// Messages newer than this id (the oldest such, returned newest first).
    After(MessageId),
    /// Messages around this id (about half older, half newer, itself included).
    Around(MessageId),
}

/// A node's lease on its id.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct NodeLease {
    /// 0..=1023: the node bits of the snowflakes the holder makes.
    pub node_id: i64,
    /// Who holds it (one run of a node process).
    pub holder: String,
    /// Where other nodes can reach the holder.
    pub url: Option<String>,
    /// When the holder took it.
    pub started_at: i64,
    /// Live until this instant (inclusive); free to take after it.
    pub expires_at: i64,
}

/// One node's contribution to a user's presence.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PresenceRow {
    /// Whose presence.
    pub user_id: UserId,
    /// The node the user's sessions are connected to.
    pub node_id: i64,
    /// Status as the gateway keeps it (`online`, `idle`, `dnd`, `invisible`, ...).
    pub status: String,
    /// JSON array of activity objects.
    pub activities: String,
    /// JSON object: device kind → status.
    pub client_status: String,
    /// Last change instant.
    pub updated_at: i64,
}

/// A role's new place in a reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolePosition {
    /// Role.
    pub id: RoleId,
    /// New position.
    pub position: i64,
}

/// Changes to a member; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberPatch {
    /// New nickname (`Some(None)` clears it).
    pub nick: Option<Option<String>>,
    /// The member's roles, replacing the ones it has (as a set; @everyone is never stored).
    pub roles: Option<Vec<RoleId>>,
    /// Timed out until this instant (`Some(None)` ends a timeout).
    pub communication_disabled_until: Option<Option<i64>>,
    /// Makes the member a guest or a full member (a bot stays a bot); a full member's expiry
    /// is cleared.
    pub kind: Option<MemberKind>,
    /// When a guest's access ends (`Some(None)`: never); ignored for someone not a guest
    /// after the change.
    pub guest_expires_at: Option<Option<i64>>,
}

/// A channel's permission overwrite for a role or a member.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Overwrite {
    /// Channel.
    pub channel_id: ChannelId,
    /// The channel's guild.
    pub guild_id: GuildId,
    /// Role (@everyone: the guild's id) or user.
    pub target_id: Snowflake,
    /// 0 role, 1 member.
    pub kind: i64,
    /// Permission bits granted.
    pub allow: i64,
    /// Permission bits taken away.
    pub deny: i64,
}

/// A guild's ban of a user.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Ban {
    /// Guild.
    pub guild_id: GuildId,
    /// Banned user.
    pub user_id: UserId,
    /// Why, as the moderator said.
    pub reason: Option<String>,
    /// Ban instant.
    pub created_at: i64,
}

/// What banning a member did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BanOutcome {
    /// The user was a member (and no longer is).
    pub was_member: bool,
    /// The messages tombstoned: (channel_id, message_id), ascending.
    pub deleted: Vec<(ChannelId, MessageId)>,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuditEntry {
    /// Guild.
    pub guild_id: GuildId,
    /// Snowflake (so entries order by time).
    pub id: AuditEntryId,
    /// Who did it (None: the system).
    pub user_id: Option<UserId>,
    /// What it was done to.
    pub target_id: Option<Snowflake>,
    /// Discord's audit log event number.
    pub action_type: i64,
    /// JSON array of `{key, old_value, new_value}`.
    pub changes: String,
    /// JSON object of extra information.
    pub options: Option<String>,
    /// Why, as the moderator said.
    pub reason: Option<String>,
}

/// Which audit log entries to read; filters left `None` match every entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this actor's.
    pub user_id: Option<UserId>,
    /// Only this action type.
    pub action_type: Option<i64>,
    /// Only ids below this.
    pub before: Option<AuditEntryId>,
    /// Only ids above this.
    pub after: Option<AuditEntryId>,
    /// At most this many (callers keep it within 1..=100).
    pub limit: i64,
}

/// One user's side of their relationship with another (see [`crate::RelationshipStore`]).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Relationship {
    /// Whose side this is.
    pub user_id: UserId,
    /// The other user.
    pub other_id: UserId,
    /// What the other is to this user.
    #[sqlx(rename = "type", try_from = "i64")]
    pub kind: RelationshipKind,
    /// When the relationship took this kind (request sent, friendship begun, block).
    pub since: i64,
    /// This user's own name for the other (friends only).
    pub nickname: Option<String>,
}

/// What a relationship write changed, on both sides: the rows it wrote (new, or of another kind
/// than before) and the rows it deleted, as they were. Each row's owner is told: a written row
/// is their RELATIONSHIP_ADD, a deleted one their RELATIONSHIP_REMOVE. Empty when nothing
/// changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelationshipChange {
    /// Rows written, each as it is now.
    pub written: Vec<Relationship>,
    /// Rows deleted, each as it was.
    pub deleted: Vec<Relationship>,
}

impl RelationshipChange {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.written.is_empty() && self.deleted.is_empty()
    }
}

/// What asking another user to be friends did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FriendRequest {
    /// The request was recorded: outgoing for the sender, incoming for the target.
    Sent(RelationshipChange),
    /// The target had asked the sender first: both are friends now.
    Accepted(RelationshipChange),
    /// They were friends already; nothing changed.
    AlreadyFriends,
    /// The sender had asked already; nothing changed.
    AlreadySent,
    /// One of the two has blocked the other (which one is not said); nothing changed.
    Blocked,
}

/// A person's settings document as stored (see [`crate::UserSettingsStore`]).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct UserSettings {
    /// Whose settings.
    pub user_id: UserId,
    /// How many writes made it: 1 after the first (no row is version 0).
    pub version: i64,
    /// The settings set, as a JSON object (opaque to the store).
    pub document: String,
    /// When it was last written.
    pub updated_at: i64,
}

/// What a conditional write of a settings document did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsWrite {
    /// The stored version was the one expected: the document is written, one version up.
    Written(UserSettings),
    /// Another version is stored (someone wrote since the caller read): nothing was written.
    /// The document as it is now, or None when none is stored (version 0).
    Stale(Option<UserSettings>),
}

/// A guild channel's counters (hearth's extension fields of channel objects): the messages
/// it holds (not deleted) and when the last one was posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct ChannelCounters {
    /// Channel.
    pub channel_id: ChannelId,
    /// Messages posted and not deleted.
    pub message_count: i64,
    /// When the last message was posted (None: never).
    pub last_activity_at: Option<i64>,
}

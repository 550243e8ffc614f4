//! hearth-store: everything hearth keeps, behind one [`Store`] interface.
//!
//! - [`model`]: the stored records (raw integers for ids and instants, as the databases hold them).
//! - The traits below, one per aggregate, summed into [`Store`].
//! - `sqlite` and `postgres`: the two implementations. Their SQL is shared (`sql.rs`) and their
//!   schemas live in `migrations/{sqlite,postgres}/`, applied by [`connect`] at start.
//!
//! Every write is committed before the method returns.
#![forbid(unsafe_code)]

use std::sync::Arc;

use async_trait::async_trait;
use hearth_core::{Snowflake, Timestamp};

pub mod model;
mod postgres;
mod sql;
mod sqlite;
pub mod testing;
mod text;

pub use model::*;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub(crate) use text::{nul_free, CheckText};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the text names the index or column.
    #[error("conflict on {0}")]
    Conflict(String),
    /// The database URL is not one hearth knows.
    #[error("unsupported database url: {0}")]
    UnsupportedUrl(String),
    /// Text holding U+0000, which PostgreSQL cannot store: refused on both backends; the text
    /// names the field.
    #[error("text holds U+0000 in {0}")]
    InvalidText(String),
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A migration failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Result of a store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The SHA-256 of a token in hex: the only form in which tokens are stored.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Opens the database named by `url` (`sqlite://...` or `postgres://...`) and applies migrations.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(
            url.split(':').next().unwrap_or_default().to_owned(),
        ))
    }
}

/// Accounts: users and their password hashes.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates a user (and its password hash, when given). Username or e-mail taken →
    /// [`StoreError::Conflict`] naming `username` or `email`.
    async fn insert_user(&self, user: &NewUser) -> Result<User>;
    /// One user by id.
    async fn fetch_user(&self, id: Snowflake) -> Result<Option<User>>;
    /// A person (not a bot) by username (any case) or e-mail, with the password hash.
    async fn fetch_login(&self, login: &str) -> Result<Option<(User, String)>>;
    /// Records when the user was last connected.
    async fn update_last_seen(&self, id: Snowflake, at: Timestamp) -> Result<()>;
    /// When the user was last connected (None: never, or connected now for the first time).
    async fn fetch_last_seen(&self, id: Snowflake) -> Result<Option<Timestamp>>;
    /// Changes the username and/or display name; returns the updated user.
    async fn update_user(&self, id: Snowflake, patch: &UserPatch) -> Result<Option<User>>;
}

/// Login sessions and bot tokens, found by the hash of their token.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Records a new session.
    async fn insert_session(&self, session: &Session) -> Result<()>;
    /// The session with this token hash and its (enabled) user.
    async fn fetch_session(&self, token_hash: &str) -> Result<Option<(Session, User)>>;
    /// Every session of a user, newest first.
    async fn fetch_user_sessions(&self, user_id: Snowflake) -> Result<Vec<Session>>;
    /// Records that the session was used now, from this address and agent.
    async fn update_session_used(
        &self,
        id: Snowflake,
        at: Timestamp,
        ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<()>;
    /// Revokes one session; true when it existed.
    async fn delete_session(&self, id: Snowflake) -> Result<bool>;
}

/// Applications and their bot users.
#[async_trait]
pub trait ApplicationStore: Send + Sync {
    /// Creates the bot user, the application and the bot's token session in one transaction.
    async fn insert_application(
        &self,
        app: &Application,
        bot: &NewUser,
        token: &Session,
    ) -> Result<Application>;
    /// One application by id (= its bot user's id).
    async fn fetch_application(&self, id: Snowflake) -> Result<Option<Application>>;
}

/// Guilds, their roles and members.
#[async_trait]
pub trait GuildStore: Send + Sync {
    /// Creates a guild with its @everyone role, the owner as first member and its first channel,
    /// in one transaction.
    async fn insert_guild(
        &self,
        guild: &Guild,
        everyone: &Role,
        first_channel: &Channel,
    ) -> Result<()>;
    /// One guild.
    async fn fetch_guild(&self, id: Snowflake) -> Result<Option<Guild>>;
    /// Guilds a user belongs to, by ascending id, after/before the given ids.
    async fn fetch_user_guilds(
        &self,
        user_id: Snowflake,
        before: Option<Snowflake>,
        after: Option<Snowflake>,
        limit: i64,
    ) -> Result<Vec<Guild>>;
    /// Replaces a guild's settings; returns the stored guild.
    async fn update_guild(&self, guild: &Guild) -> Result<Option<Guild>>;
    /// Deletes a guild and everything in it; true when it existed.
    async fn delete_guild(&self, id: Snowflake) -> Result<bool>;
    /// Creates a role.
    async fn insert_role(&self, role: &Role) -> Result<()>;
    /// A guild's roles by position, then id.
    async fn fetch_roles(&self, guild_id: Snowflake) -> Result<Vec<Role>>;
    /// Adds a member with roles; false when the user already was one (nothing changes then).
    async fn insert_member(&self, member: &Member) -> Result<bool>;
    /// One member with its roles.
    async fn fetch_member(&self, guild_id: Snowflake, user_id: Snowflake)
        -> Result<Option<Member>>;
    /// Members by ascending user id after `after`, with their users.
    async fn fetch_members(
        &self,
        guild_id: Snowflake,
        after: Snowflake,
        limit: i64,
    ) -> Result<Vec<(Member, User)>>;
    /// How many members a guild has.
    async fn count_members(&self, guild_id: Snowflake) -> Result<i64>;
    /// What permission computation needs: the owner, @everyone's bits and the bits of each of the
    /// user's roles. None when the user is not a member.
    async fn fetch_permission_input(
        &self,
        guild_id: Snowflake,
        user_id: Snowflake,
    ) -> Result<Option<PermissionInput>>;
    /// Removes a member; true when it existed.
    async fn delete_member(&self, guild_id: Snowflake, user_id: Snowflake) -> Result<bool>;
}

/// Channels.
#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// Creates a channel.
    async fn insert_channel(&self, channel: &Channel) -> Result<()>;
    /// One channel.
    async fn fetch_channel(&self, id: Snowflake) -> Result<Option<Channel>>;
    /// A guild's channels by position, then id.
    async fn fetch_guild_channels(&self, guild_id: Snowflake) -> Result<Vec<Channel>>;
    /// Replaces a channel's settings; returns the stored channel.
    async fn update_channel(&self, channel: &Channel) -> Result<Option<Channel>>;
    /// Sets positions (and parents) of several channels of a guild in one transaction; returns
    /// the changed channels.
    async fn update_channel_positions(
        &self,
        guild_id: Snowflake,
        moves: &[ChannelMove],
    ) -> Result<Vec<Channel>>;
    /// Deletes a channel with its messages and invites; returns what it was.
    async fn delete_channel(&self, id: Snowflake) -> Result<Option<Channel>>;
}

/// Guild invites.
#[async_trait]
pub trait InviteStore: Send + Sync {
    /// Creates an invite. A code in use → [`StoreError::Conflict`].
    async fn insert_invite(&self, invite: &Invite) -> Result<()>;
    /// One invite by code (expired or used up ones too; callers judge validity).
    async fn fetch_invite(&self, code: &str) -> Result<Option<Invite>>;
    /// A guild's invites, newest first.
    async fn fetch_guild_invites(&self, guild_id: Snowflake) -> Result<Vec<Invite>>;
    /// A channel's invites, newest first.
    async fn fetch_channel_invites(&self, channel_id: Snowflake) -> Result<Vec<Invite>>;
    /// A still-valid invite by this inviter for this channel with these settings (for requests
    /// that do not ask for a unique invite).
    async fn fetch_reusable_invite(&self, like: &Invite, now: Timestamp) -> Result<Option<Invite>>;
    /// Joins `member.user_id` to the invite's guild, counting one use, in one transaction.
    /// A user banned from the guild gets [`InviteUse::Banned`] and nothing changes.
    async fn use_invite(&self, code: &str, member: &Member, now: Timestamp) -> Result<InviteUse>;
    /// Deletes an invite; returns what it was.
    async fn delete_invite(&self, code: &str) -> Result<Option<Invite>>;
}

/// Messages.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message and advances the channel's last message id.
    async fn insert_message(&self, message: &Message) -> Result<()>;
    /// One message that is not deleted.
    async fn fetch_message(&self, channel_id: Snowflake, id: Snowflake) -> Result<Option<Message>>;
    /// A page of history, newest first in every mode.
    async fn fetch_messages(
        &self,
        channel_id: Snowflake,
        page: HistoryPage,
        limit: i64,
    ) -> Result<Vec<Message>>;
    /// An author's message in a channel with this nonce, made after `since`.
    async fn fetch_message_by_nonce(
        &self,
        channel_id: Snowflake,
        author_id: Snowflake,
        nonce: &str,
        since: Snowflake,
    ) -> Result<Option<Message>>;
    /// The id of an author's newest message in a channel, deleted ones included (slow mode).
    async fn fetch_last_message_id(
        &self,
        channel_id: Snowflake,
        author_id: Snowflake,
    ) -> Result<Option<Snowflake>>;
    /// Replaces content, embeds and flags and sets the edit time; returns the stored message.
    async fn update_message(&self, message: &Message) -> Result<Option<Message>>;
    /// Tombstones a message; true when it existed and was not deleted yet.
    async fn delete_message(
        &self,
        channel_id: Snowflake,
        id: Snowflake,
        at: Timestamp,
    ) -> Result<bool>;
}

/// What moderators change: roles and members once made, channel permission overwrites, bans,
/// bulk message deletes and the audit log. Several writes here span tables; each method is one
/// transaction.
#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// Replaces a role's editable fields (name, permissions, color, hoist, mentionable,
    /// position; not `managed`); returns the stored role (None: no such role in the guild).
    async fn update_role(&self, role: &Role) -> Result<Option<Role>>;
    /// Sets the positions of several roles of a guild in one transaction (ids of no role of the
    /// guild are skipped; of repeated ids, the last wins); returns every role of the guild by
    /// position, then id.
    async fn update_role_positions(
        &self,
        guild_id: Snowflake,
        moves: &[RolePosition],
    ) -> Result<Vec<Role>>;
    /// Deletes a role, takes it from every member and deletes its overwrites in the guild's
    /// channels, in one transaction; true when it existed. Callers refuse @everyone.
    async fn delete_role(&self, guild_id: Snowflake, role_id: Snowflake) -> Result<bool>;

    /// Gives a member a role; true when newly given. False when it had it already, or when the
    /// member or the role does not exist, or the role is @everyone (never stored).
    async fn add_member_role(
        &self,
        guild_id: Snowflake,
        user_id: Snowflake,
        role_id: Snowflake,
    ) -> Result<bool>;
    /// Changes nickname, roles (replaced as a set; ids of no role of the guild and @everyone are
    /// left out) and timeout in one transaction; returns the member with its roles, as
    /// [`GuildStore::fetch_member`] does (None: not a member).
    async fn update_member(
        &self,
        guild_id: Snowflake,
        user_id: Snowflake,
        patch: &MemberPatch,
    ) -> Result<Option<Member>>;
    /// Takes a role from a member; true when it had it.
    async fn remove_member_role(
        &self,
        guild_id: Snowflake,
        user_id: Snowflake,
        role_id: Snowflake,
    ) -> Result<bool>;

    /// Creates or replaces the overwrite of `target_id` in a channel; true when it is new.
    async fn put_overwrite(&self, overwrite: &Overwrite) -> Result<bool>;
    /// A channel's overwrites by target id.
    async fn fetch_channel_overwrites(&self, channel_id: Snowflake) -> Result<Vec<Overwrite>>;
    /// The overwrites of all of a guild's channels, by channel id, then target id.
    async fn fetch_guild_overwrites(&self, guild_id: Snowflake) -> Result<Vec<Overwrite>>;
    /// Replaces all of a channel's overwrites with `overwrites` in one transaction, all written
    /// under `channel_id` and `guild_id` whatever their own say (of several for one target, the
    /// last wins); returns the stored set by target id.
    async fn replace_overwrites(
        &self,
        channel_id: Snowflake,
        guild_id: Snowflake,
        overwrites: &[Overwrite],
    ) -> Result<Vec<Overwrite>>;
    /// Creates a guild channel with its overwrites in one transaction (a private channel never
    /// exists without them).
    async fn insert_channel_with_overwrites(
        &self,
        channel: &Channel,
        overwrites: &[Overwrite],
    ) -> Result<()>;
    /// Changes a channel as [`ChannelStore::update_channel`] does and, with `overwrites`,
    /// replaces its overwrites, in one transaction; returns the channel and its overwrites
    /// (None: no such channel).
    async fn update_channel_with_overwrites(
        &self,
        channel: &Channel,
        overwrites: Option<&[Overwrite]>,
    ) -> Result<Option<(Channel, Vec<Overwrite>)>>;
    /// Deletes one overwrite; true when it existed.
    async fn delete_overwrite(&self, channel_id: Snowflake, target_id: Snowflake) -> Result<bool>;

    /// Records a ban; false when the user was banned already (nothing changes then). Does not
    /// touch membership: see [`ModerationStore::ban_member`].
    async fn insert_ban(&self, ban: &Ban) -> Result<bool>;
    /// In one transaction: records the ban (or replaces the reason of an existing one), removes
    /// the member with its roles, and with `delete_messages_since` tombstones at `at` the
    /// user's messages in the guild's channels made at or after that instant (by their
    /// snowflakes, to the millisecond).
    async fn ban_member(
        &self,
        ban: &Ban,
        delete_messages_since: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<BanOutcome>;
    /// One ban.
    async fn fetch_ban(&self, guild_id: Snowflake, user_id: Snowflake) -> Result<Option<Ban>>;
    /// A page of a guild's bans, ascending by user id. With `after`: the first `limit` above it
    /// (and below `before`, if given); with only `before`: the last `limit` below it.
    async fn fetch_bans(
        &self,
        guild_id: Snowflake,
        before: Option<Snowflake>,
        after: Option<Snowflake>,
        limit: i64,
    ) -> Result<Vec<Ban>>;
    /// Lifts a ban; true when it existed.
    async fn delete_ban(&self, guild_id: Snowflake, user_id: Snowflake) -> Result<bool>;

    /// Tombstones several messages of a channel at `at` in one transaction; returns the ids that
    /// existed and were not deleted yet, ascending.
    async fn delete_messages(
        &self,
        channel_id: Snowflake,
        ids: &[Snowflake],
        at: Timestamp,
    ) -> Result<Vec<Snowflake>>;

    /// Records an audit log entry. An id in use → [`StoreError::Conflict`].
    async fn insert_audit_entry(&self, entry: &AuditEntry) -> Result<()>;
    /// A guild's audit log entries matching `query`, newest first. With `after`: the `limit`
    /// entries just above it (and below `before`, if given); otherwise the newest below `before`.
    async fn fetch_audit_entries(
        &self,
        guild_id: Snowflake,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>>;
}

/// Cluster coordination: leases on node ids (a node's heartbeat) and each node's contribution
/// to its users' presence. A lease is live at `now` while `expires_at >= now`.
#[async_trait]
pub trait ClusterStore: Send + Sync {
    /// Takes a node id for `holder` until `expires_at`. With `wanted`: that id, unless another
    /// holder's lease on it is still live at `now` (then None). Without: the lowest id in
    /// 0..=1023 with no lease or a lease that expired before `now` (None when all are live).
    /// Two callers racing for one id never both get it. `started_at` = `now`. A `wanted` id
    /// above 1023 breaks the table's check (an error).
    async fn lease_node(
        &self,
        holder: &str,
        wanted: Option<u16>,
        url: Option<&str>,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Option<u16>>;
    /// Extends `holder`'s lease on `node_id`; false when it no longer holds it (released, or
    /// taken by another holder after expiry). An expired lease nobody took is extended.
    async fn renew_node(&self, node_id: u16, holder: &str, expires_at: Timestamp) -> Result<bool>;
    /// Gives the id back: deletes the lease and that node's presences in one transaction, when
    /// `holder` holds it (otherwise nothing changes).
    async fn release_node(&self, node_id: u16, holder: &str) -> Result<()>;
    /// Every lease row, live or expired, by node id.
    async fn fetch_nodes(&self) -> Result<Vec<NodeLease>>;
    /// Deletes every presence row of `node_id` (left by an earlier holder of that id); returns
    /// the distinct users whose rows were deleted, ascending.
    async fn clear_node_presences(&self, node_id: u16) -> Result<Vec<Snowflake>>;
    /// In one transaction: deletes the rows of (`gone` user, `node_id`) and upserts `rows`, all
    /// written under `node_id` whatever their own `node_id` says. A user both in `gone` and in
    /// `rows` keeps the row; of several rows of one user, the last wins.
    async fn put_presences(
        &self,
        node_id: u16,
        rows: &[PresenceRow],
        gone: &[Snowflake],
    ) -> Result<()>;
    /// The rows of these users from nodes whose lease is live at `now`, by user then node.
    async fn fetch_presences(
        &self,
        users: &[Snowflake],
        now: Timestamp,
    ) -> Result<Vec<PresenceRow>>;
    /// For each guild, the rows (live nodes only) of its members: (guild_id, row), by guild, user
    /// then node.
    async fn fetch_guild_presences(
        &self,
        guilds: &[Snowflake],
        now: Timestamp,
    ) -> Result<Vec<(Snowflake, PresenceRow)>>;
    /// Deletes the rows of nodes with no live lease at `now` (expired or no lease row) and
    /// returns the distinct users whose rows were deleted, ascending. When several nodes call
    /// this at once, each deleted row is returned to exactly one caller.
    async fn reap_presences(&self, now: Timestamp) -> Result<Vec<Snowflake>>;
}

/// The whole storage interface.
#[async_trait]
pub trait Store:
    UserStore
    + SessionStore
    + ApplicationStore
    + GuildStore
    + ChannelStore
    + InviteStore
    + MessageStore
    + ModerationStore
    + ClusterStore
{
    /// Which backend this is (`sqlite` or `postgres`).
    fn backend(&self) -> &'static str;
    /// Whether the database answers.
    async fn ping(&self) -> Result<()>;
    /// Waits for connections in use and closes the pool (at shutdown).
    async fn close(&self);
}

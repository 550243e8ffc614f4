-- hearth foundation schema: accounts, sessions, applications, guilds, roles, members,
-- channels, invites and messages.
--
-- Ids are snowflakes stored as BIGINT; instants are microseconds since the Unix epoch (BIGINT),
-- so both backends store and compare them the same way. (SQLite: INTEGER PRIMARY KEY makes the
-- id the rowid, so lookups by id need no second index.) Guild-scoped tables lead with guild_id
-- and messages with channel_id, the keys a distributed (Citus) layout would shard them by.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    -- lowercase username: names are unique without regard to case (for people, not bots)
    username_key  TEXT NOT NULL,
    global_name   TEXT,
    email         TEXT,
    email_key     TEXT,
    avatar        TEXT,
    bot           BOOLEAN NOT NULL DEFAULT FALSE,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username_key) WHERE bot = FALSE;
CREATE UNIQUE INDEX users_email_key ON users (email_key);

-- Password hashes live apart from the user row, so that reading users never touches them.
CREATE TABLE credentials (
    user_id        INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash  TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- One row per login (kind 'user') or bot token (kind 'bot'). Only the SHA-256 of the token is kept.
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- An application owns one bot user; the application id is the bot user's id, as on Discord.
CREATE TABLE applications (
    id           INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    owner_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    bot_public   BOOLEAN NOT NULL DEFAULT TRUE,
    verify_key   TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX applications_owner ON applications (owner_id);

CREATE TABLE guilds (
    id                             INTEGER PRIMARY KEY,
    name                           TEXT NOT NULL,
    owner_id                       BIGINT NOT NULL REFERENCES users (id),
    icon                           TEXT,
    description                    TEXT,
    system_channel_id              BIGINT,
    verification_level             BIGINT NOT NULL DEFAULT 0,
    default_message_notifications  BIGINT NOT NULL DEFAULT 0,
    explicit_content_filter        BIGINT NOT NULL DEFAULT 0,
    afk_timeout                    BIGINT NOT NULL DEFAULT 300,
    preferred_locale               TEXT NOT NULL DEFAULT 'en-US',
    created_at                     BIGINT NOT NULL
);

-- The @everyone role has the guild's id.
CREATE TABLE roles (
    guild_id     BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    id           BIGINT NOT NULL,
    name         TEXT NOT NULL,
    permissions  BIGINT NOT NULL,
    color        BIGINT NOT NULL DEFAULT 0,
    hoist        BOOLEAN NOT NULL DEFAULT FALSE,
    mentionable  BOOLEAN NOT NULL DEFAULT FALSE,
    managed      BOOLEAN NOT NULL DEFAULT FALSE,
    position     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, id)
);

CREATE TABLE members (
    guild_id                      BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    user_id                       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nick                          TEXT,
    joined_at                     BIGINT NOT NULL,
    -- joined through a temporary invite: removed on disconnect unless given a role
    temporary                     BOOLEAN NOT NULL DEFAULT FALSE,
    communication_disabled_until  BIGINT,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE member_roles (
    guild_id  BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    role_id   BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id, role_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES members (guild_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (guild_id, role_id) REFERENCES roles (guild_id, id) ON DELETE CASCADE
);

CREATE TABLE channels (
    id                   INTEGER PRIMARY KEY,
    guild_id             BIGINT REFERENCES guilds (id) ON DELETE CASCADE,
    type                 BIGINT NOT NULL,
    name                 TEXT,
    topic                TEXT,
    position             BIGINT NOT NULL DEFAULT 0,
    parent_id            BIGINT,
    nsfw                 BOOLEAN NOT NULL DEFAULT FALSE,
    rate_limit_per_user  BIGINT NOT NULL DEFAULT 0,
    last_message_id      BIGINT,
    created_at           BIGINT NOT NULL
);
CREATE INDEX channels_guild ON channels (guild_id);

CREATE TABLE invites (
    code        TEXT PRIMARY KEY,
    guild_id    BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    channel_id  BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    inviter_id  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    max_age     BIGINT NOT NULL,
    max_uses    BIGINT NOT NULL,
    uses        BIGINT NOT NULL DEFAULT 0,
    temporary   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    -- NULL: never expires (max_age 0)
    expires_at  BIGINT
);
CREATE INDEX invites_guild ON invites (guild_id);
CREATE INDEX invites_channel ON invites (channel_id);

-- History reads are range scans over (channel_id, id). Deleted messages stay as tombstones
-- (deleted_at set) and are left out of every read.
CREATE TABLE messages (
    channel_id            BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    id                    BIGINT NOT NULL,
    author_id             BIGINT NOT NULL REFERENCES users (id),
    type                  BIGINT NOT NULL DEFAULT 0,
    content               TEXT NOT NULL,
    nonce                 TEXT,
    tts                   BOOLEAN NOT NULL DEFAULT FALSE,
    flags                 BIGINT NOT NULL DEFAULT 0,
    -- JSON array of embed objects
    embeds                TEXT NOT NULL DEFAULT '[]',
    reference_message_id  BIGINT,
    reference_channel_id  BIGINT,
    reference_guild_id    BIGINT,
    edited_at             BIGINT,
    deleted_at            BIGINT,
    PRIMARY KEY (channel_id, id)
);
-- an author's recent messages in a channel: enforce_nonce and slow mode look them up
CREATE INDEX messages_author ON messages (channel_id, author_id, id);

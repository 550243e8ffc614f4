-- Moderation: channel permission overwrites, bans and the audit log.
--
-- Like every guild-scoped table these lead with guild_id (or, for overwrites, with channel_id
-- and carry guild_id beside it), so that a guild's rows sit together. Ids are snowflakes,
-- instants microseconds since the Unix epoch, as everywhere else.
--
-- Roles need no index on position: a guild has at most a few hundred, read through the primary
-- key (guild_id, id) and sorted after.

-- A channel's permission overwrites: one per role (kind 0; the role with the guild's id is
-- @everyone) or member (kind 1). target_id has no foreign key, as it names either a role or a
-- user; deleting a role deletes its overwrites in the same transaction.
CREATE TABLE channel_overwrites (
    channel_id  BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    -- the channel's guild, so a guild's overwrites (for permission checks) are one range scan
    guild_id    BIGINT NOT NULL,
    target_id   BIGINT NOT NULL,
    -- 0 role, 1 member (Discord's overwrite type)
    kind        BIGINT NOT NULL,
    -- permission bits granted and taken away
    allow       BIGINT NOT NULL,
    deny        BIGINT NOT NULL,
    PRIMARY KEY (channel_id, target_id)
);
-- a guild's overwrites in the order they are read (by channel, then target)
CREATE INDEX channel_overwrites_guild ON channel_overwrites (guild_id, channel_id, target_id);

-- Banned users. user_id has no foreign key: users are never deleted, and a user may be banned
-- before they ever join. Listed by ascending user id (the primary key's order).
CREATE TABLE bans (
    guild_id    BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL,
    reason      TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- What moderators (and the system) did in a guild, read newest first by id, optionally for one
-- actor or one action type.
CREATE TABLE audit_log (
    guild_id     BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    id           BIGINT NOT NULL,
    -- who did it; NULL: the system
    user_id      BIGINT,
    -- what it was done to (a user, role, channel, message, ...), when anything
    target_id    BIGINT,
    -- Discord's audit log event number
    action_type  BIGINT NOT NULL,
    -- JSON array of {key, old_value, new_value}
    changes      TEXT NOT NULL,
    -- JSON object of extra information, when the action has any
    options      TEXT,
    reason       TEXT,
    PRIMARY KEY (guild_id, id)
);
CREATE INDEX audit_log_user ON audit_log (guild_id, user_id, id);
CREATE INDEX audit_log_action ON audit_log (guild_id, action_type, id);

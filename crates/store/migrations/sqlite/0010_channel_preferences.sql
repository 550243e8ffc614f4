-- Each person's notification settings and channel preferences, in the shape of Discord's user
-- guild settings (docs/api.md, "Notification settings and channel preferences").
--
-- `guild_preferences`: one row per user and guild where the user changed something; the DMs
-- and group DMs are the entry of no guild, stored as guild_id 0 (a primary key cannot hold
-- NULL on PostgreSQL). There is no foreign key to guilds for that reason: the row of a guild
-- the user left (or that was deleted) is kept but not read (READY lists the guilds the user is
-- a member of), and is read again if they join once more, as on Discord. `version` counts the
-- writes of the entry (its channel overrides included): the first is 1.
CREATE TABLE guild_preferences (
    user_id                BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the guild, or 0 for the DMs and group DMs
    guild_id               BIGINT  NOT NULL,
    muted                  BOOLEAN NOT NULL DEFAULT FALSE,
    -- the mute's end (microseconds); NULL: until turned off. Past: reads as not muted.
    mute_end_time          BIGINT,
    -- the length the user picked, in seconds (-1: until turned off); NULL: no mute_config
    mute_window            BIGINT,
    -- 0 all messages, 1 only mentions, 2 nothing, 3 the guild's default (all for the DMs)
    message_notifications  BIGINT  NOT NULL DEFAULT 3,
    suppress_everyone      BOOLEAN NOT NULL DEFAULT FALSE,
    suppress_roles         BOOLEAN NOT NULL DEFAULT FALSE,
    mobile_push            BOOLEAN NOT NULL DEFAULT TRUE,
    hide_muted_channels    BOOLEAN NOT NULL DEFAULT FALSE,
    -- 0 default, 1 off, 2 on
    notify_highlights      BIGINT  NOT NULL DEFAULT 0,
    flags                  BIGINT  NOT NULL DEFAULT 0,
    version                BIGINT  NOT NULL CHECK (version > 0),
    updated_at             BIGINT  NOT NULL,
    PRIMARY KEY (user_id, guild_id)
);

-- Per user and channel: the channel overrides of an entry (mute, notification level, collapsed
-- category) and hearth's own: favourite, and when the user last opened the channel. Removed
-- with the channel. `guild_id` is the channel's guild (0 for a DM or group DM), so that one
-- entry's overrides are read by one index range.
CREATE TABLE channel_preferences (
    user_id                BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id             BIGINT  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    guild_id               BIGINT  NOT NULL,
    muted                  BOOLEAN NOT NULL DEFAULT FALSE,
    mute_end_time          BIGINT,
    mute_window            BIGINT,
    -- 0 all, 1 only mentions, 2 nothing, 3 as the guild's entry says
    message_notifications  BIGINT  NOT NULL DEFAULT 3,
    collapsed              BOOLEAN NOT NULL DEFAULT FALSE,
    favorite               BOOLEAN NOT NULL DEFAULT FALSE,
    -- when the user last opened the channel (microseconds), at most one write a minute
    last_accessed_at       BIGINT,
    PRIMARY KEY (user_id, channel_id)
);
CREATE INDEX channel_preferences_entry ON channel_preferences (user_id, guild_id);

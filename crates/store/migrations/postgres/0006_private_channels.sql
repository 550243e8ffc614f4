-- Private channels: direct messages (type 1, two people) and group DMs (type 3, up to ten).
-- The channel itself is a row of `channels` without a guild; this table holds what only a
-- private channel has. `recipient_key` is the member set, its ids sorted and joined, prefixed
-- by the type ("1:10,42"): one channel per member set, so opening a DM (or a group DM) with
-- the same people finds the same channel, from either side, even when two requests race.
CREATE TABLE private_channels (
    channel_id     BIGINT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    owner_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    icon           TEXT,
    recipient_key  TEXT NOT NULL UNIQUE
);

-- Who is in a private channel.
CREATE TABLE channel_recipients (
    channel_id  BIGINT NOT NULL REFERENCES private_channels (channel_id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_recipients_user ON channel_recipients (user_id);

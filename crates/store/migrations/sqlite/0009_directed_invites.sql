-- Directed invites: one user invites another, by name, to a guild or to one of its channels,
-- with an optional message and, for a channel, permissions granted there on acceptance. The
-- invite keeps its status (0 pending, 1 accepted, 2 declined, 3 cancelled, 4 expired) and the
-- instants it was created, expires and was resolved (left pending: NULL).
--
-- Each user's invites, received or sent, are one index range each; the purge of expired
-- invites reads the pending ones by expiry. A sender has at most one pending invite for a
-- recipient to a target (the guild, or one channel of it): the partial unique index below.
CREATE TABLE directed_invites (
    id            INTEGER PRIMARY KEY,
    guild_id      BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    -- NULL: an invite to the guild; else to this channel of it
    channel_id    BIGINT REFERENCES channels (id) ON DELETE CASCADE,
    sender_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- permission bits granted in the channel (a member overwrite's allow); 0 for a guild
    permissions   BIGINT NOT NULL DEFAULT 0,
    message       TEXT,
    status        BIGINT NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 4),
    created_at    BIGINT NOT NULL,
    -- NULL: never expires
    expires_at    BIGINT,
    -- when it stopped being pending
    resolved_at   BIGINT,
    CHECK (sender_id <> recipient_id)
);
CREATE INDEX directed_invites_recipient ON directed_invites (recipient_id, id);
CREATE INDEX directed_invites_sender ON directed_invites (sender_id, id);
CREATE INDEX directed_invites_pending ON directed_invites (expires_at) WHERE status = 0;
CREATE UNIQUE INDEX directed_invites_one_pending
    ON directed_invites (sender_id, recipient_id, guild_id, COALESCE(channel_id, 0))
    WHERE status = 0;

-- Which invite a member joined by: a code invite's code, or a directed invite's id (neither:
-- added otherwise, e.g. the guild's creator or an added bot). Kept when the invite goes.
ALTER TABLE members ADD COLUMN joined_by_code TEXT;
ALTER TABLE members ADD COLUMN joined_by_invite_id BIGINT;

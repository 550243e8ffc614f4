-- Guests and member kinds, default channels, channel counters (seed 002).
--
-- A member's kind: 'member', 'guest' or 'bot' (a bot user's membership, whatever was asked).
-- A guest holds nothing of @everyone: only their roles and their own channel overwrites count,
-- so they see the channels they were given. A guest may have an expiry (microseconds), after
-- which the server's sweep removes them; no one else has one.
ALTER TABLE members ADD COLUMN kind TEXT NOT NULL DEFAULT 'member'
    CHECK (kind IN ('member', 'guest', 'bot'));
ALTER TABLE members ADD COLUMN guest_expires_at BIGINT;
UPDATE members SET kind = 'bot' WHERE user_id IN (SELECT id FROM users WHERE bot);
-- The sweep's scan: only guests with an expiry are indexed.
CREATE INDEX members_guest_expiry ON members (guest_expires_at)
    WHERE guest_expires_at IS NOT NULL;

-- An invite may admit guests: those who join by it become guests given its channel, for
-- guest_ttl seconds (0: no expiry).
ALTER TABLE invites ADD COLUMN guest BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE invites ADD COLUMN guest_ttl BIGINT NOT NULL DEFAULT 0;

-- A guild's default channels, in order: shown first to new members. A deleted channel leaves
-- the list with its row.
CREATE TABLE guild_default_channels (
    guild_id    BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    channel_id  BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

-- Channel counters kept by the message insert itself (the same UPDATE that moves
-- last_message_id): messages posted and not deleted, and when the last one was posted
-- (microseconds; NULL: never).
ALTER TABLE channels ADD COLUMN message_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN last_activity_at BIGINT;

-- Deletion and retention (seed 004): what is left of a deleted message, secret channels, and
-- how long a guild or a channel keeps its messages.
--
-- A deleted message stays as a tombstone (id, author, type, times, reference) so that
-- positions and replies keep their place; its content, embeds and nonce are erased when it is
-- deleted. Tombstones made before this migration still held their text: erase it now.
UPDATE messages SET content = '', embeds = '[]', nonce = NULL WHERE deleted_at IS NOT NULL;

-- A channel's own rules. `secret`: a deleted message leaves no row at all (no tombstone).
-- `retention_days`: messages older than that many days are purged (NULL: the guild's rule).
-- A channel without a row has neither.
CREATE TABLE channel_retention (
    channel_id      BIGINT  PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    secret          BOOLEAN NOT NULL DEFAULT FALSE,
    retention_days  BIGINT  CHECK (retention_days IS NULL OR retention_days > 0),
    updated_at      BIGINT  NOT NULL
);

-- A guild's rule for its channels that have none of their own.
CREATE TABLE guild_retention (
    guild_id        BIGINT  PRIMARY KEY REFERENCES guilds (id) ON DELETE CASCADE,
    retention_days  BIGINT  NOT NULL CHECK (retention_days > 0),
    updated_at      BIGINT  NOT NULL
);

-- Forwards: a message_reference of type 1 copies the forwarded message's content and embeds
-- into the forward (seed 004: the forward survives the original's deletion); 0 is a reply.
ALTER TABLE messages ADD COLUMN reference_kind BIGINT NOT NULL DEFAULT 0;

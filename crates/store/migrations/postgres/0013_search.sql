-- Message search (docs/api.md, "Searching messages").
--
-- `message_search` holds one row per message that is not deleted: `rowid` is the message's id.
-- `body` is the message's searchable text as hearth normalises it before it is written (see
-- crates/store/src/search/normalize.rs): lower case, accents removed, every run of punctuation
-- a single space, each Chinese, Japanese or Korean character a word of its own, and a space at
-- both ends, so that a query word matches where ` word` occurs. The same text is stored on
-- SQLite and the same LIKE patterns run on both, so both databases find the same messages;
-- here a pg_trgm GIN index answers the LIKE patterns (rows are rechecked, so the index never
-- changes what is found; patterns with a run of fewer than three characters scan the rows of
-- the searched channels instead).
-- `mentions`: ` id id ` of the users the content mentions (`<@id>`, `<@!id>`);
-- `has_bits`: what the message has (1 link, 2 embed, 4 file, 8 image, 16 video, 32 sound,
-- 64 sticker), in the store's `search::has` constants.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE message_search (
    rowid       BIGINT NOT NULL PRIMARY KEY,
    channel_id  BIGINT NOT NULL,
    body        TEXT   NOT NULL,
    mentions    TEXT   NOT NULL,
    has_bits    BIGINT NOT NULL,
    FOREIGN KEY (channel_id, rowid) REFERENCES messages (channel_id, id) ON DELETE CASCADE
);
CREATE INDEX message_search_body ON message_search USING gin (body gin_trgm_ops);

-- The messages written before search existed, indexed at start in batches (the normaliser is
-- hearth's code, not SQL) and removed from here as they are.
CREATE TABLE message_search_pending (
    channel_id  BIGINT NOT NULL,
    id          BIGINT NOT NULL,
    PRIMARY KEY (channel_id, id)
);
INSERT INTO message_search_pending (channel_id, id)
    SELECT channel_id, id FROM messages WHERE deleted_at IS NULL;

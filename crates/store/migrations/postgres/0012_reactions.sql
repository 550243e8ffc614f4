-- Reactions to messages (docs/api.md, "Reactions"): one row per user, message and emoji.
-- `emoji` is the unicode emoji itself (custom emoji do not exist yet). `reacted_at`
-- (microseconds) orders a message's emoji by their first reaction, as Discord lists them.
-- A message's rows go with it: deleting a message (a tombstone) deletes them in the same
-- transaction, and the foreign key takes them with the channel.
CREATE TABLE reactions (
    channel_id  BIGINT NOT NULL,
    message_id  BIGINT NOT NULL,
    emoji       TEXT   NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reacted_at  BIGINT NOT NULL,
    PRIMARY KEY (channel_id, message_id, emoji, user_id),
    FOREIGN KEY (channel_id, message_id) REFERENCES messages (channel_id, id) ON DELETE CASCADE
);

-- Relationships between users: friends, friend requests and blocks (Discord's relationship
-- types).
--
-- Each user keeps their own side, one row per (user_id, other_id): a friendship is two rows of
-- type 1; a friend request is type 4 (outgoing) for the sender and type 3 (incoming) for the
-- target; a block is type 2 on the blocker's side only, so that both may block each other and
-- each block is lifted alone. A user's relationships are one range scan of the primary key;
-- "has either blocked the other" reads the two rows of a pair by key.
CREATE TABLE relationships (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 1 friend, 2 blocked, 3 incoming request, 4 outgoing request
    type      BIGINT NOT NULL CHECK (type BETWEEN 1 AND 4),
    -- when the relationship took its type (the request sent, the friendship begun, the block)
    since     BIGINT NOT NULL,
    -- the user's own name for a friend, shown only to them
    nickname  TEXT,
    PRIMARY KEY (user_id, other_id),
    CHECK (user_id <> other_id)
);

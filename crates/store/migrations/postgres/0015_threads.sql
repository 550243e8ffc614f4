-- Threads: channels of type 10 (announcement thread), 11 (public) and 12 (private) whose
-- channels row names their parent channel in parent_id. What only a thread has lives here, one
-- row per thread, removed with its channel. The thread's message count and last activity are
-- the channels row's counters (kept by the message insert, as for every channel).
--
-- archived / locked / auto_archive_duration (minutes: 60, 1440, 4320 or 10080) /
-- archive_timestamp (microseconds: when archived changed last, or the creation) and
-- invitable (private threads: whether non-moderators may add others) are Discord's
-- thread_metadata. owner_id is who created it. The starter message of a thread made from a
-- message has the thread's id. parent_id is repeated here so that a channel's threads are
-- read through one index.
CREATE TABLE threads (
    channel_id             BIGINT  NOT NULL PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    guild_id               BIGINT  NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    parent_id              BIGINT  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    owner_id               BIGINT  NOT NULL,
    archived               BOOLEAN NOT NULL DEFAULT FALSE,
    locked                 BOOLEAN NOT NULL DEFAULT FALSE,
    invitable              BOOLEAN NOT NULL DEFAULT TRUE,
    auto_archive_duration  BIGINT  NOT NULL DEFAULT 1440
        CHECK (auto_archive_duration IN (60, 1440, 4320, 10080)),
    archive_timestamp      BIGINT  NOT NULL,
    created_at             BIGINT  NOT NULL
);
-- A channel's threads, newest archived first (the archived lists page by archive_timestamp).
CREATE INDEX threads_parent ON threads (parent_id, archived, archive_timestamp);
-- The active threads of a guild (GUILD_CREATE, GET /guilds/{id}/threads/active, the sweep).
CREATE INDEX threads_active ON threads (guild_id) WHERE archived = FALSE;

-- Who joined which thread (the creator, those who posted or were added), with when.
CREATE TABLE thread_members (
    channel_id  BIGINT NOT NULL REFERENCES threads (channel_id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at   BIGINT NOT NULL,
    flags       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX thread_members_user ON thread_members (user_id);

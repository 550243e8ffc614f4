-- Each person's settings (theme, locale, status, ...): one JSON document per user, versioned
-- for optimistic concurrency.
--
-- The document is a JSON object of the settings the user has set, opaque to the database (its
-- keys and their rules are the API's, docs/api.md "User settings"). `version` counts the
-- writes: the first is 1 (no row means version 0, nothing set), and each write names the
-- version it read, so a write made from a stale read changes nothing (a conditional UPDATE
-- ... WHERE version = $n, or an INSERT that conflicts with a row written meanwhile).
CREATE TABLE user_settings (
    user_id     BIGINT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    version     BIGINT NOT NULL CHECK (version > 0),
    -- the JSON object, compact (at most 16 KiB, checked by the API)
    document    TEXT   NOT NULL,
    -- when it was last written (microseconds)
    updated_at  BIGINT NOT NULL
);

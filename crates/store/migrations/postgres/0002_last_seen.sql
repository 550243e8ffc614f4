-- When a user was last connected to the gateway (microseconds since the Unix epoch); NULL
-- until their first session ends. Written when a user's last session goes away.
ALTER TABLE users ADD COLUMN last_seen_at BIGINT;

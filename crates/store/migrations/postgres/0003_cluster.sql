-- Cluster coordination between nodes sharing this database.
--
-- A node holds a lease on its node id (0..=1023, the 10 node bits of every snowflake it makes),
-- renewed by its heartbeat: a lease whose expires_at has passed is free to be taken, so a node
-- that died gives its id back by itself, and two live nodes never share an id (and so never make
-- the same snowflake). Instants are microseconds since the Unix epoch, as everywhere else.
CREATE TABLE node_leases (
    node_id     BIGINT PRIMARY KEY CHECK (node_id BETWEEN 0 AND 1023),
    -- who holds it: unique per running node process, so a restarted node is a new holder
    holder      TEXT NOT NULL,
    -- where other nodes can reach this one, if anywhere
    url         TEXT,
    started_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- Each node's contribution to the presence of the users connected to it: a user's presence is
-- the merge of their rows from nodes with a live lease (readers join node_leases for that).
-- Rows of a dead node stay until a survivor reaps them, so node_id has no foreign key to
-- node_leases. Nor does user_id reference users: users are never deleted, only disabled.
CREATE TABLE presences (
    user_id        BIGINT NOT NULL,
    node_id        BIGINT NOT NULL,
    status         TEXT NOT NULL,
    -- JSON array of activity objects
    activities     TEXT NOT NULL,
    -- JSON object: device kind → status
    client_status  TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, node_id)
);
-- a node's rows: release, clear and reap delete by node
CREATE INDEX presences_node ON presences (node_id);

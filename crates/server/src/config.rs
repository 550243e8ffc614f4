//! Configuration: defaults in code, then `hearth.toml` (or `--config FILE`), then `HEARTH_...`
//! environment variables (nested keys joined by `__`, e.g. `HEARTH_DATABASE__URL`), then flags.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// The top-level settings (and sections), as environment variables name them.
const SETTINGS: &[&str] = &[
    "listen",
    "data_dir",
    "public_url",
    "node_id",
    "primary_guild",
    "database",
    "bus",
    "cluster",
    "http",
    "auth",
    "gateway",
    "invites",
    "guests",
    "retention",
];

/// Everything `hearth serve` can be told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Directory for hearth's data: the SQLite database unless `database.url` says otherwise
    /// (created if missing).
    pub data_dir: PathBuf,
    /// Base URL clients reach this server at (e.g. `https://chat.example.org`); when unset,
    /// the published gateway URL follows each request's Host header.
    pub public_url: Option<String>,
    /// This node's id (0-1023), part of every id it makes. Leased from the database at start
    /// either way, so that two live nodes never share one; when unset, the lowest free id.
    pub node_id: Option<u16>,
    /// The instance's primary guild: every account signed up from then on joins it (and may
    /// not leave it). None: no primary guild.
    pub primary_guild: Option<hearth_core::GuildId>,
    /// Storage.
    pub database: DatabaseConfig,
    /// Events between nodes.
    pub bus: BusConfig,
    /// Running as one of several nodes.
    pub cluster: ClusterConfig,
    /// HTTP limits and shutdown.
    pub http: HttpConfig,
    /// Password hashing and login/registration throttles.
    pub auth: hearth_api::limits::AuthConfig,
    /// Real-time gateway.
    pub gateway: hearth_gateway::GatewayConfig,
    /// Invites.
    pub invites: InvitesConfig,
    /// Guests of guilds.
    pub guests: GuestsConfig,
    /// The purge of messages past their channel's retention.
    pub retention: RetentionConfig,
}

/// `[invites]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InvitesConfig {
    /// Seconds between two purges of expired invites (code invites past their `max_age` are
    /// deleted, pending directed invites past theirs become expired); 0 turns the purge off.
    /// Every node of a cluster runs it; each invite is purged, and announced, once.
    pub purge_interval_secs: u64,
}

impl Default for InvitesConfig {
    fn default() -> Self {
        InvitesConfig {
            purge_interval_secs: 60,
        }
    }
}

/// `[guests]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GuestsConfig {
    /// Seconds between two sweeps for guests whose access expired (each node sweeps; a guest
    /// is removed once, by one of them). A guest stays at most this long past their expiry.
    pub sweep_interval_secs: u64,
}

impl Default for GuestsConfig {
    fn default() -> Self {
        GuestsConfig {
            sweep_interval_secs: 60,
        }
    }
}

/// `[retention]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Seconds between two purges of messages older than their channel's retention (the
    /// channel's own, else its guild's; set through `/channels/{id}/retention` and
    /// `/guilds/{id}/retention`). 0 turns the purge off. Every node runs it; each message is
    /// purged, and announced, once.
    pub purge_interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            purge_interval_secs: 3600,
        }
    }
}

/// `[database]`.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/DB`; when unset,
    /// `sqlite://<data_dir>/hearth.db`.
    pub url: Option<String>,
}

impl fmt::Debug for DatabaseConfig {
    /// Hides the password a URL may carry.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.url.as_deref().map(redact_url);
        f.debug_struct("DatabaseConfig")
            .field("url", &shown)
            .finish()
    }
}

/// `[bus]`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusConfig {
    /// `nats://HOST:PORT` (several separated by commas): carry events between the nodes of a
    /// cluster over NATS. When unset, events stay inside this process (a single node).
    pub url: Option<String>,
    /// First token of every NATS subject, so that several clusters can share one NATS.
    pub subject_prefix: String,
    /// Seconds to wait for NATS at start before giving up.
    pub connect_timeout_secs: u64,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            url: None,
            subject_prefix: "hearth".into(),
            connect_timeout_secs: 10,
        }
    }
}

impl fmt::Debug for BusConfig {
    /// Hides the password a URL may carry.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.url.as_deref().map(redact_url);
        f.debug_struct("BusConfig")
            .field("url", &shown)
            .field("subject_prefix", &self.subject_prefix)
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .finish()
    }
}

/// `[cluster]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterConfig {
    /// This node's own base URL, reachable by clients without the load balancer (e.g.
    /// `https://node2.chat.example.org`); READY's `resume_gateway_url` points there so that a
    /// resuming client reaches the node holding its session. When unset: as `public_url`.
    pub node_url: Option<String>,
    /// Seconds a node's lease on its id lasts without renewal (renewed every third of it). A
    /// node that stops renewing is dead: after this long, the others take its users' presence
    /// offline, and its id may be leased again.
    pub lease_secs: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            node_url: None,
            lease_secs: 15,
        }
    }
}

/// `scheme://user:secret@host/db` → `scheme://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// `[http]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// Seconds in-flight requests get to finish at shutdown.
    pub shutdown_timeout_secs: u64,
    /// Take the client's address (recorded with sessions, and the key of the login and
    /// registration throttles) from the last entry of `X-Forwarded-For`, as appended by a
    /// reverse proxy in front of hearth. Only when every request comes through such a proxy.
    pub trust_forwarded_for: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./hearth-data"),
            public_url: None,
            node_id: None,
            primary_guild: None,
            database: DatabaseConfig::default(),
            bus: BusConfig::default(),
            cluster: ClusterConfig::default(),
            http: HttpConfig::default(),
            auth: hearth_api::limits::AuthConfig::default(),
            gateway: hearth_gateway::GatewayConfig::default(),
            invites: InvitesConfig::default(),
            guests: GuestsConfig::default(),
            retention: RetentionConfig::default(),
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_body_bytes: 1024 * 1024,
            shutdown_timeout_secs: 30,
            trust_forwarded_for: false,
        }
    }
}

impl Config {
    /// Loads the layers. `file`: an explicit file (must exist); else `hearth.toml` if present.
    pub fn load(file: Option<&Path>) -> Result<Config, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => fig = fig.merge(Toml::file_exact(path)),
            None => fig = fig.merge(Toml::file("hearth.toml")),
        }
        // The environment is shared with other programs (the test suite's HEARTH_TEST_*, scripts'
        // own HEARTH_* variables): only names that start with a setting of ours are read.
        let env = Env::prefixed("HEARTH_").split("__").filter(|k| {
            // The key arrives already split: `http.max_body_bytes`.
            let head = k
                .as_str()
                .split('.')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            SETTINGS.contains(&head.as_str())
        });
        let config: Config = fig.merge(env).extract().map_err(Box::new)?;
        config
            .validate()
            .map_err(|e| Box::new(figment::Error::from(e)))?;
        Ok(config)
    }

    /// Checks values serde cannot: the node id must fit the 10 bits ids give it; a lease must
    /// outlast a few renewals; a cluster bus needs a shared database; the gateway's own checks.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(id) = self
            .node_id
            .filter(|id| *id > hearth_core::snowflake::MAX_NODE_ID)
        {
            return Err(format!(
                "node_id {id} is out of range: it must be between 0 and {}",
                hearth_core::snowflake::MAX_NODE_ID
            ));
        }
        if self.guests.sweep_interval_secs == 0 {
            return Err("guests.sweep_interval_secs must be at least 1".into());
        }
        if self.cluster.lease_secs < 3 {
            return Err("cluster.lease_secs must be at least 3".into());
        }
        if self.bus.url.is_some() && self.database_url().starts_with("sqlite:") {
            return Err(
                "bus.url is set but the database is SQLite: the nodes of a cluster share one \
                 PostgreSQL database (set database.url)"
                    .into(),
            );
        }
        let prefix = &self.bus.subject_prefix;
        if prefix.is_empty()
            || !prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err("bus.subject_prefix must be letters, digits, '_' or '-'".into());
        }
        self.gateway.validate()?;
        Ok(())
    }

    /// The database URL: configured, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("hearth.db").display()),
        }
    }
}

/// The commented example printed by `hearth config example`; every value is the default.
pub const EXAMPLE: &str = r#"# hearth configuration (hearth.toml in the working directory, or --config FILE).
# Every setting can also come from the environment as HEARTH_<KEY>, nested keys joined
# by "__": HEARTH_LISTEN, HEARTH_DATABASE__URL, HEARTH_HTTP__MAX_BODY_BYTES, ...
# Precedence: flags > environment > this file > defaults. Values below are the defaults.

# Address and port to listen on.
listen = "127.0.0.1:8080"

# Directory for hearth's data: the SQLite database unless [database] url says otherwise
# (created if missing).
data_dir = "./hearth-data"

# Base URL clients reach this server at, e.g. behind a reverse proxy:
#   public_url = "https://chat.example.org"
# When unset, the published gateway URL follows each request's Host header.

# This node's id (0-1023), part of every id it makes. Every node leases its id from the
# database at start, so two live nodes never share one; when unset, the lowest free id.
#   node_id = 0

# The id of a guild every account signed up from now on joins (people, not bots), and may
# not leave: the community's home. Existing accounts are not added.
#   primary_guild = "1573933365260713984"

[database]
# sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB. When unset, hearth uses
# sqlite://<data_dir>/hearth.db (SQLite in WAL mode). Migrations are applied at start.
#   url = "postgres://hearth@127.0.0.1:5432/hearth"

[bus]
# nats://HOST:PORT (several separated by commas) carries events between the nodes of a
# cluster; requires a PostgreSQL database.url shared by the nodes. When unset, events stay
# inside this process (one node).
#   url = "nats://127.0.0.1:4222"

# First token of every NATS subject, so that several clusters can share one NATS.
subject_prefix = "hearth"

# Seconds to wait for NATS at start before giving up.
connect_timeout_secs = 10

[cluster]
# This node's own base URL, reachable by clients directly (not through the load balancer);
# READY's resume_gateway_url points there. When unset: as public_url.
#   node_url = "https://node1.chat.example.org"

# Seconds a node's lease on its id lasts without renewal (renewed every third of it). After
# this long without renewal a node counts as dead: the others take its users' presence
# offline and its id may be leased again.
lease_secs = 15

[guests]
# Seconds between two sweeps for guests whose access expired (each node sweeps; a guest is
# removed once, by one of them). A guest stays at most this long past their expiry.
sweep_interval_secs = 60

[http]
# Largest request body accepted, in bytes; larger bodies are answered with 413.
max_body_bytes = 1048576

# Seconds in-flight requests get to finish when hearth is asked to stop (SIGINT/SIGTERM).
shutdown_timeout_secs = 30

# Take the client's address (recorded with sessions; the key of the login and registration
# throttles) from the last entry of X-Forwarded-For, as a reverse proxy in front appends it.
# Only when every request comes through such a proxy: otherwise clients could pick their own.
trust_forwarded_for = false

[auth]
# Password hashes (argon2id) computed at once; each holds 19 MiB while it runs, so memory
# for hashing stays under hash_concurrency x 19 MiB whatever the load. 0: one per CPU core.
hash_concurrency = 0

# Registrations and logins that may wait for a turn to hash; more are answered 429 at once.
hash_queue = 32

# Throttles: `burst` attempts at once, then `per_minute` more each minute; beyond that 429
# with the seconds to wait. per_minute = 0 turns one off. Counted by each node on its own.
# Login attempts per account name or e-mail address, from any address:
login_per_account = { burst = 10, per_minute = 3 }
# Login attempts per client address (IPv6: per /64):
login_per_address = { burst = 20, per_minute = 10 }
# Registrations per client address (IPv6: per /64):
register_per_address = { burst = 10, per_minute = 2 }

[gateway]
# Milliseconds between heartbeats asked of clients; a connection silent for 1.5 times this
# is closed (4009) and its session kept for resuming.
heartbeat_interval_ms = 41250

# Events each session keeps for RESUME; a session further behind cannot resume.
resume_buffer = 1024

# Events a connection may have waiting to be written before it is closed as too slow
# (its session stays resumable while the buffer holds what it missed).
queue_limit = 512

# Seconds a disconnected session stays resumable.
resume_timeout_secs = 120

# Commands a connection may send per minute (heartbeats excepted); more closes it (4008).
commands_per_minute = 120

# Whether bots may use the privileged intents (members, presences, message content);
# when false, asking for them closes the connection with 4014.
allow_privileged_intents = true

# Seconds one write to a client may take before the connection is dropped as stalled.
write_timeout_secs = 10

# Largest payload a client may send, in bytes: one WebSocket message, all its frames
# together (at least 4096). A larger one closes the connection with 4002.
max_payload_bytes = 65536

[invites]
# Seconds between two purges of expired invites: code invites past their max_age are
# deleted (INVITE_DELETE), pending directed invites past theirs become expired (told to both
# users). Every node runs it; each invite is purged once. 0 turns the purge off.
purge_interval_secs = 60

[retention]
# Seconds between two purges of messages older than their channel's retention (its own, else
# its guild's: /channels/{id}/retention, /guilds/{id}/retention). Each purge removes the rows
# and what refers to them, and sends MESSAGE_DELETE_BULK. Every node runs it; each message is
# purged once. 0 turns the purge off.
purge_interval_secs = 3600
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_to_the_defaults() {
        let parsed: Config = Figment::from(Toml::string(EXAMPLE)).extract().unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn the_example_mentions_every_setting() {
        let defaults = serde_json::to_value(Config::default()).unwrap();
        let mut keys = Vec::new();
        for (k, v) in defaults.as_object().unwrap() {
            match v.as_object() {
                Some(section) => {
                    assert!(EXAMPLE.contains(&format!("[{k}]")), "section {k}");
                    keys.extend(section.keys().cloned());
                }
                None => keys.push(k.clone()),
            }
        }
        for k in keys {
            assert!(
                EXAMPLE.contains(&format!("{k} =")),
                "setting {k} is not in the example"
            );
        }
    }

    #[test]
    fn unknown_settings_are_refused() {
        let r: Result<Config, _> = Figment::from(Toml::string("lisen = \"x\"")).extract();
        assert!(r.is_err());
    }

    #[test]
    fn passwords_never_reach_debug_output() {
        let c = DatabaseConfig {
            url: Some("postgres://u:hunter2@h/db".into()),
        };
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("u:***@h/db"),
            "{shown}"
        );
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail closure type
    fn environment_variables_override_the_file_and_strangers_are_ignored() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("hearth.toml", "node_id = 3\n[http]\nmax_body_bytes = 10\n")?;
            jail.set_env("HEARTH_HTTP__MAX_BODY_BYTES", "20");
            jail.set_env("HEARTH_DATABASE__URL", "postgres://h/db");
            jail.set_env("HEARTH_GATEWAY__QUEUE_LIMIT", "77");
            jail.set_env("HEARTH_TEST_POSTGRES_URL", "postgres://elsewhere/x");
            jail.set_env("HEARTH_BIN", "target/debug/hearth");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(c.node_id, Some(3));
            assert_eq!(c.http.max_body_bytes, 20);
            assert_eq!(c.database.url.as_deref(), Some("postgres://h/db"));
            assert_eq!(c.gateway.queue_limit, 77);
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail closure type
    fn an_explicit_file_must_exist_and_node_ids_must_fit() {
        figment::Jail::expect_with(|jail| {
            assert!(Config::load(Some(Path::new("missing.toml"))).is_err());
            jail.create_file("big.toml", "node_id = 1024\n")?;
            let err = Config::load(Some(Path::new("big.toml")))
                .unwrap_err()
                .to_string();
            assert!(err.contains("node_id 1024 is out of range"), "{err}");
            jail.create_file("ok.toml", "node_id = 1023\n")?;
            assert_eq!(
                Config::load(Some(Path::new("ok.toml"))).unwrap().node_id,
                Some(1023)
            );
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail closure type
    fn a_cluster_bus_needs_postgres_and_a_plain_prefix() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("HEARTH_BUS__URL", "nats://127.0.0.1:4222");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(
                err.contains("shared by the nodes") || err.contains("share one"),
                "{err}"
            );
            jail.set_env("HEARTH_DATABASE__URL", "postgres://h/db");
            jail.set_env("HEARTH_CLUSTER__NODE_URL", "http://10.0.0.2:8080");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(c.bus.url.as_deref(), Some("nats://127.0.0.1:4222"));
            assert_eq!(c.cluster.node_url.as_deref(), Some("http://10.0.0.2:8080"));
            jail.set_env("HEARTH_BUS__SUBJECT_PREFIX", "a.b");
            assert!(Config::load(None).is_err());
            jail.set_env("HEARTH_BUS__SUBJECT_PREFIX", "hearth");
            jail.set_env("HEARTH_CLUSTER__LEASE_SECS", "1");
            assert!(Config::load(None).is_err());
            Ok(())
        });
    }

    #[test]
    fn the_database_defaults_to_sqlite_in_the_data_dir() {
        let c = Config {
            data_dir: "/srv/h".into(),
            ..Config::default()
        };
        assert_eq!(c.database_url(), "sqlite:///srv/h/hearth.db");
    }
}

//! SQLite backend: one file in WAL mode. Writes go through a single connection (SQLite allows
//! one writer at a time; queueing in the pool is cheaper than retrying on SQLITE_BUSY), reads
//! through a pool of read-only connections that WAL lets run beside the writer.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{Result, Store};

/// The database the shared SQL in `sql.rs` runs on here.
type DB = sqlx::Sqlite;
/// The type the shared SQL implements the aggregates' traits for.
type Backend = SqliteStore;

// Every aggregate's SQL (`sql.rs` and `sql/`): one text, shared with the PostgreSQL backend and
// compiled here for this one. Loading the file twice is the point, hence the `allow`.
#[allow(clippy::duplicate_mod)]
#[path = "sql.rs"]
mod sql;

/// The SQLite implementation of [`Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and applies migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before the write is acknowledged, even on power loss.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = if url.contains(":memory:") {
            // Every connection to `:memory:` is its own database: share the writer.
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.read_only(true))
                .await?
        };
        Ok(SqliteStore { writer, reader })
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

//! PostgreSQL backend: one pool for reads and writes; PostgreSQL handles concurrent writers.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::{Result, Store};

/// The database the shared SQL in `sql.rs` runs on here.
type DB = sqlx::Postgres;
/// The type the shared SQL implements the aggregates' traits for.
type Backend = PostgresStore;

// Every aggregate's SQL (`sql.rs` and `sql/`): one text, shared with the SQLite backend and
// compiled here for this one. Loading the file twice is the point, hence the `allow`.
#[allow(clippy::duplicate_mod)]
#[path = "sql.rs"]
mod sql;

/// The PostgreSQL implementation of [`Store`].
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` and applies migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

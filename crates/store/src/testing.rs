//! Throwaway databases for tests: a fresh SQLite file, or a fresh PostgreSQL database when
//! `HEARTH_TEST_POSTGRES_URL` is set. Each is removed when dropped, even after a failed test.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;

/// The environment variable naming the PostgreSQL server tests may create databases on.
pub const POSTGRES_ENV: &str = "HEARTH_TEST_POSTGRES_URL";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_suffix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// URL to give to [`crate::connect`] or to the server's `database.url`.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new, empty SQLite database file in a temporary directory.
    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("hearth-test-{}", unique_suffix()));
        std::fs::create_dir_all(&dir).expect("create temporary directory");
        let url = format!("sqlite://{}", dir.join("hearth.db").display());
        TestDatabase {
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A new, empty PostgreSQL database, or None (with a printed notice) when
    /// `HEARTH_TEST_POSTGRES_URL` is not set.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
            eprintln!(
                "notice: {POSTGRES_ENV} is not set; skipping the PostgreSQL run of this test"
            );
            return None;
        };
        let name = format!("hearth_test_{}", unique_suffix());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("connect to {POSTGRES_ENV}: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let url = replace_database(&admin_url, &name);
        Some(TestDatabase {
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }
}

/// `postgres://host:5432/test?x=y` with the database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop may run inside a runtime: use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut conn)
                            .await;
                            let _ = conn.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A user named `name` (no e-mail, no password), for tests that need one to exist.
pub async fn seed_user(store: &dyn crate::Store, id: hearth_core::UserId, name: &str) {
    store
        .insert_user(&crate::NewUser {
            id,
            username: name.to_owned(),
            global_name: None,
            email: None,
            bot: false,
            password_hash: None,
            created_at: hearth_core::Timestamp::now().0,
        })
        .await
        .expect("insert user");
}

/// Guild `id` owned by `owner` (a user that exists), with @everyone holding the default bits
/// and one text channel `channel`, for tests that need one to exist.
pub async fn seed_guild(
    store: &dyn crate::Store,
    id: hearth_core::GuildId,
    owner: hearth_core::UserId,
    channel: hearth_core::ChannelId,
) {
    let now = hearth_core::Timestamp::now().0;
    let general = crate::Channel {
        id: channel,
        guild_id: Some(id),
        kind: 0,
        name: Some("general".into()),
        topic: None,
        position: 0,
        parent_id: None,
        nsfw: false,
        rate_limit_per_user: 0,
        last_message_id: None,
        created_at: now,
    };
    let guild = crate::Guild {
        id,
        name: "Home".into(),
        owner_id: owner,
        icon: None,
        description: None,
        system_channel_id: None,
        verification_level: 0,
        default_message_notifications: 0,
        explicit_content_filter: 0,
        afk_timeout: 300,
        preferred_locale: "en-US".into(),
        created_at: now,
    };
    let everyone = crate::Role {
        guild_id: id,
        id: id.everyone(),
        name: "@everyone".into(),
        permissions: hearth_core::Permissions::DEFAULT_EVERYONE.0 as i64,
        color: 0,
        hoist: false,
        mentionable: false,
        managed: false,
        position: 0,
        bot_id: None,
    };
    store
        .insert_guild(&guild, &everyone, &general)
        .await
        .expect("insert guild");
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://h:5432/test", "x"),
            "postgres://h:5432/x"
        );
        assert_eq!(
            replace_database("postgres://h/test?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
    }
}

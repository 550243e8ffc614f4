//! [`StoreError`], and the one place where driver errors become store errors: every `?` on a
//! sqlx result goes through `From<sqlx::Error>`, so the SQL itself never maps errors.

use sqlx::error::DatabaseError;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken. The text names what was taken, alike on both databases:
    /// a unique column (`username`, `email`, `token_hash`), or `id` when a record with the same
    /// primary key exists (whatever its columns: an invite's code, a ban's guild and user).
    #[error("conflict on {0}")]
    Conflict(String),
    /// A write named a row that is not there: a foreign key found no parent, most often
    /// because a concurrent request deleted it (a message sent into a channel being deleted, an
    /// overwrite or invite on a deleted channel, a member given a deleted role). Nothing was
    /// written. The text is PostgreSQL's constraint name (`messages_channel_id_fkey`), or
    /// `unknown` on SQLite, which does not say which key failed: for logs, not for branching.
    #[error("missing parent row ({0})")]
    MissingParent(String),
    /// The database URL is not one hearth knows.
    #[error("unsupported database url: {0}")]
    UnsupportedUrl(String),
    /// Text holding U+0000, which PostgreSQL cannot store: refused on both backends; the text
    /// names the field.
    #[error("text holds U+0000 in {0}")]
    InvalidText(String),
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A migration failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Result of a store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<sqlx::Error> for StoreError {
    /// A uniqueness conflict becomes [`StoreError::Conflict`] naming what was taken, a foreign
    /// key without its parent row (SQLite's extended code 787, PostgreSQL's SQLSTATE 23503)
    /// becomes [`StoreError::MissingParent`], text PostgreSQL cannot hold becomes
    /// [`StoreError::InvalidText`]; the rest is [`StoreError::Database`].
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Conflict(conflict_name(db.as_ref()));
            }
            if db.is_foreign_key_violation() {
                let constraint = db.constraint().unwrap_or("unknown");
                return StoreError::MissingParent(constraint.to_owned());
            }
            // 22021: character_not_in_repertoire (a U+0000 in text).
            if db.code().as_deref() == Some("22021") {
                return StoreError::InvalidText("unknown".to_owned());
            }
        }
        StoreError::Database(e)
    }
}

/// SQLite's extended result code for a primary key violation (a violated unique index that is
/// not the primary key is 2067, SQLITE_CONSTRAINT_UNIQUE).
const SQLITE_CONSTRAINT_PRIMARYKEY: &str = "1555";

/// What a unique violation took: `id` for a primary key, otherwise the indexed column without
/// the `_key` of a normalised copy (`username_key` is the username).
///
/// PostgreSQL names the constraint: `<table>_pkey`, or the index (`users_email_key`,
/// `sessions_token_hash_key`). SQLite gives no name but a code telling a primary key from
/// another unique index, and a message listing the columns
/// ("UNIQUE constraint failed: users.email_key").
fn conflict_name(db: &dyn DatabaseError) -> String {
    let column = match db.constraint() {
        Some(name) if name.ends_with("_pkey") => return "id".to_owned(),
        Some(name) => db
            .table()
            .and_then(|table| name.strip_prefix(table))
            .and_then(|rest| rest.strip_prefix('_'))
            .unwrap_or(name),
        None if db.code().as_deref() == Some(SQLITE_CONSTRAINT_PRIMARYKEY) => {
            return "id".to_owned()
        }
        None => match db.message().split_once(": ") {
            Some((_, columns)) => {
                let first = columns.split(", ").next().unwrap_or(columns);
                first.split_once('.').map_or(first, |(_, column)| column)
            }
            None => return "unknown".to_owned(),
        },
    };
    column.strip_suffix("_key").unwrap_or(column).to_owned()
}

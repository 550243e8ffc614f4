//! [`StoreError`], and the one place where driver errors become store errors: every `?` on a
//! sqlx result goes through `From<sqlx::Error>`, so the SQL itself never maps errors.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the text names the index or column.
    #[error("conflict on {0}")]
    Conflict(String),
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
    /// A uniqueness conflict becomes [`StoreError::Conflict`] naming its column, text
    /// PostgreSQL cannot hold becomes [`StoreError::InvalidText`]; the rest is
    /// [`StoreError::Database`].
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                // PostgreSQL names the index; SQLite says "UNIQUE constraint failed: users.email_key".
                let what = db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned());
                let column = ["username", "email", "code", "PRIMARY", "pkey"]
                    .into_iter()
                    .find(|c| what.contains(c))
                    .map(|c| match c {
                        "pkey" | "PRIMARY" => "id",
                        c => c,
                    })
                    .unwrap_or("unknown");
                return StoreError::Conflict(column.to_owned());
            }
            // 22021: character_not_in_repertoire (a U+0000 in text).
            if db.code().as_deref() == Some("22021") {
                return StoreError::InvalidText("unknown".to_owned());
            }
        }
        StoreError::Database(e)
    }
}

//! The SQL both backends share, one file per aggregate in `sql/`.
//!
//! This module is compiled twice: `sqlite.rs` and `postgres.rs` each include it with
//! `#[path = "sql.rs"]` after naming their database (`DB`) and their store type (`Backend`,
//! which provides `reader()`, a pool for reads, and `writer()`, a pool for writes). SQLite and
//! PostgreSQL accept the same statements here (numbered `$N` parameters, `RETURNING`,
//! `ON CONFLICT`, partial indexes), and every column is BIGINT, TEXT or BOOLEAN, so each
//! statement has one text, while rustfmt, clippy and the compiler see ordinary code, checked
//! once per database. (A file included through `#[path]` finds its own modules beside it, not
//! in a folder of its name: hence the paths below.)
//!
//! Errors go up with `?` and are translated once, by `From<sqlx::Error>` for
//! [`crate::StoreError`]. Helpers that run inside another method's transaction end in `_in` and
//! live with the aggregate that owns the table they write.
//!
//! Lists of ids and rows are bound through [`QueryBuilder`], which writes each backend's
//! placeholders, in chunks, so that a list of thousands stays under both databases' limits on
//! bound parameters (PostgreSQL: 65535; SQLite: 32766 by default).

use hearth_core::Snowflake;
use sqlx::QueryBuilder;

use super::{Backend, DB};

#[path = "sql/applications.rs"]
mod applications;
#[path = "sql/audit.rs"]
mod audit;
#[path = "sql/bans.rs"]
mod bans;
#[path = "sql/channel_preferences.rs"]
mod channel_preferences;
#[path = "sql/channels.rs"]
mod channels;
#[path = "sql/cluster.rs"]
mod cluster;
#[path = "sql/directed_invites.rs"]
mod directed_invites;
#[path = "sql/guests.rs"]
mod guests;
#[path = "sql/guilds.rs"]
mod guilds;
#[path = "sql/invites.rs"]
mod invites;
#[path = "sql/members.rs"]
mod members;
#[path = "sql/messages.rs"]
mod messages;
#[path = "sql/overwrites.rs"]
mod overwrites;
#[path = "sql/private_channels.rs"]
mod private_channels;
#[path = "sql/reactions.rs"]
mod reactions;
#[path = "sql/relationships.rs"]
mod relationships;
#[path = "sql/retention.rs"]
mod retention;
#[path = "sql/roles.rs"]
mod roles;
#[path = "sql/search.rs"]
mod search;
#[path = "sql/sessions.rs"]
mod sessions;
#[path = "sql/threads.rs"]
mod threads;
#[path = "sql/user_settings.rs"]
mod user_settings;
#[path = "sql/users.rs"]
mod users;

/// Ids bound per `IN (...)` list.
const ID_CHUNK: usize = 1000;
/// Rows per multi-row `INSERT` or `CASE` (at most six parameters each).
const ROW_CHUNK: usize = 500;

/// The ids, ascending and without repeats (so chunked results neither repeat nor interleave).
fn sorted_ids<Id: Copy + Into<Snowflake>>(ids: &[Id]) -> Vec<i64> {
    let mut v: Vec<i64> = ids.iter().map(|id| (*id).into().as_i64()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Appends `(id, id, ...)` to `q`, each id bound.
fn push_id_list(q: &mut QueryBuilder<'_, DB>, ids: &[i64]) {
    q.push("(");
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    q.push(")");
}

//! hearth-store: everything hearth keeps, behind one [`Store`] interface.
//!
//! How the crate is laid out:
//!
//! - One trait per aggregate, in a module of its own, each method stating its contract and its
//!   transaction scope: [`UserStore`] (`users.rs`), [`SessionStore`], [`ApplicationStore`],
//!   [`GuildStore`], [`ChannelStore`], [`MemberStore`], [`RoleStore`], [`OverwriteStore`],
//!   [`BanStore`], [`MessageStore`], [`ReactionStore`] (reactions to messages),
//!   [`InviteStore`], [`AuditStore`], [`PrivateChannelStore`]
//!   (DMs and group DMs), [`RelationshipStore`] (friends, friend requests, blocks),
//!   [`UserSettingsStore`] (each person's versioned settings document), [`DirectedInviteStore`]
//!   (invitations from one user to another), [`ChannelPreferenceStore`] (notification
//!   settings, favourites, last access), [`ThreadStore`] (threads and their members) and [`ClusterStore`]
//!   (node leases and presences). [`Store`] sums them; the rest of hearth holds
//!   an `Arc<dyn Store>`.
//! - [`model`]: the stored records: typed ids ([`hearth_core::ids`], stored as the signed
//!   integer the databases hold) and instants as microseconds.
//! - `error.rs`: [`StoreError`], and the one translation of driver errors into it.
//! - `sqlite.rs` and `postgres.rs`: the two implementations, [`SqliteStore`] and
//!   [`PostgresStore`]: pools, connecting, migrations (`migrations/{sqlite,postgres}/`, applied
//!   by [`connect`] at start).
//! - `sql.rs` and `sql/<aggregate>.rs`: the SQL of each aggregate, one text for both databases.
//!   Each backend names its `DB` and `Backend` types and includes `sql.rs` with `#[path]`, so
//!   the same code is compiled, and checked, once per database.
//! - `text.rs`: the U+0000 check that writes make before reaching the database.
//! - [`testing`]: throwaway databases for tests. `tests/` holds the contract suite, which runs
//!   on both databases.
//!
//! Every write is committed before the method returns. A write naming a row that is gone (a
//! channel, role, guild or user deleted by a concurrent request) writes nothing and fails with
//! [`StoreError::MissingParent`], alike on both databases; never with a driver error.
#![forbid(unsafe_code)]

use std::sync::Arc;

use async_trait::async_trait;

mod applications;
mod audit;
mod bans;
mod channel_preferences;
mod channels;
mod cluster;
mod directed_invites;
mod error;
mod guests;
mod guilds;
mod invites;
mod members;
mod messages;
pub mod model;
mod overwrites;
mod postgres;
mod private_channels;
mod reactions;
mod relationships;
mod retention;
mod roles;
pub mod search;
mod sessions;
mod sqlite;
pub mod testing;
mod text;
mod threads;
mod user_settings;
mod users;

pub use applications::ApplicationStore;
pub use audit::AuditStore;
pub use bans::BanStore;
pub use channel_preferences::ChannelPreferenceStore;
pub use channels::ChannelStore;
pub use cluster::ClusterStore;
pub use directed_invites::{
    DirectedInvite, DirectedInviteAccept, DirectedInviteQuery, DirectedInviteStore, JoinedBy,
};
pub use error::{Result, StoreError};
pub use guests::GuestStore;
pub use guilds::GuildStore;
pub use invites::InviteStore;
pub use members::MemberStore;
pub use messages::MessageStore;
pub use model::*;
pub use overwrites::OverwriteStore;
pub use postgres::PostgresStore;
pub use private_channels::{recipient_key, PrivateChannelStore};
pub use reactions::{ReactionCount, ReactionStore};
pub use relationships::RelationshipStore;
pub use retention::RetentionStore;
pub use roles::RoleStore;
pub use search::{SearchPage, SearchQuery, SearchSort, SearchStore};
pub use sessions::SessionStore;
pub use sqlite::SqliteStore;
pub(crate) use text::{nul_free, CheckText};
pub use threads::{Thread, ThreadMember, ThreadMeta, ThreadPatch, ThreadStore};
pub use user_settings::UserSettingsStore;
pub use users::UserStore;

/// The SHA-256 of a token in hex: the only form in which tokens are stored.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Opens the database named by `url` (`sqlite://...` or `postgres://...`) and applies migrations.
/// Messages written before search existed are indexed then, in batches.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = if url.starts_with("sqlite:") {
        Arc::new(SqliteStore::connect(url).await?)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(PostgresStore::connect(url).await?)
    } else {
        return Err(StoreError::UnsupportedUrl(
            url.split(':').next().unwrap_or_default().to_owned(),
        ));
    };
    while store.update_search_backlog(500).await? > 0 {}
    Ok(store)
}

/// The whole storage interface: every aggregate's trait, and the database itself.
#[async_trait]
pub trait Store:
    UserStore
    + SessionStore
    + ApplicationStore
    + GuildStore
    + ChannelStore
    + MemberStore
    + RoleStore
    + OverwriteStore
    + BanStore
    + MessageStore
    + ReactionStore
    + InviteStore
    + DirectedInviteStore
    + AuditStore
    + PrivateChannelStore
    + RelationshipStore
    + UserSettingsStore
    + ChannelPreferenceStore
    + ClusterStore
    + GuestStore
    + RetentionStore
    + SearchStore
    + ThreadStore
{
    /// Which backend this is (`sqlite` or `postgres`).
    fn backend(&self) -> &'static str;
    /// Whether the database answers.
    async fn ping(&self) -> Result<()>;
    /// Waits for connections in use and closes the pool (at shutdown).
    async fn close(&self);
}

//! Accounts: [`UserStore`].

use async_trait::async_trait;
use hearth_core::{Timestamp, UserId};

use crate::{NewUser, Result, User, UserPatch};

/// Accounts: users and their password hashes.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates a user (and its password hash, when given) in one transaction. Username or
    /// e-mail taken → [`StoreError::Conflict`](crate::StoreError::Conflict) naming `username`
    /// or `email`.
    async fn insert_user(&self, user: &NewUser) -> Result<User>;
    /// One user by id.
    async fn fetch_user(&self, id: UserId) -> Result<Option<User>>;
    /// A person (not a bot) by username, in any case (bots' names are not unique, and no one
    /// finds a bot by name).
    async fn fetch_person_by_username(&self, username: &str) -> Result<Option<User>>;
    /// A person (not a bot) by username (any case) or e-mail, with the password hash.
    async fn fetch_login(&self, login: &str) -> Result<Option<(User, String)>>;
    /// When the user was last connected (None: never, or connected now for the first time).
    async fn fetch_last_seen(&self, id: UserId) -> Result<Option<Timestamp>>;
    /// Whether `viewer` may see when `id` was last seen: they share a guild, or are friends
    /// (or are the same user).
    async fn knows_of(&self, viewer: UserId, id: UserId) -> Result<bool>;
    /// Changes the username and/or display name; returns the updated user. Username taken →
    /// [`StoreError::Conflict`](crate::StoreError::Conflict) naming `username`.
    async fn update_user(&self, id: UserId, patch: &UserPatch) -> Result<Option<User>>;
    /// Records when the user was last connected.
    async fn update_last_seen(&self, id: UserId, at: Timestamp) -> Result<()>;
}

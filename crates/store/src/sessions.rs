//! Login sessions and bot tokens: [`SessionStore`].

use async_trait::async_trait;
use hearth_core::{SessionId, Timestamp, UserId};

use crate::{Result, Session, User};

/// Login sessions and bot tokens, found by the hash of their token.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Records a new session.
    async fn insert_session(&self, session: &Session) -> Result<()>;
    /// The session with this token hash and its (enabled) user.
    async fn fetch_session(&self, token_hash: &str) -> Result<Option<(Session, User)>>;
    /// Every session of a user, newest first.
    async fn fetch_user_sessions(&self, user_id: UserId) -> Result<Vec<Session>>;
    /// Records that the session was used now, from this address and agent.
    async fn update_session_used(
        &self,
        id: SessionId,
        at: Timestamp,
        ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<()>;
    /// Revokes one session; true when it existed.
    async fn delete_session(&self, id: SessionId) -> Result<bool>;
}

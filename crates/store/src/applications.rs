//! Applications and their bot users: [`ApplicationStore`].

use async_trait::async_trait;
use hearth_core::ApplicationId;

use crate::{Application, NewUser, Result, Session};

/// Applications and their bot users.
#[async_trait]
pub trait ApplicationStore: Send + Sync {
    /// Creates the bot user, the application and the bot's token session in one transaction.
    async fn insert_application(
        &self,
        app: &Application,
        bot: &NewUser,
        token: &Session,
    ) -> Result<Application>;
    /// One application by id (= its bot user's id).
    async fn fetch_application(&self, id: ApplicationId) -> Result<Option<Application>>;
}

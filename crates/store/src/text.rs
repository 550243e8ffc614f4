//! Text the databases can hold. PostgreSQL's TEXT cannot hold U+0000 (it refuses the statement)
//! while SQLite stores it; so that both backends behave the same, every store method that takes
//! text refuses U+0000 with [`StoreError::InvalidText`] before reaching the database, naming the
//! field. (The API refuses it earlier, with 50035 naming the request's field.)

use crate::model::{
    Application, AuditEntry, Ban, Channel, Guild, MemberPatch, Message, NewUser, PresenceRow, Role,
    Session, UserPatch,
};
use crate::{Result, StoreError};

/// Refuses the first field whose text holds U+0000.
pub(crate) fn nul_free(fields: &[(&'static str, Option<&str>)]) -> Result<()> {
    match fields
        .iter()
        .find(|(_, text)| text.is_some_and(|t| t.contains('\0')))
    {
        Some((field, _)) => Err(StoreError::InvalidText((*field).to_owned())),
        None => Ok(()),
    }
}

/// Records whose text fields are checked with [`nul_free`] before they are written.
pub(crate) trait CheckText {
    /// Refuses the record when one of its text fields holds U+0000.
    fn check_text(&self) -> Result<()>;
}

impl CheckText for NewUser {
    fn check_text(&self) -> Result<()> {
        nul_free(&[
            ("username", Some(&self.username)),
            ("global_name", self.global_name.as_deref()),
            ("email", self.email.as_deref()),
            ("password_hash", self.password_hash.as_deref()),
        ])
    }
}

impl CheckText for UserPatch {
    fn check_text(&self) -> Result<()> {
        nul_free(&[
            ("username", self.username.as_deref()),
            (
                "global_name",
                self.global_name.as_ref().and_then(Option::as_deref),
            ),
        ])
    }
}

impl CheckText for Session {
    fn check_text(&self) -> Result<()> {
        nul_free(&[
            ("token_hash", Some(&self.token_hash)),
            ("kind", Some(&self.kind)),
            ("ip", self.ip.as_deref()),
            ("user_agent", self.user_agent.as_deref()),
        ])
    }
}

impl CheckText for Application {
    fn check_text(&self) -> Result<()> {
        nul_free(&[
            ("name", Some(&self.name)),
            ("description", Some(&self.description)),
            ("verify_key", Some(&self.verify_key)),
        ])
    }
}

impl CheckText for Guild {
    fn check_text(&self) -> Result<()> {
        nul_free(&[
            ("name", Some(&self.name)),
            ("icon", self.icon.as_deref()),
            ("description", self.description.as_deref()),
            ("preferred_locale", Some(&self.preferred_locale)),
        ])
    }
}

impl CheckText for Role {
    fn check_text(&self) -> Result<()> {
        nul_free(&[("name", Some(&self.name))])
    }
}

impl CheckText for MemberPatch {
    fn check_text(&self) -> Result<()> {
        nul_free(&[("nick", self.nick.as_ref().and_then(Option::as_deref))])
    }
}

impl CheckText for Channel {
    fn check_text(&self) -> Result<()> {
        nul_free(&[
            ("name", self.name.as_deref()),
            ("topic", self.topic.as_deref()),
        ])
    }
}

impl CheckText for Message {
    fn check_text(&self) -> Result<()> {
        nul_free(&[
            ("content", Some(&self.content)),
            ("nonce", self.nonce.as_deref()),
            ("embeds", Some(&self.embeds)),
        ])
    }
}

impl CheckText for Ban {
    fn check_text(&self) -> Result<()> {
        nul_free(&[("reason", self.reason.as_deref())])
    }
}

impl CheckText for AuditEntry {
    fn check_text(&self) -> Result<()> {
        nul_free(&[
            ("changes", Some(&self.changes)),
            ("options", self.options.as_deref()),
            ("reason", self.reason.as_deref()),
        ])
    }
}

impl CheckText for PresenceRow {
    fn check_text(&self) -> Result<()> {
        nul_free(&[
            ("status", Some(&self.status)),
            ("activities", Some(&self.activities)),
            ("client_status", Some(&self.client_status)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_field_holding_nul_is_named() {
        assert!(nul_free(&[("a", Some("x")), ("b", None)]).is_ok());
        let err = nul_free(&[("a", Some("x")), ("b", Some("y\0")), ("c", Some("\0"))]);
        assert!(matches!(err, Err(StoreError::InvalidText(f)) if f == "b"));
    }
}

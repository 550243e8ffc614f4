//! hearth-core: the domain vocabulary every other crate shares.
//!
//! - [`snowflake`]: 64-bit ids on Discord's epoch and their generator.
//! - [`ids`]: typed ids (user, guild, channel, message, role, ...) over snowflakes.
//! - [`timestamp`]: instants as microseconds since the Unix epoch, printed the way clients parse.
//! - [`names`]: validated user, guild and channel names.
//! - [`permissions`]: permission bits and the permission computation.
//! - [`kinds`]: channel, overwrite, message and relationship types, with Discord's numbers.
//!
//! No I/O lives here: no tokio, no axum; sqlx only for the id types' database encoding (the
//! `sqlx` feature, which the store turns on).
#![forbid(unsafe_code)]

pub mod ids;
pub mod kinds;
pub mod names;
pub mod permissions;
pub mod positions;
pub mod snowflake;
pub mod timestamp;

pub use ids::{
    ApplicationId, AuditEntryId, ChannelId, DirectedInviteId, GuildId, MessageId, RoleId,
    SessionId, UserId,
};
pub use kinds::{
    ChannelKind, DirectedInviteStatus, MemberKind, MessageType, OverwriteKind, RelationshipKind,
};
pub use permissions::Permissions;
pub use snowflake::{Snowflake, SnowflakeGenerator};
pub use timestamp::Timestamp;

#[cfg(feature = "openapi")]
mod openapi {
    //! OpenAPI schemas: all three types travel as strings.
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
    use utoipa::openapi::RefOr;

    fn string(
        description: &str,
        pattern: Option<&str>,
        format: Option<SchemaFormat>,
    ) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .pattern(pattern)
            .format(format)
            .into()
    }

    impl utoipa::PartialSchema for crate::Snowflake {
        fn schema() -> RefOr<Schema> {
            string(
                "A 64-bit id as a decimal string (JSON integers are accepted on input).",
                Some("^[0-9]{1,20}$"),
                None,
            )
        }
    }
    impl utoipa::ToSchema for crate::Snowflake {}

    impl utoipa::PartialSchema for crate::Timestamp {
        fn schema() -> RefOr<Schema> {
            string(
                "ISO 8601 with six fraction digits and an explicit offset.",
                None,
                Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)),
            )
        }
    }
    impl utoipa::ToSchema for crate::Timestamp {}

    impl utoipa::PartialSchema for crate::Permissions {
        fn schema() -> RefOr<Schema> {
            string(
                "Permission bits as a decimal string.",
                Some("^[0-9]+$"),
                None,
            )
        }
    }
    impl utoipa::ToSchema for crate::Permissions {}
}

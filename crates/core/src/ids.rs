//! Typed ids: one newtype over [`Snowflake`] per kind of thing, so that a guild id cannot be
//! passed where a channel id is expected.
//!
//! Each id travels exactly as a snowflake does (a decimal string on the wire, JSON integers
//! accepted on input, the signed integer in the databases). Turning one kind of id into another
//! is spelled out where the domain says they are the same number: the @everyone role has its
//! guild's id ([`GuildId::everyone`]), an application has its bot user's id
//! ([`ApplicationId::bot_user`]). An overwrite's target is a role or a member; it stays a bare
//! [`Snowflake`] together with its [`crate::OverwriteKind`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::snowflake::{InvalidSnowflake, Snowflake};

/// The database encoding of an id: the signed integer the databases store.
macro_rules! stored_as_i64 {
    ($name:ident) => {
        #[cfg(feature = "sqlx")]
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            i64: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <i64 as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <i64 as sqlx::Type<DB>>::compatible(ty)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            i64: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <i64 as sqlx::Encode<'q, DB>>::encode(self.as_i64(), buf)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            i64: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                <i64 as sqlx::Decode<'r, DB>>::decode(value).map($name::from_i64)
            }
        }
    };
}

stored_as_i64!(Snowflake);

/// Declares id newtypes over [`Snowflake`] with the same conversions, printing, parsing, serde,
/// database and OpenAPI behaviour.
macro_rules! ids {
    ($( $(#[$meta:meta])* $name:ident as $what:literal; )*) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Snowflake);

        impl $name {
            /// The raw value.
            pub fn get(self) -> u64 {
                self.0.get()
            }

            /// The value as the signed integer databases store.
            pub fn as_i64(self) -> i64 {
                self.0.as_i64()
            }

            /// The id from a stored signed integer.
            pub fn from_i64(v: i64) -> Self {
                $name(Snowflake::from_i64(v))
            }

            /// The snowflake under this id.
            pub fn snowflake(self) -> Snowflake {
                self.0
            }

            /// Milliseconds since the Unix epoch at which this id was made.
            pub fn unix_millis(self) -> u64 {
                self.0.unix_millis()
            }
        }

        impl From<Snowflake> for $name {
            fn from(id: Snowflake) -> Self {
                $name(id)
            }
        }

        impl From<$name> for Snowflake {
            fn from(id: $name) -> Snowflake {
                id.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidSnowflake;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        stored_as_i64!($name);

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Type};
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(concat!(
                        "A ", $what,
                        " id: a 64-bit snowflake as a decimal string (JSON integers are accepted on input)."
                    )))
                    .pattern(Some("^[0-9]{1,20}$"))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    )*

    /// The names of the id types (as the OpenAPI document names their schemas).
    pub const ID_TYPES: &[&str] = &[$(stringify!($name)),*];
    };
}

ids! {
    /// A user's id (a person or a bot).
    UserId as "user";
    /// A guild's id.
    GuildId as "guild";
    /// A channel's id.
    ChannelId as "channel";
    /// A message's id.
    MessageId as "message";
    /// A role's id.
    RoleId as "role";
    /// An application's id (the same number as its bot user's id).
    ApplicationId as "application";
    /// A login session's (or bot token's) id.
    SessionId as "session";
    /// An audit log entry's id.
    AuditEntryId as "audit log entry";
    /// A directed invite's id (an invitation from one user to another).
    DirectedInviteId as "directed invite";
}

impl GuildId {
    /// The guild's @everyone role, which has the guild's id.
    pub fn everyone(self) -> RoleId {
        RoleId(self.0)
    }
}

impl RoleId {
    /// Whether this is `guild`'s @everyone role.
    pub fn is_everyone_of(self, guild: GuildId) -> bool {
        self.0 == guild.0
    }
}

impl ApplicationId {
    /// The application's bot user, which has the application's id.
    pub fn bot_user(self) -> UserId {
        UserId(self.0)
    }
}

impl UserId {
    /// The application whose bot this user is (meaningful for bot users only).
    pub fn application(self) -> ApplicationId {
        ApplicationId(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_snowflakes() {
        let id = ChannelId(Snowflake(1_234_567_890_123_456_789));
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"1234567890123456789\""
        );
        let a: ChannelId = serde_json::from_str("\"1234567890123456789\"").unwrap();
        let b: ChannelId = serde_json::from_str("1234567890123456789").unwrap();
        assert_eq!((a, b), (id, id));
        assert!(serde_json::from_str::<ChannelId>("\"x\"").is_err());
        assert_eq!("42".parse::<GuildId>().unwrap(), GuildId(Snowflake(42)));
        assert!("-1".parse::<GuildId>().is_err());
        assert_eq!(id.to_string(), "1234567890123456789");
        assert_eq!(format!("{:?}", GuildId(Snowflake(7))), "7");
        assert_eq!(MessageId::from_i64(id.as_i64()).get(), id.get());
    }

    #[test]
    fn the_domain_names_which_ids_are_the_same_number() {
        let guild = GuildId(Snowflake(9));
        assert_eq!(guild.everyone(), RoleId(Snowflake(9)));
        assert!(guild.everyone().is_everyone_of(guild));
        assert!(!RoleId(Snowflake(8)).is_everyone_of(guild));
        assert_eq!(ID_TYPES.len(), 9);
        assert!(ID_TYPES.contains(&"GuildId") && ID_TYPES.contains(&"AuditEntryId"));
        let bot = UserId(Snowflake(5));
        assert_eq!(bot.application().bot_user(), bot);
    }
}

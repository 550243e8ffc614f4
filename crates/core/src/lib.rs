//! hearth-core: the domain vocabulary every other crate shares.
//!
//! - [`snowflake`]: 64-bit ids on Discord's epoch and their generator.
//! - [`timestamp`]: instants as microseconds since the Unix epoch, printed the way clients parse.
//! - [`names`]: validated user, guild and channel names.
//! - [`permissions`]: permission bits and the permission computation.
//!
//! No I/O lives here: no tokio, no sqlx, no axum.
#![forbid(unsafe_code)]

pub mod names;
pub mod permissions;
pub mod snowflake;
pub mod timestamp;

pub use permissions::Permissions;
pub use snowflake::{Snowflake, SnowflakeGenerator};
pub use timestamp::Timestamp;

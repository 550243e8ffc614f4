//! Snowflake ids: `(ms since 2015-01-01 << 22) | (node << 12) | sequence`.
//!
//! Clients derive creation times from `id >> 22`, so ids are time-ordered. The 10 node bits keep
//! ids unique across the nodes of a cluster; the 12 sequence bits allow 4096 ids per millisecond
//! per node, after which the generator borrows from the next millisecond.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Discord's epoch (2015-01-01T00:00:00Z) in milliseconds since the Unix epoch.
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Largest node id that fits the 10 node bits.
pub const MAX_NODE_ID: u16 = 1023;

/// A 64-bit id. Serialized as a decimal string; deserialized from a string or a JSON integer.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Snowflake(pub u64);

impl Snowflake {
    /// The raw value.
    pub fn get(self) -> u64 {
        self.0
    }

    /// The value as the signed integer databases store (ids stay below 2^63 until the year 2084).
    pub fn as_i64(self) -> i64 {
        self.0 as i64
    }

    /// The id from a stored signed integer.
    pub fn from_i64(v: i64) -> Self {
        Snowflake(v as u64)
    }

    /// Milliseconds since the Unix epoch at which this id was made.
    pub fn unix_millis(self) -> u64 {
        (self.0 >> 22) + DISCORD_EPOCH_MS
    }

    /// The smallest id that could have been made at `unix_ms` (for time-based queries).
    pub fn from_unix_millis(unix_ms: u64) -> Self {
        Snowflake(unix_ms.saturating_sub(DISCORD_EPOCH_MS) << 22)
    }
}

impl fmt::Debug for Snowflake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for Snowflake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why a text is not a snowflake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("value {0:?} is not snowflake")]
pub struct InvalidSnowflake(pub String);

impl FromStr for Snowflake {
    type Err = InvalidSnowflake;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Only plain decimal digits: no sign, no whitespace, and it must fit 63 bits so that
        // databases can hold it.
        if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidSnowflake(s.to_owned()));
        }
        match s.parse::<u64>() {
            Ok(v) if v <= i64::MAX as u64 => Ok(Snowflake(v)),
            _ => Err(InvalidSnowflake(s.to_owned())),
        }
    }
}

impl Serialize for Snowflake {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Snowflake {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Snowflake;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a snowflake as a string or an integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Snowflake, E> {
                if v <= i64::MAX as u64 {
                    Ok(Snowflake(v))
                } else {
                    Err(E::custom(format!("value \"{v}\" is not snowflake")))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Snowflake, E> {
                u64::try_from(v)
                    .map(Snowflake)
                    .map_err(|_| E::custom(format!("value \"{v}\" is not snowflake")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Snowflake, E> {
                v.parse()
                    .map_err(|_| E::custom(format!("value \"{v}\" is not snowflake")))
            }
        }
        d.deserialize_any(V)
    }
}

/// Makes time-ordered, unique ids for one node.
#[derive(Debug)]
pub struct SnowflakeGenerator {
    node_id: u64,
    /// (last millisecond used, next sequence number within it).
    state: Mutex<(u64, u64)>,
}

impl SnowflakeGenerator {
    /// A generator for `node_id` (0..=1023; larger values are masked to 10 bits).
    pub fn new(node_id: u16) -> Self {
        SnowflakeGenerator {
            node_id: u64::from(node_id & MAX_NODE_ID),
            state: Mutex::new((0, 0)),
        }
    }

    /// The node id in every id this generator makes.
    pub fn node_id(&self) -> u16 {
        self.node_id as u16
    }

    /// A new id, greater than every id this generator made before.
    pub fn next(&self) -> Snowflake {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(DISCORD_EPOCH_MS)
            .saturating_sub(DISCORD_EPOCH_MS);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (last, seq) = *state;
        // A clock that steps back, or a sequence that runs out, continues from the last
        // millisecond used: ids stay unique and ordered at the cost of running slightly ahead.
        let (ms, seq) = if now > last {
            (now, 0)
        } else if seq < 4096 {
            (last, seq)
        } else {
            (last + 1, 0)
        };
        *state = (ms, seq + 1);
        Snowflake((ms << 22) | (self.node_id << 12) | seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_strictly_increasing_and_carry_the_node() {
        let g = SnowflakeGenerator::new(5);
        let mut prev = Snowflake(0);
        for _ in 0..20_000 {
            let id = g.next();
            assert!(id > prev);
            assert_eq!((id.0 >> 12) & 1023, 5);
            prev = id;
        }
    }

    #[test]
    fn creation_time_is_close_to_now() {
        let id = SnowflakeGenerator::new(0).next();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        assert!(now.abs_diff(id.unix_millis()) < 5_000);
    }

    #[test]
    fn serializes_as_string_and_reads_strings_or_numbers() {
        let id = Snowflake(1_234_567_890_123_456_789);
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"1234567890123456789\""
        );
        let a: Snowflake = serde_json::from_str("\"1234567890123456789\"").unwrap();
        let b: Snowflake = serde_json::from_str("1234567890123456789").unwrap();
        assert_eq!(a, id);
        assert_eq!(b, id);
    }

    #[test]
    fn rejects_text_that_is_not_a_snowflake() {
        for bad in [
            "",
            "abc",
            "-1",
            "1.5",
            " 1",
            "99999999999999999999",
            "18446744073709551615",
        ] {
            assert!(bad.parse::<Snowflake>().is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<Snowflake>("-4").is_err());
        assert!(serde_json::from_str::<Snowflake>("1.5").is_err());
        assert!(serde_json::from_str::<Snowflake>("true").is_err());
    }
}

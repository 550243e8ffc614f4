//! Instants as microseconds since the Unix epoch.
//!
//! Stored as a 64-bit integer in both databases; printed as ISO 8601 with six fractional digits
//! and an explicit `+00:00` offset, the only form every client library parses.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

/// Microseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        let micros = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0);
        Timestamp(micros)
    }

    /// The instant `secs` seconds after this one (negative: before).
    pub fn plus_seconds(self, secs: i64) -> Self {
        Timestamp(self.0.saturating_add(secs.saturating_mul(1_000_000)))
    }

    /// Whole seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// `2025-01-01T12:00:00.000000+00:00`.
    pub fn to_iso(self) -> String {
        let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            dt.microsecond()
        )
    }

    /// Reads an ISO 8601 / RFC 3339 timestamp (any offset, any fraction length).
    pub fn parse_iso(s: &str) -> Option<Self> {
        let dt = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
        i64::try_from(dt.unix_timestamp_nanos() / 1000)
            .ok()
            .map(Timestamp)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

/// Reads what [`Timestamp::to_iso`] prints (any RFC 3339 instant), so that wire objects carrying
/// instants can travel between nodes.
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse_iso(&text).ok_or_else(|| {
            de::Error::custom(format!("value \"{text}\" is not an ISO 8601 instant"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_six_fraction_digits_and_an_explicit_offset() {
        assert_eq!(Timestamp(0).to_iso(), "1970-01-01T00:00:00.000000+00:00");
        assert_eq!(
            Timestamp(1_735_732_800_123_456).to_iso(),
            "2025-01-01T12:00:00.123456+00:00"
        );
    }

    #[test]
    fn parses_what_it_prints_and_other_offsets() {
        let t = Timestamp(1_735_732_800_123_456);
        assert_eq!(Timestamp::parse_iso(&t.to_iso()), Some(t));
        assert_eq!(
            Timestamp::parse_iso("2025-01-01T13:00:00.123456+01:00"),
            Some(t)
        );
        assert_eq!(Timestamp::parse_iso("yesterday"), None);
    }

    #[test]
    fn round_trips_through_json() {
        let t = Timestamp(1_735_732_800_123_456);
        let text = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&text).unwrap(), t);
        assert!(serde_json::from_str::<Timestamp>("\"soon\"").is_err());
    }
}

//! [`Timestamp`]: a platform date-time, kept as sent.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// An ISO-8601 date-time as the platform sent it.
///
/// The text is kept verbatim so a task saved back carries exactly what it was given (naive,
/// `Z` or `±hh:mm`). A unix-seconds number, which the platform also accepts, is turned into
/// RFC 3339 UTC text on input. [`Timestamp::parse`] gives a typed value.
///
/// ```
/// use xpander_runtime::model::Timestamp;
///
/// let t: Timestamp = serde_json::from_str("1735689600").unwrap();
/// assert_eq!(t.as_str(), "2025-01-01T00:00:00Z");
/// assert_eq!(t.parse().unwrap().timestamp(), 1735689600);
/// let half: Timestamp = serde_json::from_str("1735689600.5").unwrap();
/// assert_eq!(half.as_str(), "2025-01-01T00:00:00.500000Z");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp(String);

impl Timestamp {
    /// The current UTC time with microseconds, as the Python SDK writes it
    /// (`2026-11-22T02:04:38.005805Z`).
    pub fn now() -> Self {
        Self::from(Utc::now())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, reading a naive time as UTC; `None` if the text is not a date-time.
    pub fn parse(&self) -> Option<DateTime<FixedOffset>> {
        DateTime::parse_from_rfc3339(&self.0).ok().or_else(|| {
            NaiveDateTime::parse_from_str(&self.0, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|naive| naive.and_utc().fixed_offset())
        })
    }
}

impl From<DateTime<Utc>> for Timestamp {
    /// Written as Python writes a UTC datetime: microseconds when there are any, else none.
    fn from(value: DateTime<Utc>) -> Self {
        let format = if value.timestamp_subsec_micros() == 0 {
            SecondsFormat::Secs
        } else {
            SecondsFormat::Micros
        };
        Self(value.to_rfc3339_opts(format, true))
    }
}

impl From<String> for Timestamp {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Timestamp {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO-8601 date-time string or unix seconds")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Ok(Timestamp(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                DateTime::from_timestamp(v, 0)
                    .map(Timestamp::from)
                    .ok_or_else(|| E::custom(format!("unix time {v} is out of range")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                let v = i64::try_from(v).map_err(|_| E::custom("unix time is out of range"))?;
                self.visit_i64(v)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                let micros = (v * 1e6).round() as i64;
                DateTime::from_timestamp_micros(micros)
                    .map(Timestamp::from)
                    .ok_or_else(|| E::custom(format!("unix time {v} is out of range")))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

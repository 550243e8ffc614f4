//! Latency summaries (exact percentiles over the recorded samples) and error tallies.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

/// Percentiles of a set of latencies, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub count: usize,
    pub min: u64,
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
    pub max: u64,
    pub mean: u64,
}

/// The nearest-rank percentile `p` (0-100] of sorted samples: the smallest sample with at
/// least `p` percent of the samples at or below it.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Summary {
    /// Summarizes the samples (sorting them in place); `None` when there are none.
    pub fn of(samples: &mut [u64]) -> Option<Summary> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        let sum: u128 = samples.iter().map(|&s| u128::from(s)).sum();
        Some(Summary {
            count: samples.len(),
            min: samples[0],
            p50: percentile(samples, 50.0),
            p95: percentile(samples, 95.0),
            p99: percentile(samples, 99.0),
            max: samples[samples.len() - 1],
            mean: (sum / samples.len() as u128) as u64,
        })
    }

    /// `p50 1.23 ms, p95 ..., p99 ..., max ...`.
    pub fn line(&self) -> String {
        format!(
            "p50 {} ms, p95 {} ms, p99 {} ms, max {} ms (n={})",
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            ms(self.max),
            self.count
        )
    }

    /// Milliseconds, for `--json`.
    pub fn json(&self) -> Value {
        json!({
            "count": self.count,
            "min_ms": self.min as f64 / 1000.0,
            "mean_ms": self.mean as f64 / 1000.0,
            "p50_ms": self.p50 as f64 / 1000.0,
            "p95_ms": self.p95 as f64 / 1000.0,
            "p99_ms": self.p99 as f64 / 1000.0,
            "max_ms": self.max as f64 / 1000.0,
        })
    }
}

/// The summary as JSON, or null without samples.
pub fn json_or_null(s: &Option<Summary>) -> Value {
    s.as_ref().map_or(Value::Null, Summary::json)
}

/// The summary line, or "no samples".
pub fn line_or_none(s: &Option<Summary>) -> String {
    s.as_ref()
        .map_or_else(|| "no samples".to_owned(), Summary::line)
}

/// Microseconds as milliseconds with two decimals.
pub fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

/// Events per second over a duration (0 for an empty duration).
pub fn rate(count: u64, over: Duration) -> f64 {
    let secs = over.as_secs_f64();
    if secs > 0.0 {
        count as f64 / secs
    } else {
        0.0
    }
}

/// Failures by kind: an HTTP status (`"429"`) or a transport problem (`"connect"`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Errors(pub BTreeMap<String, u64>);

impl Errors {
    pub fn add(&mut self, kind: impl Into<String>) {
        *self.0.entry(kind.into()).or_default() += 1;
    }

    pub fn merge(&mut self, other: &Errors) {
        for (k, v) in &other.0 {
            *self.0.entry(k.clone()).or_default() += v;
        }
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// `none`, or `429: 3, transport: 1`.
    pub fn line(&self) -> String {
        if self.0.is_empty() {
            return "none".to_owned();
        }
        self.0
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn json(&self) -> Value {
        json!(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 50.0), 50);
        assert_eq!(percentile(&sorted, 95.0), 95);
        assert_eq!(percentile(&sorted, 99.0), 99);
        assert_eq!(percentile(&sorted, 100.0), 100);
        assert_eq!(percentile(&sorted, 0.0), 1);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
        // Ten samples: p99 is the largest, p50 the fifth.
        let ten: Vec<u64> = (1..=10).map(|i| i * 10).collect();
        assert_eq!(percentile(&ten, 99.0), 100);
        assert_eq!(percentile(&ten, 50.0), 50);
        assert_eq!(percentile(&ten, 51.0), 60);
    }

    #[test]
    fn summary_sorts_and_reports() {
        let mut samples = vec![5_000, 1_000, 3_000, 2_000, 4_000];
        let s = Summary::of(&mut samples).unwrap();
        assert_eq!(samples, vec![1_000, 2_000, 3_000, 4_000, 5_000]);
        assert_eq!(
            s,
            Summary {
                count: 5,
                min: 1_000,
                p50: 3_000,
                p95: 5_000,
                p99: 5_000,
                max: 5_000,
                mean: 3_000,
            }
        );
        assert_eq!(
            s.line(),
            "p50 3.00 ms, p95 5.00 ms, p99 5.00 ms, max 5.00 ms (n=5)"
        );
        assert_eq!(s.json()["p99_ms"], 5.0);
        assert!(Summary::of(&mut []).is_none());
        assert_eq!(line_or_none(&None), "no samples");
        assert_eq!(json_or_null(&None), Value::Null);
    }

    #[test]
    fn rates_and_errors() {
        assert_eq!(rate(500, Duration::from_millis(250)), 2000.0);
        assert_eq!(rate(5, Duration::ZERO), 0.0);
        let mut a = Errors::default();
        assert_eq!(a.line(), "none");
        a.add("429");
        a.add("429");
        let mut b = Errors::default();
        b.add("transport");
        b.add("429");
        a.merge(&b);
        assert_eq!(a.total(), 4);
        assert_eq!(a.line(), "429: 3, transport: 1");
        assert_eq!(a.json(), json!({"429": 3, "transport": 1}));
    }
}

//! Limits on authentication: how many password hashes run at once ([`crate::passwords`]) and
//! how often one client address or one account may try to log in or register (GCRA throttles,
//! kept in this node's memory; in a cluster each node counts for itself).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

/// A throttle's rate: `burst` attempts at once, then `per_minute` more each minute
/// (`per_minute = 0` turns the throttle off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Attempts allowed at once, after a quiet spell.
    pub burst: u32,
    /// Attempts regained per minute; 0 turns the throttle off.
    pub per_minute: u32,
}

/// `[auth]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Password hashes computed at once; each holds 19 MiB of working memory while it runs, so
    /// memory for hashing never exceeds this x 19 MiB. 0: one per CPU core.
    pub hash_concurrency: usize,
    /// Requests that may wait for a turn to hash; beyond that they are answered 429 at once.
    pub hash_queue: usize,
    /// Login attempts per account name (or e-mail address), from any address.
    pub login_per_account: Rate,
    /// Login attempts per client address.
    pub login_per_address: Rate,
    /// Registrations per client address.
    pub register_per_address: Rate,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            hash_concurrency: 0,
            hash_queue: 32,
            login_per_account: Rate {
                burst: 10,
                per_minute: 3,
            },
            login_per_address: Rate {
                burst: 20,
                per_minute: 10,
            },
            register_per_address: Rate {
                burst: 10,
                per_minute: 2,
            },
        }
    }
}

impl AuthConfig {
    /// Hashes allowed at once: as configured, or the number of CPU cores.
    pub fn hash_concurrency(&self) -> usize {
        match self.hash_concurrency {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }
}

/// Keys kept before forgotten ones (whose throttle is full again) are swept out.
const SWEEP_ABOVE: usize = 10_000;

/// One keyed throttle.
#[derive(Debug)]
pub struct Throttle {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
}

impl Throttle {
    /// A throttle at `rate` (off when `per_minute` or `burst` is 0).
    pub fn new(rate: Rate) -> Self {
        let limiter = NonZeroU32::new(rate.per_minute)
            .zip(NonZeroU32::new(rate.burst))
            .map(|(per_minute, burst)| {
                RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))
            });
        Throttle { limiter }
    }

    /// Counts an attempt for `key`; `Err` carries how long until the next one is allowed.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let result = limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()));
        if limiter.len() > SWEEP_ABOVE {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        result
    }
}

/// The throttles of registration and login.
#[derive(Debug)]
pub struct AuthThrottles {
    /// Login attempts per account.
    pub login_account: Throttle,
    /// Login attempts per address.
    pub login_address: Throttle,
    /// Registrations per address.
    pub register_address: Throttle,
}

impl AuthThrottles {
    /// Throttles at the configured rates.
    pub fn new(config: &AuthConfig) -> Self {
        AuthThrottles {
            login_account: Throttle::new(config.login_per_account),
            login_address: Throttle::new(config.login_per_address),
            register_address: Throttle::new(config.register_per_address),
        }
    }
}

/// The throttle key of a client address: an IPv4 address, or the /64 network of an IPv6 one
/// (one host usually holds a whole /64).
pub fn address_key(ip: Option<&str>) -> String {
    match ip.and_then(|ip| ip.parse::<IpAddr>().ok()) {
        Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_allows_its_burst_then_refuses_with_the_wait() {
        let t = Throttle::new(Rate {
            burst: 3,
            per_minute: 6,
        });
        for _ in 0..3 {
            assert!(t.check("a").is_ok());
        }
        let wait = t.check("a").unwrap_err();
        assert!(
            wait > Duration::from_secs(5) && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        // Other keys have their own count.
        assert!(t.check("b").is_ok());
    }

    #[test]
    fn a_zero_rate_turns_the_throttle_off() {
        let t = Throttle::new(Rate {
            burst: 1,
            per_minute: 0,
        });
        for _ in 0..100 {
            assert!(t.check("a").is_ok());
        }
    }

    #[test]
    fn ipv6_addresses_share_their_64() {
        assert_eq!(
            address_key(Some("2001:db8:1:2:3:4:5:6")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(address_key(Some("2001:db8:1:2::9")), "2001:db8:1:2::/64");
        assert_eq!(address_key(Some("::ffff:10.0.0.1")), "10.0.0.1");
        assert_eq!(address_key(Some("127.0.0.1")), "127.0.0.1");
        assert_eq!(address_key(None), "");
    }
}

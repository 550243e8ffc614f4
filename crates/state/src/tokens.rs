//! The tokens a node has seen: a token's session and user, so that an authenticated request
//! reads nothing from the store. A cached token is dropped when it is revoked or its user
//! changes (the events come over the bus, so every node drops it; the node that made the
//! change drops it at once), and after [`crate::IDLE`] unused.
//!
//! A token is read from the store only after interest in its user's topic is settled, and the
//! read is kept only if nothing was dropped meanwhile: a revocation committed during the read
//! cannot leave a live entry behind.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hearth_bus::Topic;
use hearth_core::{Timestamp, UserId};
use hearth_protocol::events::Event;
use hearth_store::{Session, StoreError, User};

use crate::{lock, States};

struct Entry {
    session: Session,
    user: User,
    last_used: Instant,
}

/// Cached tokens by hash.
#[derive(Default)]
pub(crate) struct TokenMap {
    entries: HashMap<String, Entry>,
    /// Counts the drops: a read that saw another count is not kept.
    drops: u64,
}

impl TokenMap {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

impl States {
    /// The session and user of a token's hash: cached, or read from the store. `owner` is the
    /// user id the token names (its first part); without it nothing is cached.
    pub async fn authenticate(
        &self,
        token_hash: &str,
        owner: Option<UserId>,
    ) -> Result<Option<(Session, User)>, StoreError> {
        let drops = {
            let mut map = lock(&self.tokens);
            if let Some(e) = map.entries.get_mut(token_hash) {
                e.last_used = Instant::now();
                return Ok(Some((e.session.clone(), e.user.clone())));
            }
            map.drops
        };
        let Some(owner) = owner else {
            return self.store.fetch_session(token_hash).await;
        };
        self.bus.interest(Topic::User(owner), true);
        self.bus.settled().await;
        let read = self.store.fetch_session(token_hash).await;
        let keep = {
            let mut map = lock(&self.tokens);
            match &read {
                Ok(Some((session, user))) if map.drops == drops && user.id == owner => {
                    map.entries.insert(
                        token_hash.to_owned(),
                        Entry {
                            session: session.clone(),
                            user: user.clone(),
                            last_used: Instant::now(),
                        },
                    );
                    true
                }
                _ => false,
            }
        };
        if !keep {
            self.bus.interest(Topic::User(owner), false);
        }
        read
    }

    /// Notes a write of the session's last use (so the cached copy knows when it was).
    pub fn touched(&self, token_hash: &str, at: Timestamp) {
        if let Some(e) = lock(&self.tokens).entries.get_mut(token_hash) {
            e.session.last_used_at = at.0;
        }
    }

    /// Drops a token (revoked).
    pub fn forget_token(&self, token_hash: &str) {
        self.drop_where(|hash, _| hash == token_hash);
    }

    /// Drops every token of a user (the user changed).
    pub fn forget_user(&self, user: UserId) {
        self.drop_where(|_, e| e.user.id == user);
    }

    /// For the task that applies events: drops the tokens a revocation or a user's change makes
    /// stale.
    pub fn observe(&self, event: &Event) {
        match event {
            Event::SessionRevoked { token_hash, .. } => self.forget_token(token_hash),
            Event::UserUpdate(u) => self.forget_user(u.user.id),
            _ => {}
        }
    }

    fn drop_where(&self, f: impl Fn(&str, &Entry) -> bool) {
        let mut map = lock(&self.tokens);
        map.drops += 1;
        let gone: Vec<String> = map
            .entries
            .iter()
            .filter(|(h, e)| f(h, e))
            .map(|(h, _)| h.clone())
            .collect();
        let owners: Vec<UserId> = gone
            .iter()
            .filter_map(|h| map.entries.remove(h).map(|e| e.user.id))
            .collect();
        drop(map);
        for o in owners {
            self.bus.interest(Topic::User(o), false);
        }
    }

    pub(crate) fn evict_tokens(&self, idle: Duration) {
        let now = Instant::now();
        self.drop_where(|_, e| now - e.last_used >= idle);
    }

    pub(crate) fn clear_tokens(&self) {
        self.drop_where(|_, _| true);
    }
}

//! A change under its ordering lock: the one way a handler changes a guild or a channel.
//!
//! [`Change::begin`] takes the ordering lock of what is changed (the guild; the channel for
//! messages). The handler reads what it changes, writes it (each store call commits), and says
//! what happened: [`Change::publish`] the events, [`Change::record`] the audit log entry.
//! [`Change::done`] then, still under the lock, publishes the events in order and records the
//! audit entries (each with its GUILD_AUDIT_LOG_ENTRY_CREATE), and releases the lock. So two
//! changes of the same thing reach the bus in the order they were committed, and nothing is
//! published before its write.
//!
//! A handler cannot forget a step: a change dropped without `done` (an error returned after a
//! write, or a forgotten call) still publishes its events before the lock is released and
//! records its audit entries, so a committed write is never left unannounced.

use hearth_core::Snowflake;
use hearth_protocol::events::Event;
use tokio::sync::MutexGuard;

use crate::journal;
use crate::{ApiResult, AppState};

/// A change in progress (see the module documentation).
#[derive(Debug)]
pub struct Change<'a> {
    state: &'a AppState,
    _order: MutexGuard<'a, ()>,
    events: Vec<Event>,
    entries: Vec<hearth_store::AuditEntry>,
}

impl<'a> Change<'a> {
    /// Waits for the ordering lock of `key` (a guild, or a channel for its messages).
    pub async fn begin(state: &'a AppState, key: impl Into<Snowflake>) -> Change<'a> {
        Change {
            _order: state.order.lock(key.into()).await,
            state,
            events: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// The state the change is made in (for reads while it is held).
    pub fn state(&self) -> &'a AppState {
        self.state
    }

    /// An event of what was written (published by [`Change::done`], in the order given).
    pub fn publish(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Several events, in order.
    pub fn publish_all(&mut self, events: impl IntoIterator<Item = Event>) {
        self.events.extend(events);
    }

    /// An audit log entry (recorded by [`Change::done`], after the events).
    pub fn record(&mut self, entry: journal::Entry<'_>) {
        self.entries.push(journal::row(self.state, entry));
    }

    /// An audit log entry of what the server did by itself (no user acted: the entry's user
    /// is null; `entry.actor` is not recorded).
    pub fn record_system(&mut self, entry: journal::Entry<'_>) {
        let mut row = journal::row(self.state, entry);
        row.user_id = None;
        self.entries.push(row);
    }

    /// Publishes the events, records the audit entries and releases the lock.
    pub async fn done(mut self) -> ApiResult<()> {
        for e in self.events.drain(..) {
            self.state.publish(e);
        }
        for row in std::mem::take(&mut self.entries) {
            journal::insert(self.state, row).await?;
        }
        Ok(())
    }
}

impl Drop for Change<'_> {
    fn drop(&mut self) {
        // Not done: what was written is still announced, in order, before the lock goes.
        for e in self.events.drain(..) {
            self.state.publish(e);
        }
        let entries = std::mem::take(&mut self.entries);
        if !entries.is_empty() {
            let state = self.state.clone();
            tokio::spawn(async move {
                for row in entries {
                    if let Err(e) = journal::insert(&state, row).await {
                        tracing::error!(error = %e, "recording an audit log entry");
                    }
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hearth_bus::{Bus, LocalBus};
    use hearth_core::{ChannelId, GuildId, Snowflake, UserId};
    use hearth_protocol::events::{Event, MessageDelete};
    use hearth_store::testing::{self, TestDatabase};

    use super::Change;
    use crate::journal::{self, Reason};
    use crate::{ApiConfig, AppState};

    async fn state() -> (TestDatabase, AppState, Arc<LocalBus>) {
        let db = TestDatabase::sqlite();
        let store = hearth_store::connect(&db.url).await.unwrap();
        // Audit entries name a guild that exists: guild 1, owned by user 9.
        let owner = UserId(Snowflake(9));
        testing::seed_user(store.as_ref(), owner, "owner").await;
        testing::seed_guild(
            store.as_ref(),
            GuildId(Snowflake(1)),
            owner,
            ChannelId(Snowflake(2)),
        )
        .await;
        let bus = Arc::new(LocalBus::default());
        let hub = hearth_gateway::Hub::new(store.clone(), bus.clone(), Default::default(), 1);
        let state = AppState::new(store, bus.clone(), hub, 1, ApiConfig::default());
        (db, state, bus)
    }

    fn deleted(n: u64) -> Event {
        Event::MessageDelete(MessageDelete {
            id: Snowflake(n).into(),
            channel_id: ChannelId(Snowflake(2)),
            guild_id: GuildId(Snowflake(1)),
        })
    }

    #[tokio::test]
    async fn events_are_published_in_order_when_done_and_the_lock_is_held_until_then() {
        let (_db, state, bus) = state().await;
        let mut events = bus.subscribe();
        let mut change = Change::begin(&state, Snowflake(1)).await;
        change.publish(deleted(1));
        change.publish_all([deleted(2), deleted(3)]);
        assert!(events.try_recv().is_err(), "nothing before done");
        assert!(state.order.is_held(Snowflake(1)), "the lock is held");
        change.done().await.unwrap();
        for n in 1..=3 {
            assert_eq!(*events.recv().await.unwrap(), deleted(n));
        }
        assert!(!state.order.is_held(Snowflake(1)), "released");
    }

    #[tokio::test]
    async fn a_change_dropped_after_a_write_still_announces_it_and_records_its_entry() {
        let (_db, state, bus) = state().await;
        let mut events = bus.subscribe();
        {
            let mut change = Change::begin(&state, Snowflake(1)).await;
            change.publish(deleted(7));
            change.record(journal::Entry {
                guild_id: GuildId(Snowflake(1)),
                actor: Snowflake(9).into(),
                target: None,
                action: journal::action::MESSAGE_DELETE,
                changes: Vec::new(),
                options: None,
                reason: &Reason(Some("tidy".into())),
            });
            // An error returned here: no `done`.
        }
        assert_eq!(*events.recv().await.unwrap(), deleted(7));
        // The entry is recorded (with its event) by a task of its own.
        let recorded = tokio::time::timeout(std::time::Duration::from_secs(10), events.recv());
        match &*recorded.await.expect("recorded").unwrap() {
            Event::GuildAuditLogEntryCreate(e) => {
                assert_eq!(e.entry.reason.as_deref(), Some("tidy"));
            }
            other => panic!("unexpected {}", other.name()),
        }
    }
}

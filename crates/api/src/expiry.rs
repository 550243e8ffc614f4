//! The retention purge: messages older than their channel's retention (its own, else its
//! guild's; see [`hearth_store::RetentionStore`]) are removed for real, with everything that
//! refers to them, and their channels' viewers are told with MESSAGE_DELETE_BULK.

use hearth_core::{MessageId, Snowflake, Timestamp};
use hearth_protocol::events::{Event, MessageDeleteBulk, PrivateEvent, PrivateMessageDeleteBulk};

use crate::change::Change;
use crate::{private, ApiResult, AppState};

/// Messages removed per transaction.
const BATCH: i64 = 500;
/// Transactions per channel and purge (the rest waits for the next purge).
const MAX_BATCHES: usize = 200;
const DAY_MS: u64 = 86_400_000;

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Channels with messages removed.
    pub channels: usize,
    /// Rows removed (tombstones included).
    pub rows: u64,
}

/// Purges every channel's expired messages as of `now`. Safe on every node of a cluster at
/// once: the store hands each row to one purge, whose node alone announces it.
pub async fn purge_expired_messages(state: &AppState, now: Timestamp) -> ApiResult<Purged> {
    let now_ms = (now.0 / 1000).max(0) as u64;
    let mut purged = Purged::default();
    for target in state.store.fetch_retention_targets().await? {
        let days = target.retention_days.max(1) as u64;
        let cutoff = MessageId(Snowflake::from_unix_millis(
            now_ms.saturating_sub(days.saturating_mul(DAY_MS)),
        ));
        let mut rows = 0;
        for _ in 0..MAX_BATCHES {
            // Under the channel's ordering lock: after any post or delete in progress there.
            let mut change = Change::begin(state, target.channel_id).await;
            let p = state
                .store
                .delete_messages_before(target.channel_id, cutoff, BATCH)
                .await?;
            rows += p.rows;
            if !p.visible.is_empty() {
                announce(
                    state,
                    &mut change,
                    target.guild_id,
                    target.channel_id,
                    p.visible,
                )
                .await?;
            }
            change.done().await?;
            if p.rows < BATCH as u64 {
                break;
            }
        }
        if rows > 0 {
            purged.channels += 1;
            purged.rows += rows;
        }
    }
    Ok(purged)
}

/// MESSAGE_DELETE_BULK for messages still shown: to the channel's viewers, or to each
/// recipient of a private channel.
async fn announce(
    state: &AppState,
    change: &mut Change<'_>,
    guild_id: Option<hearth_core::GuildId>,
    channel_id: hearth_core::ChannelId,
    ids: Vec<MessageId>,
) -> ApiResult<()> {
    match guild_id {
        Some(guild_id) => change.publish(Event::MessageDeleteBulk(MessageDeleteBulk {
            ids,
            channel_id,
            guild_id,
        })),
        None => {
            let Some(pc) = state.store.fetch_private_channel(channel_id).await? else {
                return Ok(());
            };
            private::publish(change, &pc.recipients, |_| {
                PrivateEvent::MessageDeleteBulk(PrivateMessageDeleteBulk {
                    ids: ids.clone(),
                    channel_id,
                })
            });
        }
    }
    Ok(())
}

//! The store contract for deletion and retention: a deleted message keeps a tombstone without
//! its content (read from the tables themselves), a secret channel keeps no row, the rules of
//! guilds and channels as stored and combined, and the purge of old messages (rows and
//! tombstones, in batches, each row once when purges race). Every test runs on SQLite, and on
//! PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set; each also gets its database's URL, to
//! read the tables directly.

use std::sync::Arc;

use hearth_core::{ChannelId, MessageId, Snowflake, Timestamp, UserId};
use hearth_store::testing::TestDatabase;
use hearth_store::*;
use sqlx::Connection;

#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

macro_rules! contract_with_url {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = super::TestDatabase::sqlite();
                    let store = hearth_store::connect(&db.url).await.expect("connect");
                    super::$name(store.clone(), db.url.clone()).await;
                    store.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = super::TestDatabase::postgres().await else { return };
                    let store = hearth_store::connect(&db.url).await.expect("connect");
                    super::$name(store.clone(), db.url.clone()).await;
                    store.close().await;
                }
            )*
        }
    };
}

contract_with_url!(
    a_deleted_message_keeps_a_tombstone_without_its_content,
    a_secret_channel_keeps_no_row_of_a_deleted_message,
    rules_are_stored_and_targets_take_the_channel_before_the_guild,
    the_purge_removes_old_rows_and_tombstones_in_batches,
    racing_purges_remove_and_report_each_row_once,
);

/// One number read from the database with raw SQL (`$1` bound to `arg`).
async fn count(url: &str, sql: &str, arg: i64) -> i64 {
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(arg)
            .fetch_one(&mut c)
            .await
            .unwrap();
        n
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(arg)
            .fetch_one(&mut c)
            .await
            .unwrap();
        n
    }
}

/// Rows of a channel's messages whose stored text still holds anything of what was written:
/// content, embeds or nonce.
async fn rows_with_text(url: &str, channel: i64) -> i64 {
    count(
        url,
        "SELECT COUNT(*) FROM messages WHERE channel_id = $1
            AND (content <> '' OR embeds <> '[]' OR nonce IS NOT NULL)",
        channel,
    )
    .await
}

async fn rows(url: &str, channel: i64) -> i64 {
    count(
        url,
        "SELECT COUNT(*) FROM messages WHERE channel_id = $1",
        channel,
    )
    .await
}

fn written(f: &Fixture, channel: ChannelId, author: UserId, text: &str) -> Message {
    Message {
        nonce: Some("n-1".into()),
        embeds: r#"[{"title":"an embed","type":"rich"}]"#.into(),
        ..f.message(channel, author, text)
    }
}

async fn a_deleted_message_keeps_a_tombstone_without_its_content(
    store: Arc<dyn Store>,
    url: String,
) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (_, general) = f.guild(&store, &owner).await;
    let ch = general.id.as_i64();
    let one = written(&f, general.id, owner.id, "private words");
    let two = written(&f, general.id, owner.id, "more words");
    let three = written(&f, general.id, owner.id, "kept words");
    for m in [&one, &two, &three] {
        store.insert_message(m).await.unwrap();
    }
    let now = Timestamp::now();
    assert!(store.delete_message(general.id, one.id, now).await.unwrap());
    let bulk = store
        .delete_messages(general.id, &[two.id], now)
        .await
        .unwrap();
    assert_eq!(bulk, vec![two.id]);
    assert_eq!(store.fetch_message(general.id, one.id).await.unwrap(), None);
    // The tombstones stay (id, author, times), with nothing of what was written.
    assert_eq!(rows(&url, ch).await, 3);
    assert_eq!(rows_with_text(&url, ch).await, 1);
    let tombstones = count(
        &url,
        "SELECT COUNT(*) FROM messages WHERE channel_id = $1 AND deleted_at IS NOT NULL
            AND content = '' AND embeds = '[]' AND nonce IS NULL",
        ch,
    )
    .await;
    assert_eq!(tombstones, 2);
    let kept = store
        .fetch_message(general.id, three.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.content, "kept words");
}

async fn a_secret_channel_keeps_no_row_of_a_deleted_message(store: Arc<dyn Store>, url: String) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let secret = f.channel(guild.id, "secret");
    store.insert_channel(&secret).await.unwrap();
    let rules = ChannelRetention {
        secret: true,
        ..ChannelRetention::none(secret.id)
    };
    store
        .update_channel_retention(&rules, Timestamp::now())
        .await
        .unwrap();
    assert_eq!(
        store.fetch_channel_retention(secret.id).await.unwrap(),
        rules
    );
    let ms: Vec<Message> = (0..3)
        .map(|i| written(&f, secret.id, owner.id, &format!("secret {i}")))
        .collect();
    for m in &ms {
        store.insert_message(m).await.unwrap();
    }
    let now = Timestamp::now();
    assert!(store
        .delete_message(secret.id, ms[0].id, now)
        .await
        .unwrap());
    assert!(!store
        .delete_message(secret.id, ms[0].id, now)
        .await
        .unwrap());
    let bulk = store
        .delete_messages(secret.id, &[ms[1].id, ms[0].id], now)
        .await
        .unwrap();
    assert_eq!(bulk, vec![ms[1].id]);
    assert_eq!(rows(&url, secret.id.as_i64()).await, 1);
    // Another channel of the guild keeps tombstones.
    let plain = written(&f, general.id, owner.id, "plain");
    store.insert_message(&plain).await.unwrap();
    assert!(store
        .delete_message(general.id, plain.id, now)
        .await
        .unwrap());
    assert_eq!(rows(&url, general.id.as_i64()).await, 1);
    // The message count followed both kinds of deletion.
    let counters = store.fetch_channel_counters(guild.id).await.unwrap();
    let s = counters.iter().find(|c| c.channel_id == secret.id).unwrap();
    assert_eq!(s.message_count, 1);
}

async fn rules_are_stored_and_targets_take_the_channel_before_the_guild(
    store: Arc<dyn Store>,
    url: String,
) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let (other_guild, other_general) = f.guild(&store, &owner).await;
    let weekly = f.channel(guild.id, "weekly");
    store.insert_channel(&weekly).await.unwrap();
    assert!(store.fetch_retention_targets().await.unwrap().is_empty());
    assert_eq!(store.fetch_guild_retention(guild.id).await.unwrap(), None);
    let now = Timestamp::now();
    store
        .update_guild_retention(guild.id, Some(30), now)
        .await
        .unwrap();
    store
        .update_guild_retention(guild.id, Some(60), now)
        .await
        .unwrap();
    assert_eq!(
        store.fetch_guild_retention(guild.id).await.unwrap(),
        Some(60)
    );
    let own = ChannelRetention {
        retention_days: Some(7),
        ..ChannelRetention::none(weekly.id)
    };
    store.update_channel_retention(&own, now).await.unwrap();
    let other = ChannelRetention {
        retention_days: Some(1),
        ..ChannelRetention::none(other_general.id)
    };
    store.update_channel_retention(&other, now).await.unwrap();
    let mut want = vec![
        RetentionTarget {
            channel_id: general.id,
            guild_id: Some(guild.id),
            retention_days: 60,
        },
        RetentionTarget {
            channel_id: weekly.id,
            guild_id: Some(guild.id),
            retention_days: 7,
        },
        RetentionTarget {
            channel_id: other_general.id,
            guild_id: Some(other_guild.id),
            retention_days: 1,
        },
    ];
    want.sort_by_key(|t| t.channel_id);
    assert_eq!(store.fetch_retention_targets().await.unwrap(), want);
    // Neither rule left: the row goes; the guild's retention removed: its channels keep all.
    store
        .update_channel_retention(&ChannelRetention::none(weekly.id), now)
        .await
        .unwrap();
    store
        .update_guild_retention(guild.id, None, now)
        .await
        .unwrap();
    assert_eq!(
        store.fetch_channel_retention(weekly.id).await.unwrap(),
        ChannelRetention::none(weekly.id)
    );
    assert_eq!(
        count(
            &url,
            "SELECT COUNT(*) FROM channel_retention WHERE channel_id = $1",
            weekly.id.as_i64()
        )
        .await,
        0
    );
    assert_eq!(
        store.fetch_retention_targets().await.unwrap(),
        vec![RetentionTarget {
            channel_id: other_general.id,
            guild_id: Some(other_guild.id),
            retention_days: 1,
        }]
    );
}

/// Messages posted at `start_ms` + i seconds.
async fn old_messages(
    store: &Arc<dyn Store>,
    f: &Fixture,
    channel: ChannelId,
    author: UserId,
    start_ms: u64,
    n: u64,
) -> Vec<MessageId> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = MessageId::from(Snowflake::from_unix_millis(start_ms + i * 1000));
        store
            .insert_message(&Message {
                id,
                ..written(f, channel, author, &format!("old {i}"))
            })
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

async fn the_purge_removes_old_rows_and_tombstones_in_batches(store: Arc<dyn Store>, url: String) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let old = old_messages(&store, &f, general.id, owner.id, 1_600_000_000_000, 5).await;
    let fresh = written(&f, general.id, owner.id, "fresh");
    store.insert_message(&fresh).await.unwrap();
    // One old message is a tombstone already.
    assert!(store
        .delete_message(general.id, old[1], Timestamp::now())
        .await
        .unwrap());
    let cutoff = MessageId::from(Snowflake::from_unix_millis(1_700_000_000_000));
    let first = store
        .delete_messages_before(general.id, cutoff, 3)
        .await
        .unwrap();
    assert_eq!(first.rows, 3);
    assert_eq!(first.visible, vec![old[0], old[2]]);
    let second = store
        .delete_messages_before(general.id, cutoff, 3)
        .await
        .unwrap();
    assert_eq!(
        second,
        Purged {
            visible: vec![old[3], old[4]],
            rows: 2,
        }
    );
    let third = store
        .delete_messages_before(general.id, cutoff, 3)
        .await
        .unwrap();
    assert_eq!(third, Purged::default());
    // Only the fresh message is left, in the tables and in the counters.
    assert_eq!(rows(&url, general.id.as_i64()).await, 1);
    let counters = store.fetch_channel_counters(guild.id).await.unwrap();
    let g = counters
        .iter()
        .find(|c| c.channel_id == general.id)
        .unwrap();
    assert_eq!(g.message_count, 1);
    assert_eq!(
        store
            .fetch_message(general.id, fresh.id)
            .await
            .unwrap()
            .map(|m| m.content),
        Some("fresh".into())
    );
}

async fn racing_purges_remove_and_report_each_row_once(store: Arc<dyn Store>, url: String) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (_, general) = f.guild(&store, &owner).await;
    let old = old_messages(&store, &f, general.id, owner.id, 1_600_000_000_000, 40).await;
    let cutoff = MessageId::from(Snowflake::from_unix_millis(1_700_000_000_000));
    let purge = |store: Arc<dyn Store>| async move {
        let mut seen = Vec::new();
        loop {
            let p = store
                .delete_messages_before(general.id, cutoff, 7)
                .await
                .unwrap();
            if p.rows == 0 {
                return seen;
            }
            seen.extend(p.visible);
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(purge(store.clone())),
        tokio::spawn(purge(store.clone()))
    );
    let mut all: Vec<MessageId> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    all.sort_unstable();
    assert_eq!(all, old);
    assert_eq!(rows(&url, general.id.as_i64()).await, 0);
}

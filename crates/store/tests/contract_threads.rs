//! The store contract for threads: a thread is a channel with its metadata, made with its owner
//! as first member (from a message, which is flagged, or not); it is left out of the guild's
//! channel list, listed as active until archived, then in its parent's archived list; members
//! join and leave once; idle threads are archived once; a thread goes with its parent. Every
//! test runs on SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set, each on a
//! database of its own.

use std::sync::Arc;

use hearth_core::{ChannelId, Timestamp};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

contract!(
    a_thread_is_stored_with_its_owner_as_member_and_out_of_the_channel_list,
    a_thread_from_a_message_flags_it_and_only_once,
    a_thread_from_a_missing_message_writes_nothing,
    members_join_and_leave_once,
    archiving_moves_a_thread_to_the_archived_list,
    idle_threads_are_archived_once,
    threads_go_with_their_parent,
);

/// A public thread of `parent` named `name`, owned by `owner`, created at `at` (micros).
fn thread(
    f: &Fixture,
    parent: &Channel,
    owner: &User,
    name: &str,
    at: i64,
) -> (Channel, ThreadMeta) {
    let channel = Channel {
        kind: 11,
        parent_id: Some(parent.id),
        created_at: at,
        ..f.channel(parent.guild_id.unwrap(), name)
    };
    let meta = ThreadMeta {
        thread_id: channel.id,
        owner_id: owner.id,
        archived: false,
        locked: false,
        invitable: true,
        auto_archive_duration: 60,
        archive_timestamp: at,
    };
    (channel, meta)
}

async fn a_thread_is_stored_with_its_owner_as_member_and_out_of_the_channel_list(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, general) = f.guild(&store, &alice).await;
    let (c, meta) = thread(&f, &general, &alice, "plans", Timestamp::now().0);

    assert!(store
        .insert_thread(&c, &meta, None, Timestamp(5))
        .await
        .unwrap());

    let t = store.fetch_thread(c.id).await.unwrap().unwrap();
    assert_eq!(
        (t.channel.kind, t.channel.parent_id),
        (11, Some(general.id))
    );
    assert_eq!(t.meta, meta);
    assert_eq!((t.member_count, t.message_count), (1, 0));
    let members = store.fetch_thread_members(c.id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!((members[0].user_id, members[0].joined_at), (alice.id, 5));
    let channels = store.fetch_guild_channels(guild.id).await.unwrap();
    assert_eq!(
        channels.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![general.id]
    );
    let active = store.fetch_active_threads(guild.id).await.unwrap();
    assert_eq!(active, vec![t]);
    // Its messages are counted by the channel row, as any channel's.
    f.post(&store, c.id, alice.id, f.id()).await;
    let t = store.fetch_thread(c.id).await.unwrap().unwrap();
    assert_eq!(t.message_count, 1);
}

async fn a_thread_from_a_message_flags_it_and_only_once(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (_, general) = f.guild(&store, &alice).await;
    let m = f.message(general.id, alice.id, "start here");
    store.insert_message(&m).await.unwrap();
    let (c, meta) = thread(&f, &general, &alice, "plans", Timestamp::now().0);
    let c = Channel {
        id: ChannelId::from(m.id.snowflake()),
        ..c
    };
    let meta = ThreadMeta {
        thread_id: c.id,
        ..meta
    };

    assert!(store
        .insert_thread(&c, &meta, Some(m.id), Timestamp(5))
        .await
        .unwrap());
    let again = store
        .insert_thread(&c, &meta, Some(m.id), Timestamp(6))
        .await;

    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let flagged = store
        .fetch_message(general.id, m.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(flagged.flags & 32, 32);
    assert_eq!(store.fetch_thread_members(c.id).await.unwrap().len(), 1);
}

async fn a_thread_from_a_missing_message_writes_nothing(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, general) = f.guild(&store, &alice).await;
    let (c, meta) = thread(&f, &general, &alice, "plans", Timestamp::now().0);

    let made = store
        .insert_thread(&c, &meta, Some(f.id()), Timestamp(5))
        .await
        .unwrap();

    assert!(!made);
    assert_eq!(store.fetch_thread(c.id).await.unwrap(), None);
    assert_eq!(store.fetch_channel(c.id).await.unwrap(), None);
    assert!(store
        .fetch_active_threads(guild.id)
        .await
        .unwrap()
        .is_empty());
}

async fn members_join_and_leave_once(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let (_, general) = f.guild(&store, &alice).await;
    let (c, meta) = thread(&f, &general, &alice, "plans", Timestamp::now().0);
    store
        .insert_thread(&c, &meta, None, Timestamp(5))
        .await
        .unwrap();

    assert!(store
        .insert_thread_member(c.id, bob.id, Timestamp(7))
        .await
        .unwrap());
    assert!(!store
        .insert_thread_member(c.id, bob.id, Timestamp(8))
        .await
        .unwrap());
    let bobs = store
        .fetch_thread_member(c.id, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bobs.joined_at, 7);
    assert_eq!(
        store
            .fetch_thread(c.id)
            .await
            .unwrap()
            .unwrap()
            .member_count,
        2
    );
    let joined = store
        .fetch_joined_threads(bob.id, &[c.id, general.id])
        .await
        .unwrap();
    assert_eq!(joined, vec![bobs]);

    assert!(store.delete_thread_member(c.id, bob.id).await.unwrap());
    assert!(!store.delete_thread_member(c.id, bob.id).await.unwrap());
    assert_eq!(store.fetch_thread_member(c.id, bob.id).await.unwrap(), None);
    let missing = store
        .insert_thread_member(f.id(), bob.id, Timestamp(9))
        .await;
    assert!(
        matches!(missing, Err(StoreError::MissingParent(_))),
        "{missing:?}"
    );
}

async fn archiving_moves_a_thread_to_the_archived_list(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, general) = f.guild(&store, &alice).await;
    let now = Timestamp::now().0;
    let (a, meta_a) = thread(&f, &general, &alice, "a", now);
    let (b, meta_b) = thread(&f, &general, &alice, "b", now);
    store
        .insert_thread(&a, &meta_a, None, Timestamp(1))
        .await
        .unwrap();
    store
        .insert_thread(&b, &meta_b, None, Timestamp(1))
        .await
        .unwrap();
    let archive = ThreadPatch {
        archived: Some(true),
        ..ThreadPatch::default()
    };

    let t = store
        .update_thread(a.id, &archive, Timestamp(now + 10))
        .await
        .unwrap()
        .unwrap();
    store
        .update_thread(b.id, &archive, Timestamp(now + 20))
        .await
        .unwrap();
    // Archiving again leaves the archive time as it was.
    store
        .update_thread(b.id, &archive, Timestamp(now + 30))
        .await
        .unwrap();

    assert!(t.meta.archived);
    assert_eq!(t.meta.archive_timestamp, now + 10);
    assert!(store
        .fetch_active_threads(guild.id)
        .await
        .unwrap()
        .is_empty());
    let list = store
        .fetch_archived_threads(general.id, &[11], None, 10)
        .await
        .unwrap();
    let ids: Vec<ChannelId> = list.iter().map(|t| t.channel.id).collect();
    assert_eq!(ids, vec![b.id, a.id]);
    assert_eq!(list[0].meta.archive_timestamp, now + 20);
    let older = store
        .fetch_archived_threads(general.id, &[11], Some(now + 20), 10)
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert!(store
        .fetch_archived_threads(general.id, &[12], None, 10)
        .await
        .unwrap()
        .is_empty());
    let renamed = ThreadPatch {
        name: Some("renamed".into()),
        archived: Some(false),
        locked: Some(true),
        auto_archive_duration: Some(10080),
        invitable: None,
    };
    let t = store
        .update_thread(a.id, &renamed, Timestamp(now + 40))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.channel.name.as_deref(), Some("renamed"));
    assert!(!t.meta.archived && t.meta.locked);
    assert_eq!(t.meta.auto_archive_duration, 10080);
    assert_eq!(
        store
            .update_thread(f.id(), &archive, Timestamp(1))
            .await
            .unwrap(),
        None
    );
}

async fn idle_threads_are_archived_once(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (_, general) = f.guild(&store, &alice).await;
    let hour = 3_600_000_000;
    let start = Timestamp::now().0;
    let (quiet, meta_q) = thread(&f, &general, &alice, "quiet", start);
    let (busy, meta_b) = thread(&f, &general, &alice, "busy", start);
    store
        .insert_thread(&quiet, &meta_q, None, Timestamp(start))
        .await
        .unwrap();
    store
        .insert_thread(&busy, &meta_b, None, Timestamp(start))
        .await
        .unwrap();
    // A message in `busy` half an hour from now (its id carries its time).
    let later = hearth_core::Snowflake::from_unix_millis(((start + hour / 2) / 1000) as u64);
    f.post(&store, busy.id, alice.id, later.into()).await;

    assert!(store
        .update_idle_threads(Timestamp(start + hour / 2))
        .await
        .unwrap()
        .is_empty());
    let first = store
        .update_idle_threads(Timestamp(start + hour))
        .await
        .unwrap();
    let second = store
        .update_idle_threads(Timestamp(start + hour))
        .await
        .unwrap();

    assert_eq!(first.len(), 1);
    assert_eq!(first[0].channel.id, quiet.id);
    assert!(first[0].meta.archived);
    assert_eq!(first[0].meta.archive_timestamp, start + hour);
    assert!(second.is_empty());
    let both = store
        .update_idle_threads(Timestamp(start + 2 * hour))
        .await
        .unwrap();
    assert_eq!(
        both.iter().map(|t| t.channel.id).collect::<Vec<_>>(),
        vec![busy.id]
    );
}

async fn threads_go_with_their_parent(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, _) = f.guild(&store, &alice).await;
    let doomed = f.channel(guild.id, "doomed");
    store.insert_channel(&doomed).await.unwrap();
    let (c, meta) = thread(&f, &doomed, &alice, "plans", Timestamp::now().0);
    store
        .insert_thread(&c, &meta, None, Timestamp(1))
        .await
        .unwrap();

    store.delete_channel(doomed.id).await.unwrap();

    assert_eq!(store.fetch_channel(c.id).await.unwrap(), None);
    assert_eq!(store.fetch_thread(c.id).await.unwrap(), None);
    assert!(store
        .fetch_active_threads(guild.id)
        .await
        .unwrap()
        .is_empty());
}

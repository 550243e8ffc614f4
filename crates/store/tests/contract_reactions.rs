//! The store contract for reactions: one per user, message and emoji; counted per emoji in the
//! order of first reaction with the viewer's own marked, for a whole page in one call; users
//! listed by id after a cursor; removed one by one, by emoji or all at once; gone with their
//! message (deleted alone, in bulk, or with a ban) and never added to a deleted one. Every test
//! runs on SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set, each on a
//! database of its own.

use std::sync::Arc;

use hearth_core::{ChannelId, MessageId, Timestamp, UserId};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

contract!(
    a_reaction_is_stored_once_per_user_and_emoji,
    counts_follow_the_first_reaction_and_mark_the_viewer,
    users_are_listed_by_id_after_the_cursor,
    reactions_are_removed_one_by_emoji_or_all,
    a_deleted_message_takes_its_reactions_and_takes_no_more,
    bulk_deletion_and_bans_take_the_reactions_too,
);

/// A guild with two members besides its owner, and a message by the owner: (owner, bob,
/// carol, channel, message).
async fn setup(f: &Fixture, store: &Arc<dyn Store>) -> (User, User, User, ChannelId, MessageId) {
    let alice = f.user(store, "alice").await;
    let bob = f.user(store, "bob").await;
    let carol = f.user(store, "carol").await;
    let (guild, general) = f.guild(store, &alice).await;
    f.join(store, guild.id, bob.id, Vec::new()).await;
    f.join(store, guild.id, carol.id, Vec::new()).await;
    let m: MessageId = f.id();
    f.post(store, general.id, alice.id, m).await;
    (alice, bob, carol, general.id, m)
}

async fn react(
    store: &Arc<dyn Store>,
    c: ChannelId,
    m: MessageId,
    e: &str,
    u: UserId,
    at: i64,
) -> bool {
    store
        .insert_reaction(c, m, e, u, Timestamp(at))
        .await
        .unwrap()
}

async fn a_reaction_is_stored_once_per_user_and_emoji(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let (alice, bob, _, c, m) = setup(&f, &store).await;

    assert!(react(&store, c, m, "👍", alice.id, 1).await);
    assert!(!react(&store, c, m, "👍", alice.id, 2).await);
    assert!(react(&store, c, m, "👍", bob.id, 3).await);
    assert!(react(&store, c, m, "🎉", alice.id, 4).await);

    let counts = store.fetch_reaction_counts(c, &[m], bob.id).await.unwrap();
    assert_eq!(
        counts,
        vec![
            ReactionCount {
                message_id: m,
                emoji: "👍".into(),
                count: 2,
                me: 1
            },
            ReactionCount {
                message_id: m,
                emoji: "🎉".into(),
                count: 1,
                me: 0
            },
        ]
    );
    assert_eq!(
        store.fetch_reaction_emoji(c, m).await.unwrap(),
        vec!["👍".to_owned(), "🎉".to_owned()]
    );
}

async fn counts_follow_the_first_reaction_and_mark_the_viewer(store: Arc<dyn Store>) {
    // Arrange: two messages; on the first, 🎉 came before 👍 although 👍 sorts first.
    let f = Fixture::new();
    let (alice, bob, carol, c, m1) = setup(&f, &store).await;
    let m2: MessageId = f.id();
    f.post(&store, c, bob.id, m2).await;
    let bare: MessageId = f.id();
    f.post(&store, c, bob.id, bare).await;
    react(&store, c, m1, "🎉", bob.id, 10).await;
    react(&store, c, m1, "👍", carol.id, 20).await;
    react(&store, c, m1, "👍", alice.id, 30).await;
    react(&store, c, m2, "❤️", alice.id, 5).await;

    // Act
    let counts = store
        .fetch_reaction_counts(c, &[m2, bare, m1], alice.id)
        .await
        .unwrap();

    // Assert: by message id, then by first reaction.
    let flat: Vec<(MessageId, &str, i64, i64)> = counts
        .iter()
        .map(|r| (r.message_id, r.emoji.as_str(), r.count, r.me))
        .collect();
    assert_eq!(
        flat,
        vec![(m1, "🎉", 1, 0), (m1, "👍", 2, 1), (m2, "❤️", 1, 1)]
    );
    assert!(store
        .fetch_reaction_counts(c, &[], alice.id)
        .await
        .unwrap()
        .is_empty());
}

async fn users_are_listed_by_id_after_the_cursor(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let (alice, bob, carol, c, m) = setup(&f, &store).await;
    for u in [&carol, &alice, &bob] {
        react(&store, c, m, "👍", u.id, 1).await;
    }
    react(&store, c, m, "🎉", bob.id, 2).await;
    let mut ids = vec![alice.id, bob.id, carol.id];
    ids.sort_unstable();

    let all = store
        .fetch_reaction_users(c, m, "👍", UserId::default(), 25)
        .await
        .unwrap();
    let after_first = store
        .fetch_reaction_users(c, m, "👍", ids[0], 1)
        .await
        .unwrap();

    assert_eq!(all.iter().map(|u| u.id).collect::<Vec<_>>(), ids);
    assert_eq!(
        after_first.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![ids[1]]
    );
    assert!(store
        .fetch_reaction_users(c, m, "❤️", UserId::default(), 25)
        .await
        .unwrap()
        .is_empty());
}

async fn reactions_are_removed_one_by_emoji_or_all(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let (alice, bob, carol, c, m) = setup(&f, &store).await;
    for u in [&alice, &bob, &carol] {
        react(&store, c, m, "👍", u.id, 1).await;
        react(&store, c, m, "🎉", u.id, 2).await;
    }
    react(&store, c, m, "❤️", alice.id, 3).await;

    assert!(store.delete_reaction(c, m, "👍", bob.id).await.unwrap());
    assert!(!store.delete_reaction(c, m, "👍", bob.id).await.unwrap());
    assert_eq!(store.delete_reactions(c, m, Some("🎉")).await.unwrap(), 3);
    assert_eq!(
        store.fetch_reaction_emoji(c, m).await.unwrap(),
        vec!["👍".to_owned(), "❤️".to_owned()]
    );
    assert_eq!(store.delete_reactions(c, m, None).await.unwrap(), 3);
    assert!(store.fetch_reaction_emoji(c, m).await.unwrap().is_empty());
}

async fn a_deleted_message_takes_its_reactions_and_takes_no_more(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let (alice, bob, _, c, m) = setup(&f, &store).await;
    react(&store, c, m, "👍", bob.id, 1).await;

    assert!(store.delete_message(c, m, Timestamp(5)).await.unwrap());

    assert!(store.fetch_reaction_emoji(c, m).await.unwrap().is_empty());
    assert!(!react(&store, c, m, "👍", alice.id, 6).await);
    assert!(!react(&store, c, f.id(), "👍", alice.id, 6).await);
    assert!(store.fetch_reaction_emoji(c, m).await.unwrap().is_empty());
}

async fn bulk_deletion_and_bans_take_the_reactions_too(store: Arc<dyn Store>) {
    // Arrange: two messages by alice, one by bob, each with a reaction.
    let f = Fixture::new();
    let (alice, bob, carol, c, m1) = setup(&f, &store).await;
    let m2: MessageId = f.id();
    f.post(&store, c, alice.id, m2).await;
    let by_bob: MessageId = f.id();
    f.post(&store, c, bob.id, by_bob).await;
    for m in [m1, m2, by_bob] {
        react(&store, c, m, "👍", carol.id, 1).await;
    }
    let guild_id = store
        .fetch_channel(c)
        .await
        .unwrap()
        .unwrap()
        .guild_id
        .unwrap();

    // Act
    let gone = store
        .delete_messages(c, &[m1, m2], Timestamp(5))
        .await
        .unwrap();
    let ban = Ban {
        guild_id,
        user_id: bob.id,
        reason: None,
        created_at: 6,
    };
    let outcome = store
        .ban_member(&ban, Some(Timestamp(0)), Timestamp(6))
        .await
        .unwrap();

    // Assert
    assert_eq!(gone.len(), 2);
    assert_eq!(outcome.deleted, vec![(c, by_bob)]);
    let left = store
        .fetch_reaction_counts(c, &[m1, m2, by_bob], carol.id)
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}

//! The store contract for relationships: friend requests sent, accepted, declined and
//! cancelled, friendships ended, blocks made and lifted, friends' nicknames, and requests made
//! both ways at once. Like `contract.rs`, every test runs on SQLite, and on PostgreSQL when
//! `HEARTH_TEST_POSTGRES_URL` is set, each on a database of its own.

use std::sync::Arc;

use hearth_core::{RelationshipKind, Timestamp, UserId};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;
use RelationshipKind::{Blocked, Friend, PendingIncoming, PendingOutgoing};

contract!(
    a_request_is_outgoing_for_the_sender_and_incoming_for_the_target,
    accepting_or_asking_back_makes_both_friends_once,
    removing_ends_friendships_and_requests_on_both_sides_but_never_blocks,
    blocking_replaces_the_blockers_side_and_removes_the_others,
    blocks_refuse_requests_both_ways_until_each_is_lifted,
    nicknames_are_kept_for_friends_only,
    concurrent_requests_both_ways_make_friends_once,
    relationships_with_a_missing_user_fail_as_missing_parent,
    people_are_found_by_username_in_any_case_and_bots_never,
    friends_of_many_users_and_who_knows_of_whom,
);

/// How many times the race is run.
const ROUNDS: usize = 8;

fn at(micros: i64) -> Timestamp {
    Timestamp(micros)
}

/// `user`'s side with `other`, as (kind, since), if any.
async fn side(
    store: &Arc<dyn Store>,
    user: UserId,
    other: UserId,
) -> Option<(RelationshipKind, i64)> {
    store
        .fetch_relationship(user, other)
        .await
        .unwrap()
        .map(|r| (r.kind, r.since))
}

/// `user`'s relationships as (other, kind), ascending by the other's id.
async fn list(store: &Arc<dyn Store>, user: UserId) -> Vec<(UserId, RelationshipKind)> {
    store
        .fetch_relationships(user)
        .await
        .unwrap()
        .into_iter()
        .map(|(r, u)| {
            assert_eq!((r.user_id, r.other_id), (user, u.id));
            (u.id, r.kind)
        })
        .collect()
}

/// A row as a change reports it: (owner, other, kind).
fn rows(rows: &[Relationship]) -> Vec<(UserId, UserId, RelationshipKind)> {
    rows.iter()
        .map(|r| (r.user_id, r.other_id, r.kind))
        .collect()
}

async fn a_request_is_outgoing_for_the_sender_and_incoming_for_the_target(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let carol = f.user(&store, "carol").await;

    // Act
    let sent = store
        .insert_friend_request(alice.id, bob.id, at(10))
        .await
        .unwrap();
    store
        .insert_friend_request(alice.id, carol.id, at(11))
        .await
        .unwrap();
    let again = store
        .insert_friend_request(alice.id, bob.id, at(12))
        .await
        .unwrap();

    // Assert
    let FriendRequest::Sent(change) = sent else {
        panic!("expected a sent request, got {sent:?}");
    };
    assert_eq!(
        rows(&change.written),
        [
            (alice.id, bob.id, PendingOutgoing),
            (bob.id, alice.id, PendingIncoming)
        ]
    );
    assert!(change.deleted.is_empty());
    assert_eq!(again, FriendRequest::AlreadySent);
    assert_eq!(
        side(&store, alice.id, bob.id).await,
        Some((PendingOutgoing, 10))
    );
    assert_eq!(
        side(&store, bob.id, alice.id).await,
        Some((PendingIncoming, 10))
    );
    assert_eq!(
        list(&store, alice.id).await,
        [(bob.id, PendingOutgoing), (carol.id, PendingOutgoing)]
    );
    let (_, other) = &store.fetch_relationships(bob.id).await.unwrap()[0];
    assert_eq!(other, &alice);
    assert!(list(&store, f.someone(&store).await.id).await.is_empty());
    assert!(!store.is_blocked(alice.id, bob.id).await.unwrap());
}

async fn accepting_or_asking_back_makes_both_friends_once(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let carol = f.user(&store, "carol").await;
    store
        .insert_friend_request(alice.id, bob.id, at(10))
        .await
        .unwrap();
    store
        .insert_friend_request(alice.id, carol.id, at(10))
        .await
        .unwrap();

    // Only the target accepts: the sender has nothing to accept.
    assert_eq!(
        store
            .accept_friend_request(alice.id, bob.id, at(20))
            .await
            .unwrap(),
        None
    );
    let accepted = store
        .accept_friend_request(bob.id, alice.id, at(20))
        .await
        .unwrap();
    let change = accepted.expect("an incoming request to accept");
    assert_eq!(
        rows(&change.written),
        [(bob.id, alice.id, Friend), (alice.id, bob.id, Friend)]
    );
    assert_eq!(side(&store, alice.id, bob.id).await, Some((Friend, 20)));
    assert_eq!(side(&store, bob.id, alice.id).await, Some((Friend, 20)));
    assert_eq!(
        store
            .accept_friend_request(bob.id, alice.id, at(30))
            .await
            .unwrap(),
        None
    );

    // Asking someone who asked first accepts too.
    let back = store
        .insert_friend_request(carol.id, alice.id, at(40))
        .await
        .unwrap();
    let FriendRequest::Accepted(change) = back else {
        panic!("expected an accepted request, got {back:?}");
    };
    assert_eq!(
        rows(&change.written),
        [(carol.id, alice.id, Friend), (alice.id, carol.id, Friend)]
    );
    assert_eq!(
        store
            .insert_friend_request(alice.id, carol.id, at(50))
            .await
            .unwrap(),
        FriendRequest::AlreadyFriends
    );
    assert_eq!(side(&store, alice.id, carol.id).await, Some((Friend, 40)));
    assert_eq!(
        list(&store, alice.id).await,
        [(bob.id, Friend), (carol.id, Friend)]
    );
}

async fn removing_ends_friendships_and_requests_on_both_sides_but_never_blocks(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let carol = f.user(&store, "carol").await;
    let dave = f.user(&store, "dave").await;
    store
        .insert_friend_request(alice.id, bob.id, at(1))
        .await
        .unwrap();
    store
        .insert_friend_request(alice.id, carol.id, at(1))
        .await
        .unwrap();
    store
        .insert_friend_request(dave.id, alice.id, at(1))
        .await
        .unwrap();
    store
        .insert_friend_request(alice.id, dave.id, at(2))
        .await
        .unwrap();

    // Declined by the target, cancelled by the sender, a friend removed: both rows go.
    let declined = store.delete_relationship(bob.id, alice.id).await.unwrap();
    let cancelled = store.delete_relationship(alice.id, carol.id).await.unwrap();
    let unfriended = store.delete_relationship(alice.id, dave.id).await.unwrap();

    assert_eq!(
        rows(&declined.deleted),
        [
            (bob.id, alice.id, PendingIncoming),
            (alice.id, bob.id, PendingOutgoing)
        ]
    );
    assert_eq!(
        rows(&cancelled.deleted),
        [
            (alice.id, carol.id, PendingOutgoing),
            (carol.id, alice.id, PendingIncoming)
        ]
    );
    assert_eq!(
        rows(&unfriended.deleted),
        [(alice.id, dave.id, Friend), (dave.id, alice.id, Friend)]
    );
    assert!(declined.written.is_empty());
    assert!(list(&store, alice.id).await.is_empty());
    assert!(list(&store, bob.id).await.is_empty());
    assert!(store
        .delete_relationship(alice.id, bob.id)
        .await
        .unwrap()
        .is_empty());

    // A block is not a friendship: removing leaves it.
    store.insert_block(bob.id, alice.id, at(3)).await.unwrap();
    assert!(store
        .delete_relationship(bob.id, alice.id)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .delete_relationship(alice.id, bob.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(side(&store, bob.id, alice.id).await, Some((Blocked, 3)));
}

async fn blocking_replaces_the_blockers_side_and_removes_the_others(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let carol = f.user(&store, "carol").await;
    store
        .insert_friend_request(alice.id, bob.id, at(1))
        .await
        .unwrap();
    store
        .accept_friend_request(bob.id, alice.id, at(2))
        .await
        .unwrap();
    store
        .insert_friend_request(carol.id, alice.id, at(3))
        .await
        .unwrap();

    // A friend blocked: the blocker's row becomes the block, the other's row goes.
    let change = store.insert_block(alice.id, bob.id, at(5)).await.unwrap();
    assert_eq!(rows(&change.written), [(alice.id, bob.id, Blocked)]);
    assert_eq!(rows(&change.deleted), [(bob.id, alice.id, Friend)]);
    assert_eq!(side(&store, alice.id, bob.id).await, Some((Blocked, 5)));
    assert_eq!(side(&store, bob.id, alice.id).await, None);
    assert!(store
        .insert_block(alice.id, bob.id, at(6))
        .await
        .unwrap()
        .is_empty());

    // The one who sent a request blocked by its target: the request is gone on both sides.
    let change = store.insert_block(alice.id, carol.id, at(7)).await.unwrap();
    assert_eq!(rows(&change.written), [(alice.id, carol.id, Blocked)]);
    assert_eq!(
        rows(&change.deleted),
        [(carol.id, alice.id, PendingOutgoing)]
    );

    // Blocking back keeps the first block: each side holds its own.
    let change = store.insert_block(bob.id, alice.id, at(8)).await.unwrap();
    assert_eq!(rows(&change.written), [(bob.id, alice.id, Blocked)]);
    assert!(change.deleted.is_empty());
    assert_eq!(side(&store, alice.id, bob.id).await, Some((Blocked, 5)));
    assert_eq!(
        list(&store, alice.id).await,
        [(bob.id, Blocked), (carol.id, Blocked)]
    );
}

async fn blocks_refuse_requests_both_ways_until_each_is_lifted(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    store.insert_block(alice.id, bob.id, at(1)).await.unwrap();
    store.insert_block(bob.id, alice.id, at(2)).await.unwrap();

    for (a, b) in [(alice.id, bob.id), (bob.id, alice.id)] {
        assert!(store.is_blocked(a, b).await.unwrap());
        let refused = store.insert_friend_request(a, b, at(3)).await.unwrap();
        assert_eq!(refused, FriendRequest::Blocked);
    }

    // Lifting one block leaves the other, which still refuses requests either way.
    let lifted = store.delete_block(alice.id, bob.id).await.unwrap();
    assert_eq!(
        lifted.map(|r| (r.user_id, r.kind, r.since)),
        Some((alice.id, Blocked, 1))
    );
    assert_eq!(store.delete_block(alice.id, bob.id).await.unwrap(), None);
    assert_eq!(side(&store, bob.id, alice.id).await, Some((Blocked, 2)));
    assert!(store.is_blocked(alice.id, bob.id).await.unwrap());
    assert_eq!(
        store
            .insert_friend_request(alice.id, bob.id, at(4))
            .await
            .unwrap(),
        FriendRequest::Blocked
    );
    // Nor is a block lifted by someone else's hand.
    assert_eq!(store.delete_block(alice.id, bob.id).await.unwrap(), None);

    store.delete_block(bob.id, alice.id).await.unwrap();
    assert!(!store.is_blocked(bob.id, alice.id).await.unwrap());
    let sent = store
        .insert_friend_request(alice.id, bob.id, at(5))
        .await
        .unwrap();
    assert!(matches!(sent, FriendRequest::Sent(_)), "{sent:?}");
    // Accepting is refused while blocked too: a block between request and answer ends it.
    store.insert_block(alice.id, bob.id, at(6)).await.unwrap();
    assert_eq!(
        store
            .accept_friend_request(bob.id, alice.id, at(7))
            .await
            .unwrap(),
        None
    );
}

async fn nicknames_are_kept_for_friends_only(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let carol = f.user(&store, "carol").await;
    store
        .insert_friend_request(alice.id, bob.id, at(1))
        .await
        .unwrap();
    store
        .insert_friend_request(alice.id, carol.id, at(1))
        .await
        .unwrap();
    store
        .accept_friend_request(bob.id, alice.id, at(2))
        .await
        .unwrap();

    let named = store
        .update_relationship_nickname(alice.id, bob.id, Some("Bobby"))
        .await
        .unwrap();
    assert_eq!(named.and_then(|r| r.nickname).as_deref(), Some("Bobby"));
    let theirs = store.fetch_relationship(bob.id, alice.id).await.unwrap();
    assert_eq!(
        theirs.unwrap().nickname,
        None,
        "a nickname is its owner's alone"
    );
    let pending = store
        .update_relationship_nickname(alice.id, carol.id, Some("Caz"))
        .await
        .unwrap();
    assert_eq!(pending, None);
    let nul = store
        .update_relationship_nickname(alice.id, bob.id, Some("a\0b"))
        .await;
    assert!(matches!(nul, Err(StoreError::InvalidText(_))), "{nul:?}");

    let cleared = store
        .update_relationship_nickname(alice.id, bob.id, None)
        .await
        .unwrap();
    assert_eq!(cleared.map(|r| r.nickname), Some(None));
    store
        .update_relationship_nickname(alice.id, bob.id, Some("Bobby"))
        .await
        .unwrap();
    // A block replaces the friendship and its nickname.
    let change = store.insert_block(alice.id, bob.id, at(3)).await.unwrap();
    assert_eq!(change.written[0].nickname, None);
}

async fn concurrent_requests_both_ways_make_friends_once(store: Arc<dyn Store>) {
    let f = Fixture::new();
    for round in 0..ROUNDS {
        // Arrange
        let alice = f.someone(&store).await;
        let bob = f.someone(&store).await;
        let t = at(round as i64);

        // Act
        let (a, b) = tokio::join!(
            store.insert_friend_request(alice.id, bob.id, t),
            store.insert_friend_request(bob.id, alice.id, t)
        );

        // Assert: one request was sent, the other accepted it.
        let outcomes = [a.unwrap(), b.unwrap()];
        let sent = outcomes
            .iter()
            .filter(|o| matches!(o, FriendRequest::Sent(_)))
            .count();
        let accepted = outcomes
            .iter()
            .filter(|o| matches!(o, FriendRequest::Accepted(_)))
            .count();
        assert_eq!((sent, accepted), (1, 1), "{outcomes:?}");
        assert_eq!(list(&store, alice.id).await, [(bob.id, Friend)]);
        assert_eq!(list(&store, bob.id).await, [(alice.id, Friend)]);
    }
}

async fn relationships_with_a_missing_user_fail_as_missing_parent(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let nobody: UserId = f.id();

    let request = store.insert_friend_request(alice.id, nobody, at(1)).await;
    let block = store.insert_block(alice.id, nobody, at(1)).await;

    assert!(
        matches!(request, Err(StoreError::MissingParent(_))),
        "{request:?}"
    );
    assert!(
        matches!(block, Err(StoreError::MissingParent(_))),
        "{block:?}"
    );
    assert!(list(&store, alice.id).await.is_empty());
    assert!(store
        .delete_relationship(alice.id, nobody)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.delete_block(alice.id, nobody).await.unwrap(), None);
}

async fn people_are_found_by_username_in_any_case_and_bots_never(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "Alice").await;
    let bot = NewUser {
        bot: true,
        password_hash: None,
        email: None,
        ..f.new_user("helper", "unused@example.org")
    };
    store.insert_user(&bot).await.unwrap();

    let found = store.fetch_person_by_username("aLiCe").await.unwrap();

    assert_eq!(found, Some(alice));
    assert_eq!(
        store.fetch_person_by_username("helper").await.unwrap(),
        None
    );
    assert_eq!(
        store.fetch_person_by_username("nobody").await.unwrap(),
        None
    );
    assert!(matches!(
        store.fetch_person_by_username("a\0").await,
        Err(StoreError::InvalidText(_))
    ));
}

async fn friends_of_many_users_and_who_knows_of_whom(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let carol = f.user(&store, "carol").await;
    let dave = f.user(&store, "dave").await;
    let erin = f.user(&store, "erin").await;
    for (a, b) in [(&alice, &bob), (&alice, &carol)] {
        store
            .insert_friend_request(a.id, b.id, at(10))
            .await
            .unwrap();
        store
            .accept_friend_request(b.id, a.id, at(20))
            .await
            .unwrap();
    }
    // A pending request and a block are not friendships.
    store
        .insert_friend_request(dave.id, alice.id, at(30))
        .await
        .unwrap();
    store.insert_block(erin.id, bob.id, at(30)).await.unwrap();
    let mut want = vec![(alice.id, bob.id), (alice.id, carol.id), (bob.id, alice.id)];
    want.sort();
    assert_eq!(
        store
            .fetch_friends_of(&[bob.id, alice.id, alice.id, dave.id])
            .await
            .unwrap(),
        want
    );
    assert_eq!(store.fetch_friends_of(&[]).await.unwrap(), vec![]);
    // Who may see when someone was last seen: themself, friends, guild co-members.
    assert!(store.knows_of(dave.id, dave.id).await.unwrap());
    assert!(store.knows_of(bob.id, alice.id).await.unwrap());
    assert!(
        !store.knows_of(dave.id, alice.id).await.unwrap(),
        "a request is not enough"
    );
    assert!(
        !store.knows_of(erin.id, bob.id).await.unwrap(),
        "nor a block"
    );
    let (guild, _) = f.guild(&store, &dave).await;
    assert!(!store.knows_of(dave.id, erin.id).await.unwrap());
    f.join(&store, guild.id, erin.id, vec![]).await;
    assert!(store.knows_of(dave.id, erin.id).await.unwrap());
    assert!(store.knows_of(erin.id, dave.id).await.unwrap());
}

//! The store contract for directed invites: created pending, one pending invite per sender,
//! recipient and target, listed received and sent, accepted (joining the guild, recording how,
//! granting a channel's permissions) or declined or cancelled once, refused to the banned and
//! to members, and expired by the purge, which also deletes expired code invites. Like
//! `contract.rs`, every test runs on SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL`
//! is set, each on a database of its own.

use std::sync::Arc;

use hearth_core::{DirectedInviteStatus, Permissions, Timestamp};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;
use DirectedInviteStatus::{Accepted, Cancelled, Declined, Expired, Pending};

contract!(
    an_invite_is_stored_pending_and_listed_for_both_sides,
    one_pending_invite_per_sender_recipient_and_target,
    accepting_joins_the_guild_once_and_records_the_invite,
    accepting_a_channel_invite_grants_its_permissions_as_a_member_overwrite,
    the_banned_and_members_cannot_accept_and_nothing_changes,
    declining_and_cancelling_resolve_a_pending_invite_once,
    the_purge_expires_pending_invites_and_deletes_expired_codes_once,
    joining_by_code_records_the_code,
    concurrent_purges_return_each_invite_once,
);

/// A pending invite from `sender` to `recipient` in `guild` (to `channel` when given), with
/// this expiry.
fn invite(
    f: &Fixture,
    (guild, channel): (&Guild, Option<&Channel>),
    sender: &User,
    recipient: &User,
    expires_at: Option<i64>,
) -> DirectedInvite {
    DirectedInvite {
        id: f.id(),
        guild_id: guild.id,
        channel_id: channel.map(|c| c.id),
        sender_id: sender.id,
        recipient_id: recipient.id,
        permissions: if channel.is_some() {
            Permissions::SEND_MESSAGES.0 as i64
        } else {
            0
        },
        message: Some("come along".into()),
        status: Pending,
        created_at: 1_000,
        expires_at,
        resolved_at: None,
    }
}

fn listing(
    user: &User,
    sent: Option<bool>,
    status: Option<DirectedInviteStatus>,
) -> DirectedInviteQuery {
    DirectedInviteQuery {
        user_id: user.id,
        sent,
        status,
        limit: 100,
    }
}

async fn ids(store: &Arc<dyn Store>, q: DirectedInviteQuery) -> Vec<hearth_core::DirectedInviteId> {
    store
        .fetch_directed_invites(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

async fn an_invite_is_stored_pending_and_listed_for_both_sides(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let (alice, bob, carol) = (
        f.user(&store, "alice").await,
        f.user(&store, "bob").await,
        f.user(&store, "carol").await,
    );
    let (guild, general) = f.guild(&store, &alice).await;
    let first = invite(&f, (&guild, None), &alice, &bob, None);
    let second = invite(&f, (&guild, Some(&general)), &alice, &bob, Some(5_000));
    let third = invite(&f, (&guild, None), &bob, &carol, None);

    // Act
    for i in [&first, &second, &third] {
        store.insert_directed_invite(i).await.unwrap();
    }

    // Assert
    assert_eq!(
        store.fetch_directed_invite(second.id).await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(
        ids(&store, listing(&bob, None, None)).await,
        vec![third.id, second.id, first.id],
        "received and sent, newest first"
    );
    assert_eq!(
        ids(&store, listing(&bob, Some(false), None)).await,
        vec![second.id, first.id]
    );
    assert_eq!(
        ids(&store, listing(&bob, Some(true), None)).await,
        vec![third.id]
    );
    assert_eq!(ids(&store, listing(&carol, Some(true), None)).await, vec![]);
    assert_eq!(
        ids(&store, listing(&alice, None, Some(Accepted))).await,
        vec![]
    );
    let limited = DirectedInviteQuery {
        limit: 1,
        ..listing(&bob, None, Some(Pending))
    };
    assert_eq!(ids(&store, limited).await, vec![third.id]);
    let pending = store
        .fetch_pending_directed_invite(alice.id, bob.id, guild.id, Some(general.id))
        .await
        .unwrap();
    assert_eq!(pending.map(|i| i.id), Some(second.id));
    assert!(store.fetch_directed_invite(f.id()).await.unwrap().is_none());
}

async fn one_pending_invite_per_sender_recipient_and_target(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let (alice, bob, carol) = (
        f.user(&store, "alice").await,
        f.user(&store, "bob").await,
        f.user(&store, "carol").await,
    );
    let (guild, general) = f.guild(&store, &alice).await;
    let first = invite(&f, (&guild, None), &alice, &bob, None);
    store.insert_directed_invite(&first).await.unwrap();

    // Act: the same target again, then other targets and another sender.
    let again = store
        .insert_directed_invite(&invite(&f, (&guild, None), &alice, &bob, None))
        .await;
    let to_channel = invite(&f, (&guild, Some(&general)), &alice, &bob, None);
    let from_carol = invite(&f, (&guild, None), &carol, &bob, None);

    // Assert
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    store.insert_directed_invite(&to_channel).await.unwrap();
    store.insert_directed_invite(&from_carol).await.unwrap();
    // Once the first is answered, the same target may be invited to again.
    store
        .resolve_directed_invite(first.id, Declined, Timestamp(2_000))
        .await
        .unwrap()
        .unwrap();
    store
        .insert_directed_invite(&invite(&f, (&guild, None), &alice, &bob, None))
        .await
        .unwrap();
}

async fn accepting_joins_the_guild_once_and_records_the_invite(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let (alice, bob) = (f.user(&store, "alice").await, f.user(&store, "bob").await);
    let (guild, _) = f.guild(&store, &alice).await;
    let sent = invite(&f, (&guild, None), &alice, &bob, Some(9_000));
    store.insert_directed_invite(&sent).await.unwrap();
    let member = f.member(guild.id, bob.id, Vec::new());

    // Act
    let first = store
        .accept_directed_invite(sent.id, &member, Timestamp(3_000))
        .await
        .unwrap();
    let again = store
        .accept_directed_invite(sent.id, &member, Timestamp(3_001))
        .await
        .unwrap();

    // Assert
    let DirectedInviteAccept::Joined(accepted, None) = first else {
        panic!("{first:?}");
    };
    assert_eq!(accepted.status, Accepted);
    assert_eq!(accepted.resolved_at, Some(3_000));
    assert_eq!(again, DirectedInviteAccept::NotPending);
    assert!(store
        .fetch_member(guild.id, bob.id)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        store.fetch_joined_by(guild.id, bob.id).await.unwrap(),
        Some(JoinedBy {
            code: None,
            invite_id: Some(sent.id)
        })
    );
    assert_eq!(
        store.fetch_joined_by(guild.id, alice.id).await.unwrap(),
        Some(JoinedBy::default()),
        "the owner joined by no invite"
    );
    // Only the recipient accepts, and not after the expiry.
    let carol = f.user(&store, "carol").await;
    let for_carol = invite(&f, (&guild, None), &alice, &carol, Some(4_000));
    store.insert_directed_invite(&for_carol).await.unwrap();
    let stranger = f.member(guild.id, f.someone(&store).await.id, Vec::new());
    assert_eq!(
        store
            .accept_directed_invite(for_carol.id, &stranger, Timestamp(3_500))
            .await
            .unwrap(),
        DirectedInviteAccept::NotPending
    );
    let carol_member = f.member(guild.id, carol.id, Vec::new());
    assert_eq!(
        store
            .accept_directed_invite(for_carol.id, &carol_member, Timestamp(4_000))
            .await
            .unwrap(),
        DirectedInviteAccept::NotPending,
        "expired at 4000"
    );
    assert!(store
        .fetch_member(guild.id, carol.id)
        .await
        .unwrap()
        .is_none());
}

async fn accepting_a_channel_invite_grants_its_permissions_as_a_member_overwrite(
    store: Arc<dyn Store>,
) {
    // Arrange
    let f = Fixture::new();
    let (alice, bob) = (f.user(&store, "alice").await, f.user(&store, "bob").await);
    let (guild, general) = f.guild(&store, &alice).await;
    // An overwrite of bob's left from an earlier membership denies reading and sending.
    let view_send = Permissions::VIEW_CHANNEL.0 | Permissions::SEND_MESSAGES.0;
    let read_history = Permissions::READ_MESSAGE_HISTORY.0;
    store
        .put_overwrite(&fixture::overwrite(
            &general,
            bob.id,
            1,
            0,
            view_send | read_history,
        ))
        .await
        .unwrap();
    let sent = invite(&f, (&guild, Some(&general)), &alice, &bob, None);
    store.insert_directed_invite(&sent).await.unwrap();

    // Act
    let done = store
        .accept_directed_invite(
            sent.id,
            &f.member(guild.id, bob.id, Vec::new()),
            Timestamp(5),
        )
        .await
        .unwrap();

    // Assert
    let DirectedInviteAccept::Joined(_, Some(written)) = done else {
        panic!("{done:?}");
    };
    let expected = fixture::overwrite(&general, bob.id, 1, view_send, read_history);
    assert_eq!(written, expected);
    let stored = store.fetch_channel_overwrites(general.id).await.unwrap();
    assert_eq!(stored, vec![expected]);
}

async fn the_banned_and_members_cannot_accept_and_nothing_changes(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let (alice, bob, carol) = (
        f.user(&store, "alice").await,
        f.user(&store, "bob").await,
        f.user(&store, "carol").await,
    );
    let (guild, general) = f.guild(&store, &alice).await;
    let to_bob = invite(&f, (&guild, Some(&general)), &alice, &bob, None);
    let to_carol = invite(&f, (&guild, None), &alice, &carol, None);
    store.insert_directed_invite(&to_bob).await.unwrap();
    store.insert_directed_invite(&to_carol).await.unwrap();
    let ban = Ban {
        guild_id: guild.id,
        user_id: bob.id,
        reason: None,
        created_at: 1,
    };
    assert!(store.insert_ban(&ban).await.unwrap());
    f.join(&store, guild.id, carol.id, Vec::new()).await;

    // Act
    let banned = store
        .accept_directed_invite(
            to_bob.id,
            &f.member(guild.id, bob.id, Vec::new()),
            Timestamp(5),
        )
        .await
        .unwrap();
    let member = store
        .accept_directed_invite(
            to_carol.id,
            &f.member(guild.id, carol.id, Vec::new()),
            Timestamp(5),
        )
        .await
        .unwrap();

    // Assert
    assert_eq!(banned, DirectedInviteAccept::Banned);
    assert_eq!(member, DirectedInviteAccept::AlreadyMember);
    for id in [to_bob.id, to_carol.id] {
        let i = store.fetch_directed_invite(id).await.unwrap().unwrap();
        assert_eq!((i.status, i.resolved_at), (Pending, None));
    }
    assert!(store
        .fetch_member(guild.id, bob.id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .fetch_channel_overwrites(general.id)
        .await
        .unwrap()
        .is_empty());
}

async fn declining_and_cancelling_resolve_a_pending_invite_once(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let (alice, bob) = (f.user(&store, "alice").await, f.user(&store, "bob").await);
    let (guild, general) = f.guild(&store, &alice).await;
    let one = invite(&f, (&guild, None), &alice, &bob, None);
    let two = invite(&f, (&guild, Some(&general)), &alice, &bob, None);
    store.insert_directed_invite(&one).await.unwrap();
    store.insert_directed_invite(&two).await.unwrap();

    // Act
    let declined = store
        .resolve_directed_invite(one.id, Declined, Timestamp(7))
        .await
        .unwrap();
    let cancelled = store
        .resolve_directed_invite(two.id, Cancelled, Timestamp(8))
        .await
        .unwrap();
    let again = store
        .resolve_directed_invite(one.id, Cancelled, Timestamp(9))
        .await
        .unwrap();

    // Assert
    let declined = declined.unwrap();
    assert_eq!((declined.status, declined.resolved_at), (Declined, Some(7)));
    let cancelled = cancelled.unwrap();
    assert_eq!(
        (cancelled.status, cancelled.resolved_at),
        (Cancelled, Some(8))
    );
    assert_eq!(again, None);
    assert_eq!(
        store
            .fetch_directed_invite(one.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        Declined
    );
    assert_eq!(
        store
            .accept_directed_invite(
                two.id,
                &f.member(guild.id, bob.id, Vec::new()),
                Timestamp(9)
            )
            .await
            .unwrap(),
        DirectedInviteAccept::NotPending
    );
}

async fn the_purge_expires_pending_invites_and_deletes_expired_codes_once(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let (alice, bob) = (f.user(&store, "alice").await, f.user(&store, "bob").await);
    let (guild, general) = f.guild(&store, &alice).await;
    let due = invite(&f, (&guild, None), &alice, &bob, Some(100));
    let later = invite(&f, (&guild, Some(&general)), &alice, &bob, Some(300));
    let never = invite(&f, (&guild, None), &bob, &alice, None);
    let answered = invite(&f, (&guild, Some(&general)), &bob, &alice, Some(50));
    for i in [&due, &later, &never, &answered] {
        store.insert_directed_invite(i).await.unwrap();
    }
    store
        .resolve_directed_invite(answered.id, Declined, Timestamp(40))
        .await
        .unwrap();
    let expired_code = Invite {
        expires_at: Some(200),
        max_age: 1,
        ..f.invite(&general, Some(alice.id), "Expired1")
    };
    let live_code = Invite {
        expires_at: Some(i64::MAX),
        max_age: 604_800,
        ..f.invite(&general, Some(alice.id), "Live0001")
    };
    let forever = f.invite(&general, Some(alice.id), "Forever1");
    for i in [&expired_code, &live_code, &forever] {
        store.insert_invite(i).await.unwrap();
    }

    // Act
    let expired = store.expire_directed_invites(Timestamp(200)).await.unwrap();
    let deleted = store.delete_expired_invites(Timestamp(200)).await.unwrap();
    let expired_again = store.expire_directed_invites(Timestamp(200)).await.unwrap();
    let deleted_again = store.delete_expired_invites(Timestamp(200)).await.unwrap();

    // Assert
    assert_eq!(expired.len(), 1, "{expired:?}");
    assert_eq!(
        (expired[0].id, expired[0].status, expired[0].resolved_at),
        (due.id, Expired, Some(200))
    );
    assert_eq!(deleted, vec![expired_code]);
    assert!(expired_again.is_empty() && deleted_again.is_empty());
    assert_eq!(
        store
            .fetch_directed_invite(later.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        Pending
    );
    assert_eq!(
        store
            .fetch_directed_invite(answered.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        Declined
    );
    assert!(store.fetch_invite("Expired1").await.unwrap().is_none());
    assert!(store.fetch_invite("Live0001").await.unwrap().is_some());
    assert!(store.fetch_invite("Forever1").await.unwrap().is_some());
}

async fn joining_by_code_records_the_code(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let (alice, bob) = (f.user(&store, "alice").await, f.user(&store, "bob").await);
    let (guild, general) = f.guild(&store, &alice).await;
    store
        .insert_invite(&f.invite(&general, Some(alice.id), "Join1234"))
        .await
        .unwrap();

    // Act
    let used = store
        .use_invite(
            "Join1234",
            &f.member(guild.id, bob.id, Vec::new()),
            Timestamp::now(),
        )
        .await
        .unwrap();

    // Assert
    assert!(matches!(used, InviteUse::Joined(_)), "{used:?}");
    assert_eq!(
        store.fetch_joined_by(guild.id, bob.id).await.unwrap(),
        Some(JoinedBy {
            code: Some("Join1234".into()),
            invite_id: None
        })
    );
    assert_eq!(store.fetch_joined_by(guild.id, f.id()).await.unwrap(), None);
}

async fn concurrent_purges_return_each_invite_once(store: Arc<dyn Store>) {
    // Arrange: many expired invites of both kinds.
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, general) = f.guild(&store, &alice).await;
    for n in 0..20 {
        let other = f.someone(&store).await;
        store
            .insert_directed_invite(&invite(&f, (&guild, None), &alice, &other, Some(10)))
            .await
            .unwrap();
        let code = Invite {
            expires_at: Some(10),
            max_age: 1,
            ..f.invite(&general, Some(alice.id), &format!("Code{n:04}"))
        };
        store.insert_invite(&code).await.unwrap();
    }

    // Act: four purges at once, as four nodes would run them.
    let runs = (0..4).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let expired = store.expire_directed_invites(Timestamp(20)).await.unwrap();
            let deleted = store.delete_expired_invites(Timestamp(20)).await.unwrap();
            (expired.len(), deleted.len())
        })
    });
    let mut totals = (0, 0);
    for run in runs.collect::<Vec<_>>() {
        let (e, d) = run.await.unwrap();
        totals = (totals.0 + e, totals.1 + d);
    }

    // Assert
    assert_eq!(totals, (20, 20));
}

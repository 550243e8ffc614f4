//! The store contract under concurrent duplicate writes: two callers creating the same thing at
//! once get one success and either [`StoreError::Conflict`] or the method's documented
//! idempotent answer; and a write racing the deletion of the row it names (its channel, role,
//! guild or author) is either done or refused with [`StoreError::MissingParent`]. Never a
//! driver error (which the API would answer with a 500). Each race is repeated a few times on
//! fresh rows, since an interleaving shows up only sometimes.
//! Like `contract.rs`, every test runs on SQLite, and on PostgreSQL when
//! `HEARTH_TEST_POSTGRES_URL` is set (where the two calls really run side by side, on two
//! connections; SQLite's single writer takes them one after the other).

use std::sync::Arc;

use hearth_core::Timestamp;
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::{overwrite, Fixture};

contract!(
    concurrent_registrations_of_one_username_make_one_user,
    concurrent_registrations_of_one_email_make_one_user,
    concurrent_inserts_of_one_invite_code_make_one_invite,
    concurrent_bans_of_one_user_record_one_ban,
    concurrent_joins_of_one_user_add_one_member,
    concurrent_joins_by_invite_count_one_use,
    concurrent_grants_of_one_role_give_it_once,
    concurrent_puts_of_one_overwrite_leave_one_row,
    concurrent_replacements_of_a_channels_overwrites_leave_one_whole_set,
    a_member_edit_racing_a_role_grant_fails_neither,
    writes_naming_a_deleted_row_fail_as_missing_parent_and_write_nothing,
    messages_racing_the_deletion_of_their_channel_are_stored_or_missing_parent,
);

/// How many times each race is run.
const ROUNDS: usize = 8;

/// One of two results succeeded and the other is a conflict naming `what`.
fn one_ok_one_conflict<T: std::fmt::Debug>(a: Result<T>, b: Result<T>, what: &str) {
    let err = match (a, b) {
        (Ok(_), Err(e)) | (Err(e), Ok(_)) => e,
        other => panic!("expected one success and one conflict, got {other:?}"),
    };
    match err {
        StoreError::Conflict(c) => assert_eq!(c, what),
        other => panic!("expected a conflict on {what}, got {other:?}"),
    }
}

async fn concurrent_registrations_of_one_username_make_one_user(store: Arc<dyn Store>) {
    let f = Fixture::new();
    for round in 0..ROUNDS {
        // Arrange: one name in two cases, two e-mails.
        let a = f.new_user(&format!("Racer{round}"), &format!("a{round}@example.org"));
        let b = f.new_user(&format!("racer{round}"), &format!("b{round}@example.org"));

        // Act
        let (ra, rb) = tokio::join!(store.insert_user(&a), store.insert_user(&b));

        // Assert
        one_ok_one_conflict(ra, rb, "username");
        let found = store.fetch_login(&format!("RACER{round}")).await.unwrap();
        assert!(found.is_some());
    }
}

async fn concurrent_registrations_of_one_email_make_one_user(store: Arc<dyn Store>) {
    let f = Fixture::new();
    for round in 0..ROUNDS {
        let a = f.new_user(
            &format!("first{round}"),
            &format!("Same{round}@example.org"),
        );
        let b = f.new_user(
            &format!("second{round}"),
            &format!("same{round}@example.org"),
        );

        let (ra, rb) = tokio::join!(store.insert_user(&a), store.insert_user(&b));

        one_ok_one_conflict(ra, rb, "email");
    }
}

async fn concurrent_inserts_of_one_invite_code_make_one_invite(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, channel) = f.guild(&store, &owner).await;
    for round in 0..ROUNDS {
        let code = format!("code{round}");
        let invite = f.invite(&channel, None, &code);

        let (ra, rb) = tokio::join!(store.insert_invite(&invite), store.insert_invite(&invite));

        one_ok_one_conflict(ra, rb, "id");
        assert!(store.fetch_invite(&code).await.unwrap().is_some());
    }
    let all = store.fetch_guild_invites(guild.id).await.unwrap();
    assert_eq!(all.len(), ROUNDS);
}

async fn concurrent_bans_of_one_user_record_one_ban(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, _) = f.guild(&store, &owner).await;
    for _ in 0..ROUNDS {
        let user = f.someone(&store).await;
        let ban = Ban {
            guild_id: guild.id,
            user_id: user.id,
            reason: Some("spam".into()),
            created_at: Timestamp::now().0,
        };

        // Recording it twice: one of the two says it was new.
        let (ra, rb) = tokio::join!(store.insert_ban(&ban), store.insert_ban(&ban));
        let mut said_new = [ra.unwrap(), rb.unwrap()];
        said_new.sort_unstable();
        assert_eq!(said_new, [false, true]);

        // Banning the member twice (and beside a plain record of the ban): all succeed.
        store
            .insert_member(&f.member(guild.id, user.id, Vec::new()))
            .await
            .unwrap();
        let now = Timestamp::now();
        let (ra, rb, rc) = tokio::join!(
            store.ban_member(&ban, None, now),
            store.ban_member(&ban, None, now),
            store.insert_ban(&ban),
        );
        let (a, b) = (ra.unwrap(), rb.unwrap());
        assert!(!rc.unwrap());
        assert!(a.was_member ^ b.was_member, "the member is removed once");
        assert!(store
            .fetch_member(guild.id, user.id)
            .await
            .unwrap()
            .is_none());
    }
    let bans = store.fetch_bans(guild.id, None, None, 100).await.unwrap();
    assert_eq!(bans.len(), ROUNDS);
}

async fn concurrent_joins_of_one_user_add_one_member(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, _) = f.guild(&store, &owner).await;
    let role = f.role(&store, guild.id, "role").await;
    for _ in 0..ROUNDS {
        let user = f.someone(&store).await;
        // The role given twice counts once.
        let member = f.member(guild.id, user.id, vec![role.id, role.id]);

        let (ra, rb) = tokio::join!(store.insert_member(&member), store.insert_member(&member));

        let mut added = [ra.unwrap(), rb.unwrap()];
        added.sort_unstable();
        assert_eq!(added, [false, true]);
        let stored = store.fetch_member(guild.id, user.id).await;
        assert_eq!(stored.unwrap().expect("a member").roles, vec![role.id]);
    }
}

async fn concurrent_joins_by_invite_count_one_use(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, channel) = f.guild(&store, &owner).await;
    let invite = f.invite(&channel, None, "join-race");
    store.insert_invite(&invite).await.unwrap();
    for _ in 0..ROUNDS {
        let user = f.someone(&store).await;
        let member = f.member(guild.id, user.id, Vec::new());
        let now = Timestamp::now();

        let (ra, rb) = tokio::join!(
            store.use_invite(&invite.code, &member, now),
            store.use_invite(&invite.code, &member, now),
        );

        let outcomes = [ra.unwrap(), rb.unwrap()];
        let joined = outcomes
            .iter()
            .filter(|o| matches!(o, InviteUse::Joined(_)))
            .count();
        let already = outcomes
            .iter()
            .filter(|o| matches!(o, InviteUse::AlreadyMember(_)))
            .count();
        assert_eq!((joined, already), (1, 1), "{outcomes:?}");
    }
    let stored = store.fetch_invite(&invite.code).await.unwrap().unwrap();
    assert_eq!(stored.uses, ROUNDS as i64);
}

async fn concurrent_grants_of_one_role_give_it_once(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, _) = f.guild(&store, &owner).await;
    let role = f.role(&store, guild.id, "role").await;
    for _ in 0..ROUNDS {
        let user = f.someone(&store).await;
        store
            .insert_member(&f.member(guild.id, user.id, Vec::new()))
            .await
            .unwrap();
        let (g, u, r) = (guild.id, user.id, role.id);

        let (ra, rb) = tokio::join!(
            store.insert_member_role(g, u, r),
            store.insert_member_role(g, u, r),
        );

        let mut given = [ra.unwrap(), rb.unwrap()];
        given.sort_unstable();
        assert_eq!(given, [false, true]);
    }
}

async fn concurrent_puts_of_one_overwrite_leave_one_row(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, channel) = f.guild(&store, &owner).await;
    for round in 0..ROUNDS {
        let target = f.role(&store, guild.id, "role").await.id;
        let (a, b) = (
            overwrite(&channel, target, 0, 1, 0),
            overwrite(&channel, target, 0, 2, 0),
        );

        let (ra, rb) = tokio::join!(store.put_overwrite(&a), store.put_overwrite(&b));

        ra.unwrap();
        rb.unwrap();
        let stored = store.fetch_channel_overwrites(channel.id).await;
        let stored = stored.unwrap();
        assert_eq!(stored.len(), round + 1);
        let mine = stored
            .iter()
            .find(|o| o.target_id == target.snowflake())
            .unwrap();
        assert!([1, 2].contains(&mine.allow));
    }
}

async fn concurrent_replacements_of_a_channels_overwrites_leave_one_whole_set(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, channel) = f.guild(&store, &owner).await;
    let (r1, r2, r3) = (
        f.role(&store, guild.id, "role").await.id,
        f.role(&store, guild.id, "role").await.id,
        f.role(&store, guild.id, "role").await.id,
    );
    let (c, g) = (channel.id, guild.id);
    for _ in 0..ROUNDS {
        // Two sets sharing a target (r2), as two moderators' edits would.
        let first = vec![
            overwrite(&channel, r1, 0, 1, 0),
            overwrite(&channel, r2, 0, 1, 0),
        ];
        let second = vec![
            overwrite(&channel, r2, 0, 2, 0),
            overwrite(&channel, r3, 0, 2, 0),
        ];

        let (ra, rb, rc) = tokio::join!(
            store.replace_overwrites(c, g, &first),
            store.replace_overwrites(c, g, &second),
            store.update_channel_with_overwrites(&channel, Some(&first)),
        );

        ra.unwrap();
        rb.unwrap();
        rc.unwrap().expect("the channel");
        let stored = store.fetch_channel_overwrites(c).await.unwrap();
        assert!(stored == first || stored == second, "a mix: {stored:?}");
    }
}

async fn a_member_edit_racing_a_role_grant_fails_neither(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, _) = f.guild(&store, &owner).await;
    let (r1, r2) = (
        f.role(&store, guild.id, "role").await.id,
        f.role(&store, guild.id, "role").await.id,
    );
    for _ in 0..ROUNDS {
        let user = f.someone(&store).await;
        store
            .insert_member(&f.member(guild.id, user.id, Vec::new()))
            .await
            .unwrap();
        let (g, u) = (guild.id, user.id);
        let patch = MemberPatch {
            roles: Some(vec![r1, r2]),
            ..MemberPatch::default()
        };

        let (ra, rb) = tokio::join!(
            store.update_member(g, u, &patch),
            store.insert_member_role(g, u, r2),
        );

        ra.unwrap().expect("a member");
        rb.unwrap();
        let stored = store.fetch_member(g, u).await.unwrap().expect("a member");
        assert_eq!(stored.roles, vec![r1, r2]);
    }
}

/// The result is a [`StoreError::MissingParent`], not a driver error.
#[track_caller]
fn assert_missing_parent<T: std::fmt::Debug>(result: Result<T>) {
    match result {
        Err(StoreError::MissingParent(_)) => {}
        other => panic!("expected a missing parent, got {other:?}"),
    }
}

async fn writes_naming_a_deleted_row_fail_as_missing_parent_and_write_nothing(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, general) = f.guild(&store, &owner).await;
    let doomed = f.channel(guild.id, "doomed");
    store.insert_channel(&doomed).await.unwrap();
    store.delete_channel(doomed.id).await.unwrap();
    let role = f.role(&store, guild.id, "doomed").await;
    assert!(store.delete_role(guild.id, role.id).await.unwrap());
    let (gone_guild, _) = f.guild(&store, &owner).await;
    assert!(store.delete_guild(gone_guild.id).await.unwrap());

    let message = f.message(doomed.id, owner.id, "too late");
    assert_missing_parent(store.insert_message(&message).await);
    let unknown_author = f.message(general.id, f.id(), "who?");
    assert_missing_parent(store.insert_message(&unknown_author).await);
    let target = owner.id;
    assert_missing_parent(
        store
            .put_overwrite(&overwrite(&doomed, target, 1, 1, 0))
            .await,
    );
    let invite = f.invite(&doomed, Some(owner.id), "doomed00");
    assert_missing_parent(store.insert_invite(&invite).await);
    let user = f.someone(&store).await;
    let member = f.member(guild.id, user.id, vec![role.id]);
    assert_missing_parent(store.insert_member(&member).await);
    let orphan = f.channel(gone_guild.id, "orphan");
    assert_missing_parent(store.insert_channel(&orphan).await);

    let (g, c) = (guild.id, doomed.id);
    assert_eq!(store.fetch_message(c, message.id).await.unwrap(), None);
    let unknown = unknown_author.id;
    assert_eq!(
        store.fetch_message(general.id, unknown).await.unwrap(),
        None
    );
    assert_eq!(store.fetch_channel_overwrites(c).await.unwrap(), vec![]);
    assert_eq!(store.fetch_invite(&invite.code).await.unwrap(), None);
    assert_eq!(store.fetch_member(g, user.id).await.unwrap(), None);
    assert_eq!(store.fetch_channel(orphan.id).await.unwrap(), None);
}

async fn messages_racing_the_deletion_of_their_channel_are_stored_or_missing_parent(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let owner = f.someone(&store).await;
    let (guild, _) = f.guild(&store, &owner).await;
    for _ in 0..ROUNDS {
        let channel = f.channel(guild.id, "doomed");
        store.insert_channel(&channel).await.unwrap();
        let mut sends = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let message = f.message(channel.id, owner.id, "racing");
            let store = store.clone();
            sends.spawn(async move { store.insert_message(&message).await });
        }

        let deleted = store.delete_channel(channel.id).await;

        deleted.unwrap().expect("the channel");
        while let Some(sent) = sends.join_next().await {
            match sent.expect("the task") {
                Ok(()) | Err(StoreError::MissingParent(_)) => {}
                Err(e) => panic!("expected a message or a missing parent, got {e:?}"),
            }
        }
        assert_eq!(store.fetch_channel(channel.id).await.unwrap(), None);
    }
}

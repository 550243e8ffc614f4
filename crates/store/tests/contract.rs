//! The store contract: every test runs on SQLite, and on PostgreSQL when
//! `HEARTH_TEST_POSTGRES_URL` is set, each on a database of its own.

use std::sync::Arc;

use hearth_core::{
    ApplicationId, ChannelId, GuildId, MessageId, Permissions, Snowflake, Timestamp, UserId,
};
use hearth_store::testing::TestDatabase;
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

contract!(
    users_are_unique_by_name_without_case_and_by_email,
    conflicts_name_what_was_taken_alike_on_both_databases,
    logins_find_people_by_name_or_email_but_never_bots,
    users_can_be_renamed,
    sessions_are_found_by_token_hash_and_revoked,
    applications_create_their_bot_user_and_token_together,
    a_new_guild_has_everyone_role_owner_member_and_first_channel,
    members_join_once_and_list_by_ascending_user_id,
    permission_input_collects_owner_everyone_and_roles,
    user_guilds_page_by_id,
    guild_updates_and_deletion_cascade,
    channels_are_created_updated_reordered_and_deleted,
    invites_count_uses_and_stop_when_used_up_or_expired,
    reusable_invites_match_their_settings,
    history_pages_are_newest_first_in_every_mode,
    messages_are_edited_and_tombstoned,
    nonces_find_recent_messages_of_the_same_author,
    the_last_message_of_an_author_counts_deleted_ones,
    last_seen_is_recorded_per_user,
    leases_take_the_lowest_free_node_id,
    two_holders_never_share_a_node_id,
    a_wanted_node_id_is_refused_while_live_and_granted_once_expired,
    renewing_a_lease_fails_once_the_node_id_is_lost,
    releasing_a_node_id_frees_it_and_deletes_its_presences,
    presences_from_nodes_with_expired_leases_are_left_out,
    presence_lists_of_thousands_of_ids_work,
    guild_presences_cover_only_the_members_of_each_guild,
    friend_presences_cover_only_friends_on_live_nodes,
    clearing_a_node_returns_the_users_of_its_rows,
    reaping_returns_each_user_once_and_spares_live_nodes,
    concurrent_reapers_each_get_distinct_rows,
    text_with_nul_is_refused_alike_and_nothing_is_written,
);

async fn users_are_unique_by_name_without_case_and_by_email(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    assert_eq!(
        store.fetch_user(alice.id).await.unwrap(),
        Some(alice.clone())
    );
    let same_name = NewUser {
        id: f.id(),
        username: "ALICE".into(),
        global_name: None,
        email: None,
        bot: false,
        password_hash: None,
        created_at: 0,
    };
    match store.insert_user(&same_name).await {
        Err(StoreError::Conflict(c)) => assert_eq!(c, "username"),
        other => panic!("expected a username conflict, got {other:?}"),
    }
    let same_email = NewUser {
        username: "alice2".into(),
        email: Some("ALICE@example.org".into()),
        ..same_name.clone()
    };
    match store.insert_user(&same_email).await {
        Err(StoreError::Conflict(c)) => assert_eq!(c, "email"),
        other => panic!("expected an email conflict, got {other:?}"),
    }
    assert_eq!(store.fetch_user(UserId(Snowflake(1))).await.unwrap(), None);
}

async fn conflicts_name_what_was_taken_alike_on_both_databases(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, channel) = f.guild(&store, &owner).await;
    let session = Session {
        id: f.id(),
        user_id: owner.id,
        token_hash: "hash".into(),
        kind: "user".into(),
        created_at: 0,
        last_used_at: 0,
        ip: None,
        user_agent: None,
    };
    store.insert_session(&session).await.unwrap();
    let message = f.message(channel.id, owner.id, "hello");
    store.insert_message(&message).await.unwrap();
    let invite = f.invite(&channel, Some(owner.id), "taken");
    store.insert_invite(&invite).await.unwrap();
    let user = |id: UserId, username: &str, email: Option<&str>| NewUser {
        id,
        username: username.into(),
        global_name: None,
        email: email.map(str::to_owned),
        bot: false,
        password_hash: None,
        created_at: 0,
    };
    let conflict = |r: Result<(), StoreError>| match r {
        Err(StoreError::Conflict(c)) => c,
        other => panic!("expected a conflict, got {other:?}"),
    };

    // Act and assert: a unique column names itself...
    let taken_name = user(f.id(), "OWNER", None);
    let r = store.insert_user(&taken_name).await.map(drop);
    assert_eq!(conflict(r), "username");
    let taken_email = user(f.id(), "other", Some("Owner@example.org"));
    let r = store.insert_user(&taken_email).await.map(drop);
    assert_eq!(conflict(r), "email");
    let same_token = Session {
        id: f.id(),
        ..session.clone()
    };
    assert_eq!(
        conflict(store.insert_session(&same_token).await),
        "token_hash"
    );
    // ...and a primary key, whatever its columns, is `id`.
    let same_id = user(owner.id, "third", None);
    let r = store.insert_user(&same_id).await.map(drop);
    assert_eq!(conflict(r), "id");
    let everyone_again = store.fetch_roles(guild.id).await.unwrap()[0].clone();
    assert_eq!(conflict(store.insert_role(&everyone_again).await), "id");
    assert_eq!(conflict(store.insert_channel(&channel).await), "id");
    assert_eq!(conflict(store.insert_message(&message).await), "id");
    assert_eq!(conflict(store.insert_invite(&invite).await), "id");
}

async fn logins_find_people_by_name_or_email_but_never_bots(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (u, hash) = store.fetch_login("ALICE").await.unwrap().unwrap();
    assert_eq!((u.id, hash.as_str()), (alice.id, "hash-of-alice"));
    let (u, _) = store
        .fetch_login("Alice@Example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.id, alice.id);
    assert!(store.fetch_login("nobody").await.unwrap().is_none());

    let bot = NewUser {
        id: f.id(),
        username: "helper".into(),
        global_name: None,
        email: None,
        bot: true,
        password_hash: None,
        created_at: 0,
    };
    store.insert_user(&bot).await.unwrap();
    // Bot names need not be unique and never log in.
    store
        .insert_user(&NewUser {
            id: f.id(),
            ..bot.clone()
        })
        .await
        .unwrap();
    assert!(store.fetch_login("helper").await.unwrap().is_none());
}

async fn users_can_be_renamed(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    f.user(&store, "bob").await;
    let patch = UserPatch {
        username: Some("Alicia".into()),
        global_name: Some(Some("A".into())),
    };
    let u = store.update_user(alice.id, &patch).await.unwrap().unwrap();
    assert_eq!(
        (u.username.as_str(), u.global_name.as_deref()),
        ("Alicia", Some("A"))
    );
    assert!(store.fetch_login("alicia").await.unwrap().is_some());
    let clear = UserPatch {
        username: None,
        global_name: Some(None),
    };
    let u = store.update_user(alice.id, &clear).await.unwrap().unwrap();
    assert_eq!((u.username.as_str(), u.global_name), ("Alicia", None));
    let taken = UserPatch {
        username: Some("BOB".into()),
        global_name: None,
    };
    assert!(matches!(
        store.update_user(alice.id, &taken).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .update_user(UserId(Snowflake(1)), &clear)
            .await
            .unwrap(),
        None
    );
}

async fn sessions_are_found_by_token_hash_and_revoked(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let s = Session {
        id: f.id(),
        user_id: alice.id,
        token_hash: "ab".repeat(32),
        kind: "user".into(),
        created_at: 10,
        last_used_at: 10,
        ip: Some("127.0.0.1".into()),
        user_agent: Some("test".into()),
    };
    store.insert_session(&s).await.unwrap();
    let (found, user) = store.fetch_session(&s.token_hash).await.unwrap().unwrap();
    assert_eq!((found.clone(), user.id), (s.clone(), alice.id));
    store
        .update_session_used(s.id, Timestamp(99), Some("10.0.0.1"), None)
        .await
        .unwrap();
    let (found, _) = store.fetch_session(&s.token_hash).await.unwrap().unwrap();
    assert_eq!(found.last_used_at, 99);
    assert_eq!(found.ip.as_deref(), Some("10.0.0.1"));
    assert_eq!(found.user_agent.as_deref(), Some("test"));
    assert_eq!(store.fetch_user_sessions(alice.id).await.unwrap().len(), 1);
    assert!(store.delete_session(s.id).await.unwrap());
    assert!(!store.delete_session(s.id).await.unwrap());
    assert!(store.fetch_session(&s.token_hash).await.unwrap().is_none());
}

async fn applications_create_their_bot_user_and_token_together(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let id: ApplicationId = f.id();
    let app = Application {
        id,
        owner_id: owner.id,
        name: "Helper".into(),
        description: String::new(),
        bot_public: true,
        verify_key: "0".repeat(64),
        created_at: 5,
    };
    let bot = NewUser {
        id: id.bot_user(),
        username: "Helper".into(),
        global_name: None,
        email: None,
        bot: true,
        password_hash: None,
        created_at: 5,
    };
    let token = Session {
        id: f.id(),
        user_id: id.bot_user(),
        token_hash: "cd".repeat(32),
        kind: "bot".into(),
        created_at: 5,
        last_used_at: 5,
        ip: None,
        user_agent: None,
    };
    assert_eq!(
        store.insert_application(&app, &bot, &token).await.unwrap(),
        app
    );
    assert_eq!(
        store.fetch_application(id).await.unwrap(),
        Some(app.clone())
    );
    let (s, u) = store
        .fetch_session(&token.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s.kind.as_str(), u.id, u.bot), ("bot", id.bot_user(), true));
    // A failure part-way leaves nothing behind: same token hash again.
    let again = Application {
        id: f.id(),
        ..app.clone()
    };
    let bot2 = NewUser {
        id: again.id.bot_user(),
        ..bot
    };
    let token2 = Session {
        id: f.id(),
        user_id: again.id.bot_user(),
        ..token
    };
    assert!(store
        .insert_application(&again, &bot2, &token2)
        .await
        .is_err());
    assert!(store
        .fetch_user(again.id.bot_user())
        .await
        .unwrap()
        .is_none());
}

async fn a_new_guild_has_everyone_role_owner_member_and_first_channel(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, channel) = f.guild(&store, &owner).await;
    assert_eq!(
        store.fetch_guild(guild.id).await.unwrap(),
        Some(guild.clone())
    );
    let roles = store.fetch_roles(guild.id).await.unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(
        (roles[0].id, roles[0].name.as_str()),
        (guild.id.everyone(), "@everyone")
    );
    let m = store
        .fetch_member(guild.id, owner.id)
        .await
        .unwrap()
        .unwrap();
    assert!(m.roles.is_empty());
    assert_eq!(
        store.fetch_guild_channels(guild.id).await.unwrap(),
        vec![channel]
    );
    assert_eq!(store.count_members(guild.id).await.unwrap(), 1);
}

async fn members_join_once_and_list_by_ascending_user_id(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let mut ids = vec![owner.id];
    for i in 0..5 {
        let u = f.user(&store, &format!("user{i}")).await;
        assert!(store
            .insert_member(&f.member(guild.id, u.id, vec![]))
            .await
            .unwrap());
        assert!(!store
            .insert_member(&f.member(guild.id, u.id, vec![]))
            .await
            .unwrap());
        ids.push(u.id);
    }
    ids.sort_unstable();
    let first = store
        .fetch_members(guild.id, UserId(Snowflake(0)), 3)
        .await
        .unwrap();
    let got: Vec<UserId> = first
        .iter()
        .map(|(m, u)| {
            assert_eq!(m.user_id, u.id);
            u.id
        })
        .collect();
    assert_eq!(got, ids[..3]);
    let rest = store.fetch_members(guild.id, got[2], 100).await.unwrap();
    assert_eq!(rest.iter().map(|(_, u)| u.id).collect::<Vec<_>>(), ids[3..]);
    assert_eq!(store.count_members(guild.id).await.unwrap(), 6);
    assert!(store.delete_member(guild.id, ids[5]).await.unwrap());
    assert!(!store.delete_member(guild.id, ids[5]).await.unwrap());
    assert!(store
        .fetch_member(guild.id, ids[5])
        .await
        .unwrap()
        .is_none());
}

async fn permission_input_collects_owner_everyone_and_roles(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let bob = f.user(&store, "bob").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let role = Role {
        guild_id: guild.id,
        id: f.id(),
        name: "mods".into(),
        permissions: Permissions::MANAGE_MESSAGES.0 as i64,
        color: 0,
        hoist: false,
        mentionable: false,
        managed: true,
        position: 1,
        bot_id: Some(bob.id),
    };
    store.insert_role(&role).await.unwrap();
    assert!(store
        .fetch_permission_input(guild.id, bob.id)
        .await
        .unwrap()
        .is_none());
    store
        .insert_member(&f.member(guild.id, bob.id, vec![role.id]))
        .await
        .unwrap();
    let input = store
        .fetch_permission_input(guild.id, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(input.owner_id, owner.id);
    assert_eq!(input.everyone, Permissions::DEFAULT_EVERYONE.0 as i64);
    assert_eq!(
        input.roles,
        vec![(role.id, Permissions::MANAGE_MESSAGES.0 as i64)]
    );
    let m = store.fetch_member(guild.id, bob.id).await.unwrap().unwrap();
    assert_eq!(m.roles, vec![role.id]);
    let roles = store.fetch_roles(guild.id).await.unwrap();
    assert_eq!(roles.len(), 2);
    // A bot's own role keeps naming its bot; others name none.
    assert!(roles.contains(&role), "{roles:?}");
    assert!(roles
        .iter()
        .any(|r| r.id == guild.id.everyone() && r.bot_id.is_none()));
}

async fn user_guilds_page_by_id(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(f.guild(&store, &owner).await.0.id);
    }
    let other = f.user(&store, "other").await;
    f.guild(&store, &other).await;
    let all = store
        .fetch_user_guilds(owner.id, None, None, 200)
        .await
        .unwrap();
    assert_eq!(all.iter().map(|g| g.id).collect::<Vec<_>>(), ids);
    let after = store
        .fetch_user_guilds(owner.id, None, Some(ids[1]), 1)
        .await
        .unwrap();
    assert_eq!(after.iter().map(|g| g.id).collect::<Vec<_>>(), vec![ids[2]]);
    let before = store
        .fetch_user_guilds(owner.id, Some(ids[2]), None, 200)
        .await
        .unwrap();
    assert_eq!(before.iter().map(|g| g.id).collect::<Vec<_>>(), ids[..2]);
}

async fn guild_updates_and_deletion_cascade(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, channel) = f.guild(&store, &owner).await;
    let changed = Guild {
        name: "Renamed".into(),
        description: Some("d".into()),
        ..guild.clone()
    };
    assert_eq!(
        store.update_guild(&changed).await.unwrap(),
        Some(changed.clone())
    );
    store
        .insert_message(&f.message(channel.id, owner.id, "hi"))
        .await
        .unwrap();
    store
        .insert_invite(&f.invite(&channel, Some(owner.id), "abcdefgh"))
        .await
        .unwrap();
    assert!(store.delete_guild(guild.id).await.unwrap());
    assert!(!store.delete_guild(guild.id).await.unwrap());
    assert!(store.fetch_guild(guild.id).await.unwrap().is_none());
    assert!(store.fetch_channel(channel.id).await.unwrap().is_none());
    assert!(store.fetch_invite("abcdefgh").await.unwrap().is_none());
    assert!(store
        .fetch_member(guild.id, owner.id)
        .await
        .unwrap()
        .is_none());
    assert_eq!(store.update_guild(&changed).await.unwrap(), None);
}

async fn channels_are_created_updated_reordered_and_deleted(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let category = Channel {
        position: 1,
        kind: 4,
        ..f.channel(guild.id, "Text")
    };
    store.insert_channel(&category).await.unwrap();
    let talk = Channel {
        position: 2,
        parent_id: Some(category.id),
        ..f.channel(guild.id, "talk")
    };
    store.insert_channel(&talk).await.unwrap();
    let edited = Channel {
        topic: Some("t".into()),
        nsfw: true,
        rate_limit_per_user: 5,
        ..talk.clone()
    };
    assert_eq!(
        store.update_channel(&edited).await.unwrap(),
        Some(edited.clone())
    );

    let moves = [
        ChannelMove {
            id: talk.id,
            position: Some(0),
            parent_id: Some(None),
        },
        ChannelMove {
            id: general.id,
            position: Some(3),
            parent_id: None,
        },
    ];
    let moved = store
        .update_channel_positions(guild.id, &moves)
        .await
        .unwrap();
    assert_eq!(moved.len(), 2);
    let list = store.fetch_guild_channels(guild.id).await.unwrap();
    assert_eq!(
        list.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![talk.id, category.id, general.id]
    );
    assert_eq!(list[0].parent_id, None);

    // Deleting a category keeps its children, without parent; deleting a channel removes its messages.
    let child = Channel {
        parent_id: Some(category.id),
        ..f.channel(guild.id, "child")
    };
    store.insert_channel(&child).await.unwrap();
    assert_eq!(
        store.delete_channel(category.id).await.unwrap(),
        Some(category.clone())
    );
    assert_eq!(
        store
            .fetch_channel(child.id)
            .await
            .unwrap()
            .unwrap()
            .parent_id,
        None
    );
    let m = f.message(general.id, owner.id, "x");
    store.insert_message(&m).await.unwrap();
    store.delete_channel(general.id).await.unwrap();
    assert!(store
        .fetch_message(general.id, m.id)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .fetch_guild(guild.id)
            .await
            .unwrap()
            .unwrap()
            .system_channel_id,
        None
    );
    assert_eq!(store.delete_channel(general.id).await.unwrap(), None);
}

async fn invites_count_uses_and_stop_when_used_up_or_expired(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, channel) = f.guild(&store, &owner).await;
    let invite = Invite {
        max_uses: 1,
        ..f.invite(&channel, Some(owner.id), "onceonly")
    };
    store.insert_invite(&invite).await.unwrap();
    assert!(matches!(
        store.insert_invite(&invite).await,
        Err(StoreError::Conflict(c)) if c == "id"
    ));
    let now = Timestamp::now();
    // The owner is already a member: no use is counted.
    let r = store
        .use_invite("onceonly", &f.member(guild.id, owner.id, vec![]), now)
        .await
        .unwrap();
    assert!(
        matches!(r, InviteUse::AlreadyMember(ref i) if i.uses == 0),
        "{r:?}"
    );
    let bob = f.user(&store, "bob").await;
    let r = store
        .use_invite("onceonly", &f.member(guild.id, bob.id, vec![]), now)
        .await
        .unwrap();
    assert!(
        matches!(r, InviteUse::Joined(ref i) if i.uses == 1),
        "{r:?}"
    );
    assert!(store
        .fetch_member(guild.id, bob.id)
        .await
        .unwrap()
        .is_some());
    let carol = f.user(&store, "carol").await;
    let r = store
        .use_invite("onceonly", &f.member(guild.id, carol.id, vec![]), now)
        .await
        .unwrap();
    assert_eq!(r, InviteUse::Invalid);
    assert!(store
        .fetch_member(guild.id, carol.id)
        .await
        .unwrap()
        .is_none());

    let expired = Invite {
        max_age: 1,
        expires_at: Some(now.0 - 1),
        ..f.invite(&channel, Some(owner.id), "tooolate")
    };
    store.insert_invite(&expired).await.unwrap();
    let r = store
        .use_invite("tooolate", &f.member(guild.id, carol.id, vec![]), now)
        .await
        .unwrap();
    assert_eq!(r, InviteUse::Invalid);
    assert_eq!(
        store
            .use_invite("missing0", &f.member(guild.id, carol.id, vec![]), now)
            .await
            .unwrap(),
        InviteUse::Invalid
    );

    assert_eq!(store.fetch_guild_invites(guild.id).await.unwrap().len(), 2);
    assert_eq!(
        store.fetch_channel_invites(channel.id).await.unwrap().len(),
        2
    );
    assert_eq!(
        store
            .delete_invite("tooolate")
            .await
            .unwrap()
            .map(|i| i.code),
        Some("tooolate".into())
    );
    assert_eq!(store.delete_invite("tooolate").await.unwrap(), None);
}

async fn reusable_invites_match_their_settings(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (_, channel) = f.guild(&store, &owner).await;
    let now = Timestamp::now();
    let invite = Invite {
        max_age: 3600,
        expires_at: Some(now.plus_seconds(3600).0),
        ..f.invite(&channel, Some(owner.id), "reuse123")
    };
    store.insert_invite(&invite).await.unwrap();
    let like = Invite {
        code: String::new(),
        ..invite.clone()
    };
    assert_eq!(
        store.fetch_reusable_invite(&like, now).await.unwrap(),
        Some(invite.clone())
    );
    let other = Invite {
        max_uses: 5,
        ..like.clone()
    };
    assert_eq!(
        store.fetch_reusable_invite(&other, now).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .fetch_reusable_invite(&like, now.plus_seconds(7200))
            .await
            .unwrap(),
        None
    );
}

async fn history_pages_are_newest_first_in_every_mode(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (_, channel) = f.guild(&store, &owner).await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let m = f.message(channel.id, owner.id, &format!("m{i}"));
        store.insert_message(&m).await.unwrap();
        ids.push(m.id);
    }
    assert_eq!(
        store
            .fetch_channel(channel.id)
            .await
            .unwrap()
            .unwrap()
            .last_message_id,
        Some(ids[9])
    );
    let got = |v: Vec<Message>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
    let rev = |s: &[MessageId]| s.iter().rev().copied().collect::<Vec<_>>();
    let ch = channel.id;
    assert_eq!(
        got(store
            .fetch_messages(ch, HistoryPage::Latest, 3)
            .await
            .unwrap()),
        rev(&ids[7..])
    );
    assert_eq!(
        got(store
            .fetch_messages(ch, HistoryPage::Before(ids[5]), 3)
            .await
            .unwrap()),
        rev(&ids[2..5])
    );
    assert_eq!(
        got(store
            .fetch_messages(ch, HistoryPage::After(ids[5]), 3)
            .await
            .unwrap()),
        rev(&ids[6..9])
    );
    assert_eq!(
        got(store
            .fetch_messages(ch, HistoryPage::After(MessageId(Snowflake(0))), 2)
            .await
            .unwrap()),
        rev(&ids[..2])
    );
    assert_eq!(
        got(store
            .fetch_messages(ch, HistoryPage::Around(ids[5]), 4)
            .await
            .unwrap()),
        rev(&ids[3..7])
    );
    assert_eq!(
        got(store
            .fetch_messages(ch, HistoryPage::Around(ids[0]), 5)
            .await
            .unwrap()),
        rev(&ids[..3])
    );
    assert!(store
        .fetch_messages(ChannelId(Snowflake(1)), HistoryPage::Latest, 50)
        .await
        .unwrap()
        .is_empty());
}

async fn messages_are_edited_and_tombstoned(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (_, channel) = f.guild(&store, &owner).await;
    let m = f.message(channel.id, owner.id, "hello");
    store.insert_message(&m).await.unwrap();
    assert_eq!(
        store.fetch_message(channel.id, m.id).await.unwrap(),
        Some(m.clone())
    );
    let edited = Message {
        content: "hello!".into(),
        edited_at: Some(7),
        flags: 4,
        ..m.clone()
    };
    assert_eq!(
        store.update_message(&edited).await.unwrap(),
        Some(edited.clone())
    );
    assert!(store
        .delete_message(channel.id, m.id, Timestamp(8))
        .await
        .unwrap());
    assert!(!store
        .delete_message(channel.id, m.id, Timestamp(9))
        .await
        .unwrap());
    assert!(store
        .fetch_message(channel.id, m.id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .fetch_messages(channel.id, HistoryPage::Latest, 50)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.update_message(&edited).await.unwrap(), None);
}

/// PostgreSQL cannot store U+0000 and SQLite can: both refuse it, naming the field, and write
/// nothing.
async fn text_with_nul_is_refused_alike_and_nothing_is_written(store: Arc<dyn Store>) {
    let refused = |r: Result<(), StoreError>, field: &str| match r {
        Err(StoreError::InvalidText(f)) => assert_eq!(f, field),
        other => panic!("{field}: expected InvalidText, got {other:?}"),
    };
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let new_user = NewUser {
        id: f.id(),
        username: "nul\0name".into(),
        global_name: None,
        email: None,
        bot: false,
        password_hash: Some("hash".into()),
        created_at: Timestamp::now().0,
    };
    refused(store.insert_user(&new_user).await.map(drop), "username");
    refused(store.fetch_login("nul\0name").await.map(drop), "login");
    assert!(store.fetch_user(new_user.id).await.unwrap().is_none());

    let (guild, channel) = f.guild(&store, &owner).await;
    let renamed = Guild {
        name: "Ho\0me".into(),
        ..guild.clone()
    };
    refused(store.update_guild(&renamed).await.map(drop), "name");
    assert_eq!(
        store.fetch_guild(guild.id).await.unwrap(),
        Some(guild.clone())
    );

    let topic = Channel {
        topic: Some("a\0b".into()),
        ..channel.clone()
    };
    refused(store.update_channel(&topic).await.map(drop), "topic");
    let mut other = f.channel(guild.id, "other");
    other.name = Some("x\0".into());
    refused(store.insert_channel(&other).await, "name");
    assert!(store.fetch_channel(other.id).await.unwrap().is_none());

    let message = f.message(channel.id, owner.id, "hi\0there");
    refused(store.insert_message(&message).await, "content");
    let nonce = Message {
        nonce: Some("\0".into()),
        ..f.message(channel.id, owner.id, "fine")
    };
    refused(store.insert_message(&nonce).await, "nonce");
    assert!(store
        .fetch_messages(channel.id, HistoryPage::Latest, 50)
        .await
        .unwrap()
        .is_empty());

    refused(store.fetch_invite("ab\0cd").await.map(drop), "code");
    let invite = f.invite(&channel, Some(owner.id), "ab\0cdefg");
    refused(store.insert_invite(&invite).await, "code");

    let bob = f.user(&store, "bob").await;
    store
        .insert_member(&f.member(guild.id, bob.id, vec![]))
        .await
        .unwrap();
    let ban = Ban {
        guild_id: guild.id,
        user_id: bob.id,
        reason: Some("spam\0".into()),
        created_at: 0,
    };
    refused(store.insert_ban(&ban).await.map(drop), "reason");
    let banned = store.ban_member(&ban, None, Timestamp::now()).await;
    refused(banned.map(drop), "reason");
    assert!(store.fetch_ban(guild.id, bob.id).await.unwrap().is_none());
    assert!(store
        .fetch_member(guild.id, bob.id)
        .await
        .unwrap()
        .is_some());
}

async fn nonces_find_recent_messages_of_the_same_author(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let bob = f.user(&store, "bob").await;
    let (_, channel) = f.guild(&store, &owner).await;
    let m = Message {
        nonce: Some("n1".into()),
        ..f.message(channel.id, owner.id, "x")
    };
    store.insert_message(&m).await.unwrap();
    let ch = channel.id;
    assert_eq!(
        store
            .fetch_message_by_nonce(ch, owner.id, "n1", MessageId(Snowflake(0)))
            .await
            .unwrap(),
        Some(m.clone())
    );
    assert_eq!(
        store
            .fetch_message_by_nonce(ch, bob.id, "n1", MessageId(Snowflake(0)))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .fetch_message_by_nonce(ch, owner.id, "n1", m.id)
            .await
            .unwrap(),
        None
    );
}

async fn the_last_message_of_an_author_counts_deleted_ones(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let bob = f.user(&store, "bob").await;
    let (_, channel) = f.guild(&store, &owner).await;
    let ch = channel.id;
    assert_eq!(
        store.fetch_last_message_id(ch, owner.id).await.unwrap(),
        None
    );
    let first = f.message(channel.id, owner.id, "1");
    let second = f.message(channel.id, owner.id, "2");
    store.insert_message(&first).await.unwrap();
    store.insert_message(&second).await.unwrap();
    store
        .insert_message(&f.message(channel.id, bob.id, "3"))
        .await
        .unwrap();
    store
        .delete_message(ch, second.id, Timestamp::now())
        .await
        .unwrap();
    assert_eq!(
        store.fetch_last_message_id(ch, owner.id).await.unwrap(),
        Some(second.id)
    );
}

async fn last_seen_is_recorded_per_user(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    assert_eq!(store.fetch_last_seen(alice.id).await.unwrap(), None);
    store
        .update_last_seen(alice.id, Timestamp(42))
        .await
        .unwrap();
    assert_eq!(
        store.fetch_last_seen(alice.id).await.unwrap(),
        Some(Timestamp(42))
    );
    assert_eq!(store.fetch_last_seen(bob.id).await.unwrap(), None);
    assert_eq!(
        store.fetch_last_seen(UserId(Snowflake(1))).await.unwrap(),
        None
    );
    // The user row reads as before.
    assert_eq!(store.fetch_user(alice.id).await.unwrap(), Some(alice));
}

// Cluster: leases are live while `expires_at >= now`. Instants below are small numbers, far
// from any real clock, so each test says exactly which leases are live.

fn presence(user_id: UserId, node_id: u16, status: &str, updated_at: i64) -> PresenceRow {
    PresenceRow {
        user_id,
        node_id: i64::from(node_id),
        status: status.into(),
        activities: "[]".into(),
        client_status: r#"{"desktop":"online"}"#.into(),
        updated_at,
    }
}

/// The user numbered `n`: presence rows need no stored user.
fn user(n: u64) -> UserId {
    UserId(Snowflake(n))
}

fn user_ids(ns: &[u64]) -> Vec<UserId> {
    ns.iter().copied().map(user).collect()
}

fn keys(rows: &[PresenceRow]) -> Vec<(UserId, i64)> {
    rows.iter().map(|r| (r.user_id, r.node_id)).collect()
}

async fn lease(store: &Arc<dyn Store>, holder: &str, wanted: Option<u16>, now: i64) -> Option<u16> {
    store
        .lease_node(holder, wanted, None, Timestamp(now), Timestamp(now + 100))
        .await
        .unwrap()
}

async fn leases_take_the_lowest_free_node_id(store: Arc<dyn Store>) {
    assert_eq!(lease(&store, "a", None, 1000).await, Some(0));
    assert_eq!(lease(&store, "b", None, 1000).await, Some(1));
    assert_eq!(lease(&store, "c", Some(5), 1000).await, Some(5));
    assert_eq!(lease(&store, "d", None, 1000).await, Some(2));
    store.release_node(1, "b").await.unwrap();
    assert_eq!(lease(&store, "e", None, 1000).await, Some(1));
    // At 1101 every lease taken at 1000 (until 1100) has expired: the lowest id is free again.
    assert_eq!(lease(&store, "f", None, 1101).await, Some(0));

    let nodes = store.fetch_nodes().await.unwrap();
    let held: Vec<(i64, &str)> = nodes
        .iter()
        .map(|n| (n.node_id, n.holder.as_str()))
        .collect();
    assert_eq!(held, vec![(0, "f"), (1, "e"), (2, "d"), (5, "c")]);
    assert_eq!((nodes[0].started_at, nodes[0].expires_at), (1101, 1201));
    // Expired rows are still listed.
    assert_eq!(nodes[3].expires_at, 1100);
}

async fn two_holders_never_share_a_node_id(store: Arc<dyn Store>) {
    // Any free id: twenty racing holders get twenty different ids.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { lease(&store, &format!("any-{i}"), None, 1000).await })
        })
        .collect();
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap().expect("a free id"));
    }
    got.sort_unstable();
    assert_eq!(got, (0..20).collect::<Vec<u16>>());

    // One wanted id: exactly one of twenty racing holders gets it.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let holder = format!("want-{i}");
                lease(&store, &holder, Some(500), 1000)
                    .await
                    .map(|_| holder)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        winners.extend(t.await.unwrap());
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let nodes = store.fetch_nodes().await.unwrap();
    let row = nodes.iter().find(|n| n.node_id == 500).unwrap();
    assert_eq!(row.holder, winners[0]);

    // The same once the id has expired: one taker among the racers.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { lease(&store, &format!("late-{i}"), Some(500), 2000).await })
        })
        .collect();
    let mut taken = 0;
    for t in tasks {
        taken += usize::from(t.await.unwrap().is_some());
    }
    assert_eq!(taken, 1);
}

async fn a_wanted_node_id_is_refused_while_live_and_granted_once_expired(store: Arc<dyn Store>) {
    assert_eq!(lease(&store, "a", Some(7), 1000).await, Some(7));
    assert_eq!(lease(&store, "b", Some(7), 1050).await, None);
    // Live up to and including its expiry instant.
    assert_eq!(lease(&store, "b", Some(7), 1100).await, None);
    // Its own holder may take it again (a restart that kept its holder name).
    assert_eq!(lease(&store, "a", Some(7), 1050).await, Some(7));
    let taken = store
        .lease_node(
            "b",
            Some(7),
            Some("http://b:8080"),
            Timestamp(1151),
            Timestamp(1300),
        )
        .await
        .unwrap();
    assert_eq!(taken, Some(7));
    let nodes = store.fetch_nodes().await.unwrap();
    assert_eq!(
        nodes,
        vec![NodeLease {
            node_id: 7,
            holder: "b".into(),
            url: Some("http://b:8080".into()),
            started_at: 1151,
            expires_at: 1300,
        }]
    );
}

async fn renewing_a_lease_fails_once_the_node_id_is_lost(store: Arc<dyn Store>) {
    assert_eq!(lease(&store, "a", Some(3), 1000).await, Some(3));
    assert!(store.renew_node(3, "a", Timestamp(1200)).await.unwrap());
    assert_eq!(store.fetch_nodes().await.unwrap()[0].expires_at, 1200);
    assert!(!store.renew_node(3, "b", Timestamp(1300)).await.unwrap());
    assert!(!store.renew_node(4, "a", Timestamp(1300)).await.unwrap());
    // Expired but not taken: still a's to renew.
    assert!(store.renew_node(3, "a", Timestamp(1400)).await.unwrap());
    // Expired and taken by b: lost.
    assert_eq!(lease(&store, "b", Some(3), 1401).await, Some(3));
    assert!(!store.renew_node(3, "a", Timestamp(1600)).await.unwrap());
    assert!(store.renew_node(3, "b", Timestamp(1600)).await.unwrap());
    store.release_node(3, "b").await.unwrap();
    assert!(!store.renew_node(3, "b", Timestamp(1700)).await.unwrap());
}

async fn releasing_a_node_id_frees_it_and_deletes_its_presences(store: Arc<dyn Store>) {
    assert_eq!(lease(&store, "a", Some(3), 1000).await, Some(3));
    assert_eq!(lease(&store, "b", Some(4), 1000).await, Some(4));
    store
        .put_presences(
            3,
            &[
                presence(user(10), 3, "online", 1),
                presence(user(11), 3, "idle", 1),
            ],
            &[],
        )
        .await
        .unwrap();
    store
        .put_presences(4, &[presence(user(10), 4, "dnd", 1)], &[])
        .await
        .unwrap();
    // Another holder's release changes nothing.
    store.release_node(3, "b").await.unwrap();
    assert_eq!(store.fetch_nodes().await.unwrap().len(), 2);
    let all = store
        .fetch_presences(&user_ids(&[10, 11]), Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(
        keys(&all),
        vec![(user(10), 3), (user(10), 4), (user(11), 3)]
    );

    store.release_node(3, "a").await.unwrap();
    let nodes = store.fetch_nodes().await.unwrap();
    assert_eq!(nodes.iter().map(|n| n.node_id).collect::<Vec<_>>(), vec![4]);
    let left = store
        .fetch_presences(&user_ids(&[10, 11]), Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(keys(&left), vec![(user(10), 4)]);
    // Nothing of node 3 is left for a reaper or a new holder to find.
    assert_eq!(store.clear_node_presences(3).await.unwrap(), vec![]);
    assert_eq!(lease(&store, "c", None, 1000).await, Some(0));
    assert_eq!(lease(&store, "c2", Some(3), 1000).await, Some(3));
}

async fn presences_from_nodes_with_expired_leases_are_left_out(store: Arc<dyn Store>) {
    assert_eq!(lease(&store, "live", Some(0), 1000).await, Some(0));
    store
        .lease_node("dying", Some(1), None, Timestamp(1000), Timestamp(1050))
        .await
        .unwrap()
        .unwrap();
    store
        .put_presences(
            0,
            &[
                presence(user(10), 0, "online", 1),
                presence(user(11), 0, "online", 1),
            ],
            &[],
        )
        .await
        .unwrap();
    store
        .put_presences(
            1,
            &[
                presence(user(10), 1, "idle", 1),
                presence(user(12), 1, "dnd", 1),
            ],
            &[],
        )
        .await
        .unwrap();
    let users = user_ids(&[12, 11, 10, 10]);
    assert_eq!(
        keys(
            &store
                .fetch_presences(&users, Timestamp(1050))
                .await
                .unwrap()
        ),
        vec![(user(10), 0), (user(10), 1), (user(11), 0), (user(12), 1)]
    );
    assert_eq!(
        keys(
            &store
                .fetch_presences(&users, Timestamp(1051))
                .await
                .unwrap()
        ),
        vec![(user(10), 0), (user(11), 0)]
    );

    // Upserts replace a row, `gone` removes one, other nodes' rows stay.
    let changed = PresenceRow {
        activities: r#"[{"name":"x","type":0}]"#.into(),
        ..presence(user(10), 0, "dnd", 2)
    };
    store
        .put_presences(
            0,
            &[presence(user(10), 0, "idle", 2), changed.clone()],
            &[user(11), user(12)],
        )
        .await
        .unwrap();
    let rows = store
        .fetch_presences(&users, Timestamp(1050))
        .await
        .unwrap();
    assert_eq!(
        keys(&rows),
        vec![(user(10), 0), (user(10), 1), (user(12), 1)]
    );
    assert_eq!(rows[0], changed);
    // Rows are written under the node given, whatever they say.
    store
        .put_presences(0, &[presence(user(13), 9, "online", 3)], &[])
        .await
        .unwrap();
    let rows = store
        .fetch_presences(&[user(13)], Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(keys(&rows), vec![(user(13), 0)]);
    // Empty lists.
    store.put_presences(0, &[], &[]).await.unwrap();
    assert!(store
        .fetch_presences(&[], Timestamp(1000))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .fetch_guild_presences(&[], Timestamp(1000))
        .await
        .unwrap()
        .is_empty());
}

async fn presence_lists_of_thousands_of_ids_work(store: Arc<dyn Store>) {
    assert_eq!(lease(&store, "a", Some(0), 1000).await, Some(0));
    let rows: Vec<PresenceRow> = (1..=2500)
        .map(|u| presence(user(u), 0, "online", 1))
        .collect();
    store.put_presences(0, &rows, &[]).await.unwrap();
    let users: Vec<UserId> = (1..=3000).map(user).collect();
    let got = store
        .fetch_presences(&users, Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(got, rows);
    let gone: Vec<UserId> = (1..=2400).map(user).collect();
    store.put_presences(0, &[], &gone).await.unwrap();
    let got = store
        .fetch_presences(&users, Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(
        got.iter().map(|r| r.user_id).collect::<Vec<_>>(),
        (2401..=2500).map(user).collect::<Vec<_>>()
    );
    let guilds: Vec<GuildId> = (1..=3000).map(|n| GuildId(Snowflake(n))).collect();
    assert!(store
        .fetch_guild_presences(&guilds, Timestamp(1000))
        .await
        .unwrap()
        .is_empty());
}

async fn guild_presences_cover_only_the_members_of_each_guild(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let carol = f.user(&store, "carol").await;
    let (g1, _) = f.guild(&store, &owner).await;
    let (g2, _) = f.guild(&store, &owner).await;
    let (g3, _) = f.guild(&store, &carol).await;
    for m in [
        f.member(g1.id, alice.id, vec![]),
        f.member(g1.id, bob.id, vec![]),
        f.member(g2.id, alice.id, vec![]),
    ] {
        store.insert_member(&m).await.unwrap();
    }
    assert_eq!(lease(&store, "a", Some(0), 1000).await, Some(0));
    store
        .lease_node("gone", Some(1), None, Timestamp(0), Timestamp(10))
        .await
        .unwrap()
        .unwrap();
    // The owner has no presence; carol is online but in no asked-for guild; bob's only row is
    // from a dead node.
    store
        .put_presences(
            0,
            &[
                presence(alice.id, 0, "online", 1),
                presence(carol.id, 0, "online", 1),
            ],
            &[],
        )
        .await
        .unwrap();
    store
        .put_presences(1, &[presence(bob.id, 1, "online", 1)], &[])
        .await
        .unwrap();

    let got = store
        .fetch_guild_presences(&[g2.id, g1.id], Timestamp(1000))
        .await
        .unwrap();
    let pairs: Vec<(GuildId, UserId)> = got.iter().map(|(g, r)| (*g, r.user_id)).collect();
    assert_eq!(pairs, vec![(g1.id, alice.id), (g2.id, alice.id)]);
    assert_eq!(got[0].1, presence(alice.id, 0, "online", 1));

    let got = store
        .fetch_guild_presences(&[g3.id], Timestamp(1000))
        .await
        .unwrap();
    let pairs: Vec<(GuildId, UserId)> = got.iter().map(|(g, r)| (*g, r.user_id)).collect();
    assert_eq!(pairs, vec![(g3.id, carol.id)]);
    // Bob shows at an instant when his node's lease is live.
    let got = store
        .fetch_guild_presences(&[g1.id], Timestamp(5))
        .await
        .unwrap();
    let users: Vec<UserId> = got.iter().map(|(_, r)| r.user_id).collect();
    assert_eq!(users, vec![alice.id, bob.id]);
}

async fn friend_presences_cover_only_friends_on_live_nodes(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let [me, pal, other_pal, asker, stranger] = [
        f.user(&store, "me").await,
        f.user(&store, "pal").await,
        f.user(&store, "other_pal").await,
        f.user(&store, "asker").await,
        f.user(&store, "stranger").await,
    ];
    for friend in [&pal, &other_pal] {
        store
            .insert_friend_request(me.id, friend.id, Timestamp(1))
            .await
            .unwrap();
        store
            .accept_friend_request(friend.id, me.id, Timestamp(2))
            .await
            .unwrap();
    }
    store
        .insert_friend_request(asker.id, me.id, Timestamp(1))
        .await
        .unwrap();
    assert_eq!(lease(&store, "a", Some(0), 1000).await, Some(0));
    store
        .lease_node("gone", Some(1), None, Timestamp(0), Timestamp(10))
        .await
        .unwrap()
        .unwrap();
    // pal is online on a live node, other_pal only on a dead one; the asker and the stranger
    // are online but are not friends.
    store
        .put_presences(
            0,
            &[
                presence(pal.id, 0, "idle", 1),
                presence(asker.id, 0, "online", 1),
                presence(stranger.id, 0, "online", 1),
            ],
            &[],
        )
        .await
        .unwrap();
    store
        .put_presences(1, &[presence(other_pal.id, 1, "online", 1)], &[])
        .await
        .unwrap();
    let got = store
        .fetch_friend_presences(me.id, Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(got, vec![presence(pal.id, 0, "idle", 1)]);
    // At an instant when the dead node's lease was live, both friends.
    let got = store
        .fetch_friend_presences(me.id, Timestamp(5))
        .await
        .unwrap();
    let users: Vec<UserId> = got.iter().map(|r| r.user_id).collect();
    let mut want = vec![pal.id, other_pal.id];
    want.sort();
    assert_eq!(users, want);
    assert!(store
        .fetch_friend_presences(stranger.id, Timestamp(1000))
        .await
        .unwrap()
        .is_empty());
}

async fn clearing_a_node_returns_the_users_of_its_rows(store: Arc<dyn Store>) {
    assert_eq!(lease(&store, "a", Some(4), 1000).await, Some(4));
    assert_eq!(lease(&store, "b", Some(5), 1000).await, Some(5));
    store
        .put_presences(
            4,
            &[
                presence(user(12), 4, "online", 1),
                presence(user(10), 4, "idle", 1),
            ],
            &[],
        )
        .await
        .unwrap();
    store
        .put_presences(5, &[presence(user(10), 5, "online", 1)], &[])
        .await
        .unwrap();
    assert_eq!(
        store.clear_node_presences(4).await.unwrap(),
        user_ids(&[10, 12])
    );
    assert_eq!(store.clear_node_presences(4).await.unwrap(), vec![]);
    let left = store
        .fetch_presences(&user_ids(&[10, 12]), Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(keys(&left), vec![(user(10), 5)]);
    // The lease itself is untouched.
    assert_eq!(store.fetch_nodes().await.unwrap().len(), 2);
}

async fn reaping_returns_each_user_once_and_spares_live_nodes(store: Arc<dyn Store>) {
    assert_eq!(lease(&store, "live", Some(0), 1000).await, Some(0));
    store
        .lease_node("dead", Some(1), None, Timestamp(0), Timestamp(500))
        .await
        .unwrap()
        .unwrap();
    // Node 2 never had a lease row (or it was released).
    for (node, users) in [(0u16, vec![10, 12]), (1, vec![10, 11]), (2, vec![10, 11])] {
        let rows: Vec<PresenceRow> = users
            .iter()
            .map(|u| presence(user(*u), node, "online", 1))
            .collect();
        store.put_presences(node, &rows, &[]).await.unwrap();
    }
    assert_eq!(
        store.reap_presences(Timestamp(1000)).await.unwrap(),
        user_ids(&[10, 11])
    );
    assert_eq!(store.reap_presences(Timestamp(1000)).await.unwrap(), vec![]);
    let left = store
        .fetch_presences(&user_ids(&[10, 11, 12]), Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(keys(&left), vec![(user(10), 0), (user(12), 0)]);
    // Leases are not touched by reaping.
    assert_eq!(store.fetch_nodes().await.unwrap().len(), 2);
}

async fn concurrent_reapers_each_get_distinct_rows(store: Arc<dyn Store>) {
    store
        .lease_node("dead", Some(1), None, Timestamp(0), Timestamp(500))
        .await
        .unwrap()
        .unwrap();
    let rows: Vec<PresenceRow> = (1..=300)
        .map(|u| presence(user(u), 1, "online", 1))
        .collect();
    store.put_presences(1, &rows, &[]).await.unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.reap_presences(Timestamp(1000)).await.unwrap() })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(all, (1..=300).map(user).collect::<Vec<_>>());
}

#[test]
fn sqlite_test_databases_are_removed_on_drop() {
    let db = TestDatabase::sqlite();
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    let dir = std::path::Path::new(&path).parent().unwrap().to_owned();
    assert!(dir.exists());
    drop(db);
    assert!(!dir.exists());
}

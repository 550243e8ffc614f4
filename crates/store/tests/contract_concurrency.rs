//! The store contract under concurrent duplicate writes: two callers creating the same thing at
//! once get one success and either [`StoreError::Conflict`] or the method's documented
//! idempotent answer; never a driver error (which the API would answer with a 500). Each test
//! repeats its race a few times on fresh rows, since an interleaving shows up only sometimes.
//! Like `contract.rs`, every test runs on SQLite, and on PostgreSQL when
//! `HEARTH_TEST_POSTGRES_URL` is set (where the two calls really run side by side, on two
//! connections; SQLite's single writer takes them one after the other).

use std::sync::Arc;

use hearth_core::{Snowflake, SnowflakeGenerator, Timestamp};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;

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
);

/// How many times each race is run.
const ROUNDS: usize = 8;

struct Fixture {
    ids: SnowflakeGenerator,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            ids: SnowflakeGenerator::new(1),
        }
    }

    fn id(&self) -> i64 {
        self.ids.next().as_i64()
    }

    fn new_user(&self, name: &str, email: &str) -> NewUser {
        NewUser {
            id: self.id(),
            username: name.to_owned(),
            global_name: None,
            email: Some(email.to_owned()),
            bot: false,
            password_hash: Some("hash".into()),
            created_at: Timestamp::now().0,
        }
    }

    async fn user(&self, store: &Arc<dyn Store>) -> User {
        let name = format!("user{}", self.id());
        let email = format!("{name}@example.org");
        store
            .insert_user(&self.new_user(&name, &email))
            .await
            .expect("insert user")
    }

    /// A guild owned by a new user, with its first channel.
    async fn guild(&self, store: &Arc<dyn Store>) -> (Guild, Channel) {
        let owner = self.user(store).await;
        let id = self.id();
        let channel = Channel {
            id: self.id(),
            guild_id: Some(id),
            kind: 0,
            name: Some("general".into()),
            topic: None,
            position: 0,
            parent_id: None,
            nsfw: false,
            rate_limit_per_user: 0,
            last_message_id: None,
            created_at: Timestamp::now().0,
        };
        let guild = Guild {
            id,
            name: "Home".into(),
            owner_id: owner.id,
            icon: None,
            description: None,
            system_channel_id: Some(channel.id),
            verification_level: 0,
            default_message_notifications: 0,
            explicit_content_filter: 0,
            afk_timeout: 300,
            preferred_locale: "en-US".into(),
            created_at: Timestamp::now().0,
        };
        let everyone = self.role_in(id, id);
        store
            .insert_guild(&guild, &everyone, &channel)
            .await
            .expect("insert guild");
        (guild, channel)
    }

    fn role_in(&self, guild_id: i64, id: i64) -> Role {
        Role {
            guild_id,
            id,
            name: "role".into(),
            permissions: 0,
            color: 0,
            hoist: false,
            mentionable: false,
            managed: false,
            position: 1,
            bot_id: None,
        }
    }

    async fn role(&self, store: &Arc<dyn Store>, guild_id: i64) -> Role {
        let role = self.role_in(guild_id, self.id());
        store.insert_role(&role).await.expect("insert role");
        role
    }

    fn member(&self, guild_id: i64, user_id: i64, roles: Vec<i64>) -> Member {
        Member {
            guild_id,
            user_id,
            nick: None,
            joined_at: Timestamp::now().0,
            temporary: false,
            communication_disabled_until: None,
            roles,
        }
    }

    fn invite(&self, channel: &Channel, code: &str) -> Invite {
        Invite {
            code: code.into(),
            guild_id: channel.guild_id.expect("a guild channel"),
            channel_id: channel.id,
            inviter_id: None,
            max_age: 0,
            max_uses: 0,
            uses: 0,
            temporary: false,
            created_at: Timestamp::now().0,
            expires_at: None,
        }
    }
}

fn sf(id: i64) -> Snowflake {
    Snowflake::from_i64(id)
}

fn overwrite(channel: &Channel, target_id: i64, allow: i64) -> Overwrite {
    Overwrite {
        channel_id: channel.id,
        guild_id: channel.guild_id.expect("a guild channel"),
        target_id,
        kind: 0,
        allow,
        deny: 0,
    }
}

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
    let (guild, channel) = f.guild(&store).await;
    for round in 0..ROUNDS {
        let code = format!("code{round}");
        let invite = f.invite(&channel, &code);

        let (ra, rb) = tokio::join!(store.insert_invite(&invite), store.insert_invite(&invite));

        one_ok_one_conflict(ra, rb, "id");
        assert!(store.fetch_invite(&code).await.unwrap().is_some());
    }
    let all = store.fetch_guild_invites(sf(guild.id)).await.unwrap();
    assert_eq!(all.len(), ROUNDS);
}

async fn concurrent_bans_of_one_user_record_one_ban(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let (guild, _) = f.guild(&store).await;
    for _ in 0..ROUNDS {
        let user = f.user(&store).await;
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
            .fetch_member(sf(guild.id), sf(user.id))
            .await
            .unwrap()
            .is_none());
    }
    let bans = store
        .fetch_bans(sf(guild.id), None, None, 100)
        .await
        .unwrap();
    assert_eq!(bans.len(), ROUNDS);
}

async fn concurrent_joins_of_one_user_add_one_member(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let (guild, _) = f.guild(&store).await;
    let role = f.role(&store, guild.id).await;
    for _ in 0..ROUNDS {
        let user = f.user(&store).await;
        // The role given twice counts once.
        let member = f.member(guild.id, user.id, vec![role.id, role.id]);

        let (ra, rb) = tokio::join!(store.insert_member(&member), store.insert_member(&member));

        let mut added = [ra.unwrap(), rb.unwrap()];
        added.sort_unstable();
        assert_eq!(added, [false, true]);
        let stored = store.fetch_member(sf(guild.id), sf(user.id)).await;
        assert_eq!(stored.unwrap().expect("a member").roles, vec![role.id]);
    }
}

async fn concurrent_joins_by_invite_count_one_use(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let (guild, channel) = f.guild(&store).await;
    let invite = f.invite(&channel, "join-race");
    store.insert_invite(&invite).await.unwrap();
    for _ in 0..ROUNDS {
        let user = f.user(&store).await;
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
    let (guild, _) = f.guild(&store).await;
    let role = f.role(&store, guild.id).await;
    for _ in 0..ROUNDS {
        let user = f.user(&store).await;
        store
            .insert_member(&f.member(guild.id, user.id, Vec::new()))
            .await
            .unwrap();
        let (g, u, r) = (sf(guild.id), sf(user.id), sf(role.id));

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
    let (guild, channel) = f.guild(&store).await;
    for round in 0..ROUNDS {
        let target = f.role(&store, guild.id).await.id;
        let (a, b) = (
            overwrite(&channel, target, 1),
            overwrite(&channel, target, 2),
        );

        let (ra, rb) = tokio::join!(store.put_overwrite(&a), store.put_overwrite(&b));

        ra.unwrap();
        rb.unwrap();
        let stored = store.fetch_channel_overwrites(sf(channel.id)).await;
        let stored = stored.unwrap();
        assert_eq!(stored.len(), round + 1);
        let mine = stored.iter().find(|o| o.target_id == target).unwrap();
        assert!([1, 2].contains(&mine.allow));
    }
}

async fn concurrent_replacements_of_a_channels_overwrites_leave_one_whole_set(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let (guild, channel) = f.guild(&store).await;
    let (r1, r2, r3) = (
        f.role(&store, guild.id).await.id,
        f.role(&store, guild.id).await.id,
        f.role(&store, guild.id).await.id,
    );
    let (c, g) = (sf(channel.id), sf(guild.id));
    for _ in 0..ROUNDS {
        // Two sets sharing a target (r2), as two moderators' edits would.
        let first = vec![overwrite(&channel, r1, 1), overwrite(&channel, r2, 1)];
        let second = vec![overwrite(&channel, r2, 2), overwrite(&channel, r3, 2)];

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
    let (guild, _) = f.guild(&store).await;
    let (r1, r2) = (
        f.role(&store, guild.id).await.id,
        f.role(&store, guild.id).await.id,
    );
    for _ in 0..ROUNDS {
        let user = f.user(&store).await;
        store
            .insert_member(&f.member(guild.id, user.id, Vec::new()))
            .await
            .unwrap();
        let (g, u) = (sf(guild.id), sf(user.id));
        let patch = MemberPatch {
            roles: Some(vec![r1, r2]),
            ..MemberPatch::default()
        };

        let (ra, rb) = tokio::join!(
            store.update_member(g, u, &patch),
            store.insert_member_role(g, u, sf(r2)),
        );

        ra.unwrap().expect("a member");
        rb.unwrap();
        let stored = store.fetch_member(g, u).await.unwrap().expect("a member");
        assert_eq!(stored.roles, vec![r1, r2]);
    }
}

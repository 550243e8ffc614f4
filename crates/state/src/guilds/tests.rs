//! The guild cache against a real (SQLite) store and the in-process bus.

use std::sync::Arc;
use std::time::Duration;

use hearth_bus::LocalBus;
use hearth_core::{
    ChannelId, GuildId, Permissions, Snowflake, SnowflakeGenerator, Timestamp, UserId,
};
use hearth_protocol::events::{Event, GuildMember};
use hearth_store::testing::{self, TestDatabase};
use hearth_store::{self as db, Store};

use super::Loaded;
use crate::{lock, wire, States};

struct World {
    _db: TestDatabase,
    store: Arc<dyn Store>,
    states: Arc<States>,
    ids: SnowflakeGenerator,
    guild: GuildId,
    owner: UserId,
    channel: ChannelId,
}

impl World {
    async fn new() -> World {
        let database = TestDatabase::sqlite();
        let store = hearth_store::connect(&database.url).await.unwrap();
        let states = States::new(store.clone(), Arc::new(LocalBus::default()));
        let ids = SnowflakeGenerator::new(1);
        let owner = user(&store, &ids, "owner").await;
        let g = GuildId(ids.next());
        let channel = ChannelId(ids.next());
        testing::seed_guild(store.as_ref(), g, owner, channel).await;
        store.insert_member(&member(g, owner)).await.unwrap();
        World {
            _db: database,
            store,
            states,
            ids,
            guild: g,
            owner,
            channel,
        }
    }

    async fn user(&self, name: &str) -> UserId {
        user(&self.store, &self.ids, name).await
    }
}

async fn user(store: &Arc<dyn Store>, ids: &SnowflakeGenerator, name: &str) -> UserId {
    let id = UserId(ids.next());
    testing::seed_user(store.as_ref(), id, name).await;
    id
}

fn member(g: GuildId, user: UserId) -> db::Member {
    db::Member {
        guild_id: g,
        user_id: user,
        nick: None,
        joined_at: Timestamp::now().0,
        temporary: false,
        communication_disabled_until: None,
        roles: Vec::new(),
        kind: hearth_core::MemberKind::Member,
        guest_expires_at: None,
    }
}

/// GUILD_MEMBER_UPDATE giving `user` a timeout until `until`.
fn timed_out(g: GuildId, user: UserId, until: i64) -> Event {
    let mut m = member(g, user);
    m.communication_disabled_until = Some(until);
    let mut wire = wire::member(&m, None);
    wire.user = Some(hearth_protocol::objects::User {
        id: user,
        username: "x".into(),
        discriminator: "0".into(),
        global_name: None,
        avatar: None,
        bot: false,
        public_flags: 0,
    });
    Event::GuildMemberUpdate(Box::new(GuildMember {
        member: wire,
        guild_id: g,
    }))
}

#[tokio::test]
async fn a_guild_is_read_once_and_members_are_met_on_demand() {
    let w = World::new().await;
    let s = w.states.guild(w.guild).await.unwrap().expect("guild");
    let again = w.states.guild(w.guild).await.unwrap().expect("guild");
    assert!(
        Arc::ptr_eq(&s, &again),
        "the second read is the cached state"
    );
    assert!(lock(&s).channel_data(w.channel).is_some());
    assert!(!lock(&s).knows(w.owner));
    assert!(w.states.meet(w.guild, &s, w.owner).await.unwrap());
    assert!(lock(&s).knows(w.owner));
    assert_eq!(lock(&s).guild_permissions(w.owner), Permissions::ALL);
    let stranger = w.user("stranger").await;
    assert!(!w.states.meet(w.guild, &s, stranger).await.unwrap());
    assert_eq!(
        w.states.guild_of_channel(w.channel).await.unwrap(),
        Some(w.guild)
    );
    assert!(w
        .states
        .guild(Snowflake(12345).into())
        .await
        .unwrap()
        .is_none());
    assert_eq!(w.states.sizes().0, 1, "an unknown guild is not cached");
}

#[tokio::test]
async fn events_that_arrive_while_a_guild_is_read_are_applied_to_what_was_read() {
    let w = World::new().await;
    let bob = w.user("bob").await;
    w.store.insert_member(&member(w.guild, bob)).await.unwrap();
    let Loaded::Load(mine) = w.states.begin_load(w.guild) else {
        panic!("nobody else loads it");
    };
    // Committed after the read below in real life; here it arrives before the read ends.
    let until = Timestamp::now().0 + 3_600_000_000;
    let change = timed_out(w.guild, bob, until);
    assert!(w.states.route(&change).is_none(), "kept for the load");
    let s = w.states.load(w.guild, mine).await.unwrap().expect("guild");
    let s = lock(&s);
    assert!(s.knows(bob), "the member came with the event");
    assert_eq!(s.inputs(bob).unwrap().timed_out_until, Some(until));
}

#[tokio::test]
async fn a_member_read_while_members_change_is_not_kept() {
    let w = World::new().await;
    let bob = w.user("bob").await;
    w.store.insert_member(&member(w.guild, bob)).await.unwrap();
    let s = w.states.guild(w.guild).await.unwrap().unwrap();
    let read = w.store.fetch_member(w.guild, bob).await.unwrap().unwrap();
    let before = lock(&s).member_changes();
    // Meanwhile bob leaves.
    let gone = Event::GuildMemberRemove(hearth_protocol::events::GuildUser {
        guild_id: w.guild,
        user: timed_out_user(bob),
    });
    lock(&s).apply(&gone);
    assert!(!lock(&s).meet(&read, before), "the older read is dropped");
    assert!(!lock(&s).knows(bob));
}

fn timed_out_user(id: UserId) -> hearth_protocol::objects::User {
    hearth_protocol::objects::User {
        id,
        username: "x".into(),
        discriminator: "0".into(),
        global_name: None,
        avatar: None,
        bot: false,
        public_flags: 0,
    }
}

#[tokio::test]
async fn a_request_waits_until_its_own_changes_are_applied() {
    let w = World::new().await;
    let s = w.states.guild(w.guild).await.unwrap().unwrap();
    let change = timed_out(w.guild, w.owner, Timestamp::now().0 + 1_000_000);
    w.states.expect(&change);
    let states = w.states.clone();
    let waiting = tokio::spawn(async move { states.caught_up().await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!waiting.is_finished(), "not applied yet");
    let routed = w.states.route(&change).expect("cached");
    assert!(Arc::ptr_eq(&routed, &s));
    lock(&routed).apply(&change);
    w.states.applied(&change);
    tokio::time::timeout(Duration::from_secs(1), waiting)
        .await
        .expect("answered once applied")
        .unwrap();
    // A change to a guild this node does not keep is not waited for.
    let elsewhere = timed_out(Snowflake(999).into(), w.owner, 1);
    w.states.expect(&elsewhere);
    tokio::time::timeout(Duration::from_millis(100), w.states.caught_up())
        .await
        .expect("nothing to wait for");
}

#[tokio::test]
async fn unused_guilds_are_evicted_unless_a_session_holds_them() {
    let w = World::new().await;
    let held = w.states.guild(w.guild).await.unwrap().unwrap();
    w.states.evict_idle(Duration::ZERO);
    assert_eq!(w.states.sizes().0, 1, "held by a session");
    drop(held);
    w.states.evict_idle(Duration::ZERO);
    assert_eq!(w.states.sizes().0, 0);
    // The channel index went with it; the store still answers.
    assert_eq!(
        w.states.guild_of_channel(w.channel).await.unwrap(),
        Some(w.guild)
    );
}

#[tokio::test]
async fn tokens_are_cached_and_dropped_on_revocation_or_a_changed_user() {
    let w = World::new().await;
    let session = db::Session {
        id: w.ids.next().into(),
        user_id: w.owner,
        token_hash: "h1".into(),
        kind: "user".into(),
        created_at: 0,
        last_used_at: 0,
        ip: None,
        user_agent: None,
    };
    w.store.insert_session(&session).await.unwrap();
    let (s, u) = w
        .states
        .authenticate("h1", Some(w.owner))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s.id, u.id), (session.id, w.owner));
    assert_eq!(w.states.sizes().1, 1);
    // Deleted in the store, still answered from the cache until the revocation arrives.
    w.store.delete_session(session.id).await.unwrap();
    assert!(w
        .states
        .authenticate("h1", Some(w.owner))
        .await
        .unwrap()
        .is_some());
    w.states.observe(&Event::SessionRevoked {
        user_id: w.owner,
        token_hash: "h1".into(),
    });
    assert!(w
        .states
        .authenticate("h1", Some(w.owner))
        .await
        .unwrap()
        .is_none());
    // A token naming another user than its session's is never cached.
    w.store.insert_session(&session).await.unwrap();
    assert!(w
        .states
        .authenticate("h1", Some(Snowflake(5).into()))
        .await
        .unwrap()
        .is_some());
    assert_eq!(w.states.sizes().1, 0);
    w.states.authenticate("h1", Some(w.owner)).await.unwrap();
    w.states.forget_user(w.owner);
    assert_eq!(w.states.sizes().1, 0);
}

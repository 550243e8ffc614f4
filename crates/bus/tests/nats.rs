//! The NATS bus against a real NATS server (`HEARTH_TEST_NATS_URL`, e.g.
//! `nats://127.0.0.1:4222`); skipped with a notice when it is not set. Each test uses a subject
//! prefix of its own, so runs never see each other's events.

use std::sync::Arc;
use std::time::Duration;

use hearth_bus::{Bus, NatsBus, NatsConfig, Subscription, Topic};
use hearth_core::Snowflake;
use hearth_protocol::events::{Audience, Event, GuildRoleDelete, MessageDelete};

fn nats_url() -> Option<String> {
    let url = std::env::var("HEARTH_TEST_NATS_URL").ok();
    if url.is_none() {
        eprintln!("HEARTH_TEST_NATS_URL is not set: skipping the NATS bus test");
    }
    url
}

fn prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("t{}x{nanos}", std::process::id())
}

async fn node(url: &str, prefix: &str) -> NatsBus {
    let config = NatsConfig {
        url: url.to_owned(),
        subject_prefix: prefix.to_owned(),
        client_name: "hearth bus test".into(),
    };
    NatsBus::connect(&config, Duration::from_secs(5))
        .await
        .expect("connect to NATS")
}

/// The next event that is not the bus's own notice of a (re)connection.
async fn next(sub: &mut Subscription) -> Arc<Event> {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(5), sub.recv())
            .await
            .expect("an event within 5 s")
            .expect("the subscription is open");
        if !matches!(*e, Event::BusGap) {
            return e;
        }
    }
}

/// An event for the members of guild `g`, numbered `n`.
fn guild(n: u64, g: u64) -> Event {
    Event::GuildRoleDelete(GuildRoleDelete {
        guild_id: Snowflake(g).into(),
        role_id: Snowflake(n).into(),
    })
}

/// An event for user `u`, numbered `n`.
fn user(n: u64, u: u64) -> Event {
    Event::SessionRevoked {
        user_id: Snowflake(u).into(),
        token_hash: n.to_string(),
    }
}

/// The number an event of [`guild`], [`user`] or a MESSAGE_DELETE carries.
fn n(e: &Arc<Event>) -> u64 {
    match e.as_ref() {
        Event::GuildRoleDelete(r) => r.role_id.get(),
        Event::MessageDelete(m) => m.id.get(),
        Event::SessionRevoked { token_hash, .. } => token_hash.parse().unwrap(),
        other => panic!("unexpected {}", other.name()),
    }
}

#[tokio::test]
async fn a_node_receives_the_topics_it_is_interested_in_and_nothing_else() {
    let Some(url) = nats_url() else { return };
    let p = prefix();
    let (a, b) = (node(&url, &p).await, node(&url, &p).await);
    assert_eq!(b.health(), ("nats", true));
    let mut rb = b.subscribe();
    b.interest(Topic::Guild(Snowflake(1).into()), true);
    b.settled().await;

    a.publish(guild(0, 2)); // guild 2: nobody on b needs it
    let deleted = Event::MessageDelete(MessageDelete {
        id: Snowflake(1).into(),
        channel_id: Snowflake(5).into(),
        guild_id: Snowflake(1).into(),
    });
    a.publish(deleted.clone());
    a.publish(guild(2, 1));
    // The typed event arrives as it was published.
    let first = next(&mut rb).await;
    assert_eq!(*first, deleted);
    assert_eq!(
        first.audience(),
        Audience::Channel {
            guild_id: Snowflake(1).into(),
            channel_id: Snowflake(5).into()
        }
    );
    assert_eq!(n(&next(&mut rb).await), 2);

    // An event for a user reaches the nodes interested in that user.
    b.interest(Topic::User(Snowflake(7).into()), true);
    b.settled().await;
    a.publish(user(3, 8)); // user 8: nobody on b needs it
    a.publish(user(3, 7));
    let u = next(&mut rb).await;
    assert_eq!(
        (u.name(), u.audience(), n(&u)),
        (
            "hearth.session_revoked",
            Audience::User {
                user_id: Snowflake(7).into()
            },
            3
        )
    );

    // Interest is counted: it ends when the last unit is withdrawn.
    b.interest(Topic::User(Snowflake(7).into()), true);
    b.interest(Topic::User(Snowflake(7).into()), false);
    b.interest(Topic::Guild(Snowflake(1).into()), false);
    b.settled().await;
    a.publish(guild(4, 1)); // no longer wanted on b
    a.publish(user(5, 7));
    assert_eq!(n(&next(&mut rb).await), 5);
    b.interest(Topic::User(Snowflake(7).into()), false);
    b.settled().await;
    a.publish(user(6, 7));
    b.interest(Topic::Guild(Snowflake(9).into()), true);
    b.settled().await;
    a.publish(guild(7, 9));
    assert_eq!(n(&next(&mut rb).await), 7);
}

#[tokio::test]
async fn a_publisher_hears_its_own_events_in_order_like_everyone_else() {
    let Some(url) = nats_url() else { return };
    let p = prefix();
    let (a, b) = (node(&url, &p).await, node(&url, &p).await);
    let (mut ra, mut rb) = (a.subscribe(), b.subscribe());
    for bus in [&a, &b] {
        bus.interest(Topic::Guild(Snowflake(3).into()), true);
        bus.settled().await;
    }
    for n in 0..500 {
        a.publish(guild(n, 3));
    }
    for n in 0..500 {
        assert_eq!(self::n(&next(&mut ra).await), n);
        assert_eq!(self::n(&next(&mut rb).await), n);
    }
}

#[tokio::test]
async fn several_servers_may_be_listed_and_one_that_answers_is_enough() {
    let Some(url) = nats_url() else { return };
    let p = prefix();
    let listed = format!("nats://127.0.0.1:1, {url}");
    let a = node(&listed, &p).await;
    let b = node(&url, &p).await;
    let mut rb = b.subscribe();
    b.interest(Topic::Guild(Snowflake(6).into()), true);
    b.settled().await;
    a.publish(guild(1, 6));
    a.published().await;
    assert_eq!(n(&next(&mut rb).await), 1);
}

#[tokio::test]
async fn an_unreachable_nats_is_an_error_not_a_hang() {
    if nats_url().is_none() {
        return;
    }
    let config = NatsConfig {
        url: "nats://127.0.0.1:1".into(),
        subject_prefix: "x".into(),
        client_name: "hearth bus test".into(),
    };
    let started = std::time::Instant::now();
    assert!(NatsBus::connect(&config, Duration::from_secs(2))
        .await
        .is_err());
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn what_a_node_acknowledged_is_ordered_before_what_any_node_does_next() {
    let Some(url) = nats_url() else { return };
    let p = prefix();
    let (a, c, d) = (
        node(&url, &p).await,
        node(&url, &p).await,
        node(&url, &p).await,
    );
    let mut rd = d.subscribe();
    d.interest(Topic::Guild(Snowflake(4).into()), true);
    d.settled().await;
    for n in 0..200 {
        // A change answered on node a (published, then acknowledged) ...
        a.publish(guild(2 * n, 4));
        a.published().await;
        // ... then a change on node c made after that answer.
        c.publish(guild(2 * n + 1, 4));
        c.published().await;
    }
    for n in 0..400 {
        assert_eq!(self::n(&next(&mut rd).await), n);
    }
}

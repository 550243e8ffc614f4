//! Friends, friend requests and blocks over HTTP and the gateway: each side sees its own side
//! of every change (REST and RELATIONSHIP_* dispatches), refusals carry Discord's codes and
//! publish nothing, READY lists a person's relationships.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::TestApp;

both!(
    a_request_reaches_both_sides_and_accepting_it_makes_friends,
    requests_by_username_are_declined_cancelled_and_refused_between_friends,
    blocks_refuse_requests_both_ways_and_each_is_lifted_alone,
    refusals_answer_with_discords_codes_and_publish_nothing,
    a_friends_nickname_is_the_callers_own,
    ready_lists_a_persons_relationships_and_none_for_bots,
);

/// A person: their token and id.
struct Person {
    token: String,
    id: String,
}

async fn person(app: &TestApp, name: &str) -> Person {
    let token = app.register(name).await;
    let id = app.user_id(&token).await;
    Person { token, id }
}

fn rel_path(other: &Person) -> String {
    format!("/users/@me/relationships/{}", other.id)
}

/// The caller's relationships as (other's id, type).
async fn relationships(app: &TestApp, who: &Person) -> Vec<(String, u64)> {
    let list = app
        .get("/users/@me/relationships", &who.token)
        .await
        .ok(200);
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["id"], r["user"]["id"], "{r}");
            (
                r["id"].as_str().unwrap().to_owned(),
                r["type"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Asserts a RELATIONSHIP_ADD about `other` of type `kind`, and returns it.
#[track_caller]
fn assert_added(d: &Value, other: &Person, kind: u64) -> Value {
    assert_eq!(
        (d["id"].as_str(), d["type"].as_u64()),
        (Some(other.id.as_str()), Some(kind)),
        "{d}"
    );
    assert_eq!(d["user"]["id"], d["id"], "{d}");
    assert!(
        d["since"].as_str().is_some_and(|s| s.ends_with("+00:00")),
        "{d}"
    );
    d.clone()
}

async fn send(app: &TestApp, who: &Person, body: Value) -> crate::helpers::Res {
    app.post("/users/@me/relationships", &who.token, body).await
}

async fn put(app: &TestApp, who: &Person, other: &Person, body: Value) -> crate::helpers::Res {
    app.call(
        reqwest::Method::PUT,
        &rel_path(other),
        Some(&who.token),
        Some(body),
    )
    .await
}

async fn a_request_reaches_both_sides_and_accepting_it_makes_friends(app: &TestApp) {
    // Arrange
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    let (mut alice_gw, _) = Gw::identify(app, &alice.token, None).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob.token, None).await;

    // Act: alice asks bob.
    put(app, &alice, &bob, json!({})).await.ok(204);

    // Assert: outgoing for alice, incoming for bob, each told.
    let d = alice_gw.event("RELATIONSHIP_ADD").await;
    assert_eq!(assert_added(&d, &bob, 4)["user"]["username"], "bob");
    let d = bob_gw.event("RELATIONSHIP_ADD").await;
    assert_eq!(assert_added(&d, &alice, 3)["nickname"], Value::Null);
    assert_eq!(relationships(app, &alice).await, [(bob.id.clone(), 4)]);
    assert_eq!(relationships(app, &bob).await, [(alice.id.clone(), 3)]);

    // Act: bob accepts (PUT with type 1).
    put(app, &bob, &alice, json!({"type": 1})).await.ok(204);

    // Assert: friends on both sides.
    assert_added(&bob_gw.event("RELATIONSHIP_ADD").await, &alice, 1);
    assert_added(&alice_gw.event("RELATIONSHIP_ADD").await, &bob, 1);
    assert_eq!(relationships(app, &alice).await, [(bob.id.clone(), 1)]);
    assert_eq!(relationships(app, &bob).await, [(alice.id.clone(), 1)]);
    // Friends already: nothing changes, nothing is told.
    app.drain_events().await;
    put(app, &alice, &bob, json!({})).await.ok(204);
    assert!(app.drain_events().await.is_empty());

    // Act: alice removes bob.
    app.delete(&rel_path(&bob), &alice.token).await.ok(204);

    // Assert: gone on both sides, each told what it was.
    let d = alice_gw.event("RELATIONSHIP_REMOVE").await;
    assert_eq!(d, json!({"id": bob.id, "type": 1}));
    let d = bob_gw.event("RELATIONSHIP_REMOVE").await;
    assert_eq!(d, json!({"id": alice.id, "type": 1}));
    assert!(relationships(app, &alice).await.is_empty());
    assert!(relationships(app, &bob).await.is_empty());
    // Nothing left to remove.
    app.drain_events().await;
    app.delete(&rel_path(&bob), &alice.token).await.ok(204);
    assert!(app
        .drain_events()
        .await
        .iter()
        .all(|e| !e.starts_with("RELATIONSHIP")));
}

async fn requests_by_username_are_declined_cancelled_and_refused_between_friends(app: &TestApp) {
    let alice = person(app, "alice").await;
    let bob = person(app, "Bob").await;
    let ask = |name: &str, discriminator: Value| json!({"username": name, "discriminator": discriminator});

    // By username in any case, with the discriminators clients send for the new usernames.
    send(app, &alice, ask("bOB", Value::Null)).await.ok(204);
    let e = app.event("RELATIONSHIP_ADD").await;
    assert_eq!(e.data["type"], 4);
    assert_eq!(relationships(app, &bob).await, [(alice.id.clone(), 3)]);
    // Asking again while the request waits changes nothing.
    app.drain_events().await;
    send(app, &alice, ask("bob", json!(0))).await.ok(204);
    send(app, &alice, json!({"username": "bob"})).await.ok(204);
    assert!(app.drain_events().await.is_empty());

    // Declined by bob: both sides go, each told what it was.
    app.delete(&rel_path(&alice), &bob.token).await.ok(204);
    let removed: Vec<Value> = vec![
        app.event("RELATIONSHIP_REMOVE").await.data,
        app.event("RELATIONSHIP_REMOVE").await.data,
    ];
    assert!(
        removed.contains(&json!({"id": alice.id, "type": 3})),
        "{removed:?}"
    );
    assert!(
        removed.contains(&json!({"id": bob.id, "type": 4})),
        "{removed:?}"
    );
    assert!(relationships(app, &alice).await.is_empty());

    // Cancelled by alice.
    send(app, &alice, ask("bob", json!("0"))).await.ok(204);
    app.delete(&rel_path(&bob), &alice.token).await.ok(204);
    assert!(relationships(app, &alice).await.is_empty());
    assert!(relationships(app, &bob).await.is_empty());

    // Asking someone who asked first accepts; asking a friend by name is refused.
    app.post(
        "/users/@me/relationships",
        &bob.token,
        ask("alice", Value::Null),
    )
    .await
    .ok(204);
    send(app, &alice, ask("bob", Value::Null)).await.ok(204);
    assert_eq!(relationships(app, &alice).await, [(bob.id.clone(), 1)]);
    send(app, &alice, ask("bob", Value::Null))
        .await
        .assert_error(400, 80007);

    // No one has another discriminator, or an unknown name.
    send(app, &alice, ask("bob", json!("1234")))
        .await
        .assert_error(400, 80004);
    send(app, &alice, ask("nobody_here", Value::Null))
        .await
        .assert_error(400, 80004);
}

async fn blocks_refuse_requests_both_ways_and_each_is_lifted_alone(app: &TestApp) {
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    put(app, &alice, &bob, json!({})).await.ok(204);
    put(app, &bob, &alice, json!({})).await.ok(204);
    let (mut alice_gw, _) = Gw::identify(app, &alice.token, None).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob.token, None).await;

    // alice blocks her friend bob: her side becomes the block, his friendship ends.
    put(app, &alice, &bob, json!({"type": 2})).await.ok(204);
    assert_added(&alice_gw.event("RELATIONSHIP_ADD").await, &bob, 2);
    let d = bob_gw.event("RELATIONSHIP_REMOVE").await;
    assert_eq!(d, json!({"id": alice.id, "type": 1}));
    assert_eq!(relationships(app, &alice).await, [(bob.id.clone(), 2)]);
    assert!(relationships(app, &bob).await.is_empty());

    // Requests are refused both ways, with one answer whoever blocked.
    app.drain_events().await;
    put(app, &bob, &alice, json!({}))
        .await
        .assert_error(400, 80001);
    put(app, &alice, &bob, json!({"type": 1}))
        .await
        .assert_error(400, 80001);
    app.post(
        "/users/@me/relationships",
        &bob.token,
        json!({"username": "alice"}),
    )
    .await
    .assert_error(400, 80001);
    assert!(app.drain_events().await.is_empty());
    // Blocking again changes nothing.
    put(app, &alice, &bob, json!({"type": 2})).await.ok(204);
    assert!(app.drain_events().await.is_empty());

    // bob blocks back: each side holds its own block.
    put(app, &bob, &alice, json!({"type": 2})).await.ok(204);
    assert_added(&bob_gw.event("RELATIONSHIP_ADD").await, &alice, 2);

    // alice lifts hers: only her row goes; bob's block still refuses her requests.
    app.delete(&rel_path(&bob), &alice.token).await.ok(204);
    let d = alice_gw.event("RELATIONSHIP_REMOVE").await;
    assert_eq!(d, json!({"id": bob.id, "type": 2}));
    assert!(relationships(app, &alice).await.is_empty());
    assert_eq!(relationships(app, &bob).await, [(alice.id.clone(), 2)]);
    put(app, &alice, &bob, json!({}))
        .await
        .assert_error(400, 80001);

    // bob lifts his: requests go through again.
    app.delete(&rel_path(&alice), &bob.token).await.ok(204);
    put(app, &alice, &bob, json!({})).await.ok(204);
    assert_eq!(relationships(app, &bob).await, [(alice.id.clone(), 3)]);
    // A block ends a pending request on both sides.
    put(app, &bob, &alice, json!({"type": 2})).await.ok(204);
    assert!(relationships(app, &alice).await.is_empty());
    assert_eq!(relationships(app, &bob).await, [(alice.id.clone(), 2)]);
}

async fn refusals_answer_with_discords_codes_and_publish_nothing(app: &TestApp) {
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    let (bot_id, bot) = app.bot(&alice.token, "helper").await;
    let bot_user = Person {
        token: bot.clone(),
        id: bot_id,
    };
    let unknown = Person {
        token: String::new(),
        id: "1234567890123456789".into(),
    };
    app.drain_events().await;

    // Oneself.
    put(app, &alice, &alice, json!({}))
        .await
        .assert_error(400, 80003);
    put(app, &alice, &alice, json!({"type": 2}))
        .await
        .assert_error(400, 80003);
    app.post(
        "/users/@me/relationships",
        &alice.token,
        json!({"username": "ALICE"}),
    )
    .await
    .assert_error(400, 80003);
    // No such user.
    put(app, &alice, &unknown, json!({}))
        .await
        .assert_error(404, 10013);
    app.delete(&rel_path(&unknown), &alice.token)
        .await
        .assert_error(404, 10013);
    app.patch(&rel_path(&unknown), &alice.token, json!({"nickname": "x"}))
        .await
        .assert_error(404, 10013);
    // Bots have no friends, and cannot use these endpoints.
    put(app, &alice, &bot_user, json!({}))
        .await
        .assert_error(400, 80002);
    app.post(
        "/users/@me/relationships",
        &alice.token,
        json!({"username": "helper"}),
    )
    .await
    .assert_error(400, 80004);
    app.get("/users/@me/relationships", &bot)
        .await
        .assert_error(403, 20001);
    app.post(
        "/users/@me/relationships",
        &bot,
        json!({"username": "alice"}),
    )
    .await
    .assert_error(403, 20001);
    put(app, &bot_user, &alice, json!({}))
        .await
        .assert_error(403, 20001);
    app.patch(&rel_path(&alice), &bot, json!({}))
        .await
        .assert_error(403, 20001);
    app.delete(&rel_path(&alice), &bot)
        .await
        .assert_error(403, 20001);
    // Malformed bodies.
    put(app, &alice, &bob, json!({"type": "friend"}))
        .await
        .assert_field_error("type", "BASE_TYPE_INVALID");
    put(app, &alice, &bob, json!({"type": 3}))
        .await
        .assert_field_error("type", "BASE_TYPE_CHOICES");
    put(app, &alice, &bob, json!({"type": 0}))
        .await
        .assert_field_error("type", "BASE_TYPE_INVALID");
    app.post("/users/@me/relationships", &alice.token, json!({}))
        .await
        .assert_field_error("username", "BASE_TYPE_REQUIRED");
    app.post(
        "/users/@me/relationships",
        &alice.token,
        json!({"username": "b"}),
    )
    .await
    .assert_field_error("username", "BASE_TYPE_BAD_LENGTH");
    app.post(
        "/users/@me/relationships",
        &alice.token,
        json!({"username": "bob", "discriminator": [1]}),
    )
    .await
    .assert_field_error("discriminator", "BASE_TYPE_INVALID");
    app.patch(
        &rel_path(&bob),
        &alice.token,
        json!({"nickname": "n".repeat(33)}),
    )
    .await
    .assert_field_error("nickname", "BASE_TYPE_MAX_LENGTH");
    // A nickname is for friends only.
    app.patch(&rel_path(&bob), &alice.token, json!({"nickname": "B"}))
        .await
        .assert_error(400, 80006);
    app.patch(&rel_path(&bob), &alice.token, json!({}))
        .await
        .assert_error(400, 80006);

    let published = app.drain_events().await;
    assert!(published.is_empty(), "{published:?}");
    assert!(relationships(app, &alice).await.is_empty());
}

async fn a_friends_nickname_is_the_callers_own(app: &TestApp) {
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    put(app, &alice, &bob, json!({})).await.ok(204);
    put(app, &bob, &alice, json!({})).await.ok(204);
    app.drain_events().await;

    app.patch(
        &rel_path(&bob),
        &alice.token,
        json!({"nickname": "  Bobby "}),
    )
    .await
    .ok(204);

    let e = app.event("RELATIONSHIP_UPDATE").await;
    assert_eq!(
        e.audience,
        hearth_protocol::events::Audience::User {
            user_id: alice.id.parse().unwrap()
        }
    );
    assert_eq!(
        (e.data["id"].as_str(), e.data["nickname"].as_str()),
        (Some(bob.id.as_str()), Some("Bobby"))
    );
    let mine = app
        .get("/users/@me/relationships", &alice.token)
        .await
        .ok(200);
    assert_eq!(mine[0]["nickname"], "Bobby");
    let theirs = app
        .get("/users/@me/relationships", &bob.token)
        .await
        .ok(200);
    assert_eq!(theirs[0]["nickname"], Value::Null);
    // Absent: nothing changes; blank clears.
    app.patch(&rel_path(&bob), &alice.token, json!({}))
        .await
        .ok(204);
    app.patch(&rel_path(&bob), &alice.token, json!({"nickname": " "}))
        .await
        .ok(204);
    let mine = app
        .get("/users/@me/relationships", &alice.token)
        .await
        .ok(200);
    assert_eq!(mine[0]["nickname"], Value::Null);
}

async fn ready_lists_a_persons_relationships_and_none_for_bots(app: &TestApp) {
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    let carol = person(app, "carol").await;
    let dave = person(app, "dave").await;
    let (_, bot) = app.bot(&alice.token, "helper").await;
    put(app, &alice, &bob, json!({})).await.ok(204);
    put(app, &bob, &alice, json!({})).await.ok(204);
    put(app, &alice, &carol, json!({})).await.ok(204);
    put(app, &alice, &dave, json!({"type": 2})).await.ok(204);

    let (_, ready) = Gw::identify(app, &alice.token, None).await;

    let listed: Vec<(&str, u64, &str)> = ready["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["type"].as_u64().unwrap(),
                r["user"]["username"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (bob.id.as_str(), 1, "bob"),
            (carol.id.as_str(), 4, "carol"),
            (dave.id.as_str(), 2, "dave")
        ]
    );
    let (_, ready) = Gw::identify(app, &carol.token, None).await;
    assert_eq!(ready["relationships"][0]["type"], 3);
    let (_, ready) = Gw::identify(app, &dave.token, None).await;
    assert_eq!(
        ready["relationships"],
        json!([]),
        "a block is the blocker's alone"
    );
    let (_, ready) = Gw::identify(app, &bot, Some(1)).await;
    assert_eq!(ready["relationships"], json!([]));
}

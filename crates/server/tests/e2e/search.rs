//! Message search over HTTP: Discord's answer shape (`total_results`, each hit an array of
//! its message), words, accents and CJK text found, filters (author, channel, mentions, has,
//! ids), paging and orders, edits and deletes reflected at once, channels the caller may not
//! view or read left out, the channel form (a DM included), and every refusal.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

both!(
    a_guild_search_answers_in_discords_shape,
    filters_pages_and_orders_narrow_the_hits,
    edits_and_deletes_are_searched_at_once,
    channels_the_caller_may_not_read_are_left_out,
    a_channel_is_searched_alone_a_dm_included,
    a_guest_finds_only_the_messages_of_their_channel,
    bad_parameters_and_places_out_of_reach_are_refused,
);

fn guild_search(guild: &str, query: &str) -> String {
    format!("/guilds/{guild}/messages/search?{query}")
}

/// The contents of the hits, in order.
fn contents(v: &Value) -> Vec<String> {
    v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit[0]["content"].as_str().unwrap().to_owned())
        .collect()
}

/// `s` percent-encoded for a query string.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn a_guild_search_answers_in_discords_shape(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let (guild, general) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();
    for text in [
        "Hello world",
        "Crème brûlée",
        "東京タワーへ行く",
        "서울에서 만나요",
        "hello again",
    ] {
        app.say(&alice, &general, text).await;
    }

    // Act
    let found = app
        .get(&guild_search(g, "content=HELLO"), &alice)
        .await
        .ok(200);

    // Assert
    assert_eq!(found["total_results"], 2);
    assert_eq!(found["doing_deep_historical_index"], false);
    let hits = found["messages"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].as_array().unwrap().len(), 1);
    assert_eq!(hits[0][0]["content"], "hello again");
    assert_eq!(hits[0][0]["channel_id"], general.as_str());
    assert_eq!(hits[0][0]["guild_id"], g);
    assert!(hits[0][0]["author"]["id"].is_string());
    for (q, expected) in [
        ("creme", "Crème brûlée"),
        ("京タ", "東京タワーへ行く"),
        ("タ", "東京タワーへ行く"),
        ("에서", "서울에서 만나요"),
    ] {
        let r = app
            .get(&guild_search(g, &format!("content={}", enc(q))), &alice)
            .await
            .ok(200);
        assert_eq!(contents(&r), vec![expected], "query {q}");
    }
}

async fn filters_pages_and_orders_narrow_the_hits(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let bob_id = app.user_id(&bob).await;
    let (guild, general) = app.guild_with(&alice, &[&bob]).await;
    let g = guild["id"].as_str().unwrap();
    let other = app
        .post(
            &format!("/guilds/{g}/channels"),
            &alice,
            json!({"name": "other"}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = app.say(&alice, &general, "cat one").await;
    app.say(&bob, &general, "cat two https://example.org").await;
    app.say(&alice, &other, &format!("cat three <@{bob_id}>"))
        .await;
    app.say(&bob, &other, "dog four").await;

    // Act and assert
    let get = |q: String| {
        let url = guild_search(g, &q);
        let alice = alice.clone();
        async move { app.get(&url, &alice).await.ok(200) }
    };
    assert_eq!(get(format!("author_id={bob_id}")).await["total_results"], 2);
    assert_eq!(
        contents(&get(format!("content=cat&channel_id={other}")).await),
        vec![format!("cat three <@{bob_id}>")]
    );
    assert_eq!(
        contents(&get(format!("mentions={bob_id}")).await),
        vec![format!("cat three <@{bob_id}>")]
    );
    assert_eq!(
        contents(&get("has=link".into()).await),
        vec!["cat two https://example.org"]
    );
    assert_eq!(
        get("has=-link&content=cat".into()).await["total_results"],
        2
    );
    assert_eq!(get("has=file".into()).await["total_results"], 0);
    let first_id = first["id"].as_str().unwrap();
    assert_eq!(
        get(format!("content=cat&min_id={first_id}")).await["total_results"],
        2
    );
    assert_eq!(
        contents(&get("content=cat&sort_order=asc&limit=1".into()).await),
        vec!["cat one"]
    );
    let page = get("content=cat&limit=1&offset=1".into()).await;
    assert_eq!(page["total_results"], 3);
    assert_eq!(contents(&page), vec!["cat two https://example.org"]);
    assert_eq!(
        get("content=cat&sort_by=relevance".into()).await["total_results"],
        3
    );
}

async fn edits_and_deletes_are_searched_at_once(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let (guild, general) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();
    let m = app.say(&alice, &general, "original words").await;
    let gone = app.say(&alice, &general, "soon deleted").await;
    let mid = m["id"].as_str().unwrap();

    // Act
    app.patch(
        &format!("/channels/{general}/messages/{mid}"),
        &alice,
        json!({"content": "replacement text"}),
    )
    .await
    .ok(200);
    app.delete(
        &format!(
            "/channels/{general}/messages/{}",
            gone["id"].as_str().unwrap()
        ),
        &alice,
    )
    .await
    .ok(204);

    // Assert
    let old = app
        .get(&guild_search(g, "content=original"), &alice)
        .await
        .ok(200);
    assert_eq!(old["total_results"], 0);
    let new = app
        .get(&guild_search(g, "content=replacement"), &alice)
        .await
        .ok(200);
    assert_eq!(contents(&new), vec!["replacement text"]);
    assert!(new["messages"][0][0]["edited_timestamp"].is_string());
    let deleted = app
        .get(&guild_search(g, "content=deleted"), &alice)
        .await
        .ok(200);
    assert_eq!(deleted["total_results"], 0);
}

async fn channels_the_caller_may_not_read_are_left_out(app: &TestApp) {
    // Arrange: a channel bob may not view, one he may view but not read the history of.
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (guild, general) = app.guild_with(&alice, &[&bob]).await;
    let g = guild["id"].as_str().unwrap();
    let mut hidden = Vec::new();
    for (name, deny) in [("secret", "1024"), ("nohistory", "65536")] {
        let c = app
            .post(
                &format!("/guilds/{g}/channels"),
                &alice,
                json!({"name": name}),
            )
            .await
            .ok(201)["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.call(
            Method::PUT,
            &format!("/channels/{c}/permissions/{g}"),
            Some(&alice),
            Some(json!({"type": 0, "deny": deny})),
        )
        .await
        .ok(204);
        app.say(&alice, &c, &format!("needle in {name}")).await;
        hidden.push(c);
    }
    app.say(&alice, &general, "needle in general").await;

    // Act
    let for_alice = app
        .get(&guild_search(g, "content=needle"), &alice)
        .await
        .ok(200);
    let for_bob = app
        .get(&guild_search(g, "content=needle"), &bob)
        .await
        .ok(200);
    let asked = app
        .get(
            &guild_search(g, &format!("content=needle&channel_id={}", hidden[0])),
            &bob,
        )
        .await
        .ok(200);

    // Assert
    assert_eq!(for_alice["total_results"], 3);
    assert_eq!(contents(&for_bob), vec!["needle in general"]);
    assert_eq!(asked["total_results"], 0);
    app.get(
        &format!("/channels/{}/messages/search?content=needle", hidden[0]),
        &bob,
    )
    .await
    .assert_error(403, 50001);
    app.get(
        &format!("/channels/{}/messages/search?content=needle", hidden[1]),
        &bob,
    )
    .await
    .assert_error(403, 50013);
}

async fn a_channel_is_searched_alone_a_dm_included(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let bob_id = app.user_id(&bob).await;
    let (guild, general) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();
    let other = app
        .post(
            &format!("/guilds/{g}/channels"),
            &alice,
            json!({"name": "other"}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.say(&alice, &general, "shared word").await;
    app.say(&alice, &other, "shared word").await;
    let dm = app
        .post(
            "/users/@me/channels",
            &alice,
            json!({"recipient_id": bob_id}),
        )
        .await
        .ok(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.say(&alice, &dm, "private 秘密 word").await;

    // Act and assert
    let one = app
        .get(
            &format!("/channels/{other}/messages/search?content=shared"),
            &alice,
        )
        .await
        .ok(200);
    assert_eq!(one["total_results"], 1);
    assert_eq!(one["messages"][0][0]["channel_id"], other.as_str());
    let in_dm = app
        .get(
            &format!("/channels/{dm}/messages/search?content={}", enc("秘密")),
            &bob,
        )
        .await
        .ok(200);
    assert_eq!(contents(&in_dm), vec!["private 秘密 word"]);
    assert!(in_dm["messages"][0][0]
        .get("guild_id")
        .is_none_or(Value::is_null));
    let status = app
        .get(
            &format!("/channels/{dm}/messages/search?content=word"),
            &carol,
        )
        .await
        .status;
    assert!(status == 403 || status == 404, "{status}");
}

async fn a_guest_finds_only_the_messages_of_their_channel(app: &TestApp) {
    // Arrange: a guest admitted to #lounge only.
    let alice = app.register("alice").await;
    let guest = app.register("guest").await;
    let (guild, general) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();
    let lounge = app
        .post(
            &format!("/guilds/{g}/channels"),
            &alice,
            json!({"name": "lounge"}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let invite = app
        .post(
            &format!("/channels/{lounge}/invites"),
            &alice,
            json!({"hearth_guest": true, "hearth_guest_ttl": 3600}),
        )
        .await
        .ok(200);
    let code = invite["code"].as_str().unwrap();
    app.post(&format!("/invites/{code}"), &guest, json!({}))
        .await
        .ok(200);
    app.say(&alice, &general, "meeting notes").await;
    app.say(&alice, &lounge, "meeting room").await;

    // Act
    let found = app
        .get(&guild_search(g, "content=meeting"), &guest)
        .await
        .ok(200);

    // Assert
    assert_eq!(contents(&found), vec!["meeting room"]);
    app.get(
        &format!("/channels/{general}/messages/search?content=meeting"),
        &guest,
    )
    .await
    .assert_error(403, 50001);
}

async fn bad_parameters_and_places_out_of_reach_are_refused(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let carol = app.register("carol").await;
    let (guild, _) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();

    // Act and assert
    for (q, field, code) in [
        ("limit=0", "limit", "NUMBER_TYPE_MAX"),
        ("limit=26", "limit", "NUMBER_TYPE_MAX"),
        ("limit=x", "limit", "NUMBER_TYPE_COERCE"),
        ("offset=9976", "offset", "NUMBER_TYPE_MAX"),
        ("offset=-1", "offset", "NUMBER_TYPE_MAX"),
        ("sort_by=size", "sort_by", "BASE_TYPE_CHOICES"),
        ("sort_order=up", "sort_order", "BASE_TYPE_CHOICES"),
        ("has=gif", "has", "BASE_TYPE_CHOICES"),
        ("has=-gif", "has", "BASE_TYPE_CHOICES"),
        ("author_id=abc", "author_id", "NUMBER_TYPE_COERCE"),
        ("channel_id=1.5", "channel_id", "NUMBER_TYPE_COERCE"),
        ("min_id=x", "min_id", "NUMBER_TYPE_COERCE"),
        ("content=a%00b", "content", "STRING_CONTAINS_NUL"),
    ] {
        app.get(&guild_search(g, q), &alice)
            .await
            .assert_field_error(field, code);
    }
    let many: Vec<String> = (1..=101).map(|i| format!("author_id={i}")).collect();
    app.get(&guild_search(g, &many.join("&")), &alice)
        .await
        .assert_field_error("author_id", "BASE_TYPE_MAX_LENGTH");
    let long = "a".repeat(1025);
    app.get(&guild_search(g, &format!("content={long}")), &alice)
        .await
        .assert_field_error("content", "BASE_TYPE_MAX_LENGTH");
    app.get(&guild_search(g, "content=x"), &carol)
        .await
        .assert_error(403, 50001);
    app.get(&guild_search("1234", "content=x"), &alice)
        .await
        .assert_error(404, 10004);
    app.get("/channels/1234/messages/search?content=x", &alice)
        .await
        .assert_error(404, 10003);
    // Bots are not refused as bots (hearth lets them search): a bot that is no member is
    // answered as any non-member.
    let (_, bot) = app.bot(&alice, "finder").await;
    app.get(&guild_search(g, "content=x"), &bot)
        .await
        .assert_error(403, 50001);
}

//! Messages: posting, replies, nonces, history, editing, deleting, typing.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{ids, said, TestApp};

both!(
    a_posted_message_has_the_shape_clients_parse,
    message_bodies_are_checked,
    replies_reference_their_message,
    enforced_nonces_return_the_first_message,
    history_modes_are_newest_first_and_checked,
    only_authors_edit_and_authors_or_moderators_delete,
    only_members_read_post_or_type,
    slow_mode_spaces_a_members_messages_but_not_a_moderators,
);

async fn a_posted_message_has_the_shape_clients_parse(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let m = app
        .post(
            &format!("/channels/{general}/messages"),
            &owner,
            json!({"content": "hi", "nonce": 12345, "tts": false, "embeds": [{"title": "t"}]}),
        )
        .await
        .ok(200);
    for key in [
        "id",
        "channel_id",
        "type",
        "content",
        "author",
        "timestamp",
        "edited_timestamp",
        "tts",
        "mention_everyone",
        "mentions",
        "mention_roles",
        "attachments",
        "embeds",
        "components",
        "pinned",
        "flags",
    ] {
        assert!(m.get(key).is_some(), "message lacks {key}: {m}");
    }
    assert_eq!(
        (m["type"].as_i64(), m["channel_type"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(m["guild_id"], g["id"]);
    assert_eq!(m["nonce"], "12345");
    assert_eq!(m["embeds"][0]["type"], "rich");
    assert_eq!(m["author"]["username"], "owner");
    assert!(m["author"]["avatar"].is_null());
    let ts = m["timestamp"].as_str().unwrap();
    assert!(ts.ends_with("+00:00") && ts.len() == 32, "{ts}");
    assert!(m["edited_timestamp"].is_null());
    // The timestamp agrees with the id (clients derive times from ids).
    let id: u64 = m["id"].as_str().unwrap().parse().unwrap();
    let ms = (id >> 22) + 1_420_070_400_000;
    let secs = ms / 1000;
    assert!(
        ts.contains(&format!("{:02}.{:03}", secs % 60, ms % 1000)),
        "{ts} vs {ms}"
    );
    let fetched = app
        .get(
            &format!("/channels/{general}/messages/{}", m["id"].as_str().unwrap()),
            &owner,
        )
        .await
        .ok(200);
    assert_eq!(fetched, m);
    let channel = app
        .get(&format!("/channels/{general}"), &owner)
        .await
        .ok(200);
    assert_eq!(channel["last_message_id"], m["id"]);
}

async fn message_bodies_are_checked(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let path = format!("/channels/{general}/messages");
    app.post(&path, &owner, json!({"content": "x".repeat(2001)}))
        .await
        .assert_field_error("content", "BASE_TYPE_MAX_LENGTH");
    app.post(&path, &owner, json!({"content": "é".repeat(2000)}))
        .await
        .ok(200);
    app.post(&path, &owner, json!({}))
        .await
        .assert_error(400, 50006);
    app.post(&path, &owner, json!({"content": "   "}))
        .await
        .assert_error(400, 50006);
    app.post(
        &path,
        &owner,
        json!({"content": "n", "nonce": "x".repeat(26)}),
    )
    .await
    .assert_field_error("nonce", "BASE_TYPE_MAX_LENGTH");
    app.post(&path, &owner, json!({"content": "f", "flags": 64}))
        .await
        .assert_field_error("flags", "BASE_TYPE_INVALID");
    app.post(&path, &owner, json!({"content": "e", "embeds": ["no"]}))
        .await
        .assert_field_error("embeds.0", "MODEL_TYPE_CONVERT");
    app.post(&path, &owner, json!({"content": 5}))
        .await
        .assert_field_error("content", "BASE_TYPE_INVALID");
    app.raw(
        Method::POST,
        &format!("/api/v10{path}"),
        Some(&owner),
        b"{not json".to_vec(),
    )
    .await
    .assert_error(400, 50109);
    app.raw(
        Method::POST,
        &format!("/api/v10{path}"),
        Some(&owner),
        b"{\"content\":\"a\"} trailing".to_vec(),
    )
    .await
    .assert_error(400, 50109);
    let silent = app
        .post(&path, &owner, json!({"content": "shh", "flags": 4096}))
        .await
        .ok(200);
    assert_eq!(silent["flags"], 4096);
}

async fn replies_reference_their_message(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (g, general) = app.guild_with(&owner, &[&bob]).await;
    let path = format!("/channels/{general}/messages");
    let first = app.say(&owner, &general, "question?").await;
    let first_id: u64 = first["id"].as_str().unwrap().parse().unwrap();
    let reply = app
        .post(
            &path,
            &bob,
            json!({"content": "answer", "message_reference": {"message_id": first_id}}),
        )
        .await
        .ok(200);
    assert_eq!(reply["type"], 19);
    assert_eq!(reply["message_reference"]["message_id"], first["id"]);
    assert_eq!(reply["message_reference"]["channel_id"], general.as_str());
    assert_eq!(reply["message_reference"]["guild_id"], g["id"]);
    assert_eq!(reply["referenced_message"]["content"], "question?");
    // The reply survives its target's deletion, pointing at nothing.
    app.delete(&format!("{path}/{}", first["id"].as_str().unwrap()), &owner)
        .await
        .ok(204);
    let again = app
        .get(&format!("{path}/{}", reply["id"].as_str().unwrap()), &bob)
        .await
        .ok(200);
    assert!(again["referenced_message"].is_null());
    app.post(
        &path,
        &bob,
        json!({"content": "x", "message_reference": {"message_id": "1"}}),
    )
    .await
    .assert_field_error("message_reference", "REPLIES_UNKNOWN_MESSAGE");
    let plain = app.post(&path, &bob, json!({"content": "x", "message_reference": {"message_id": "1", "fail_if_not_exists": false}})).await.ok(200);
    assert_eq!(plain["type"], 0);
    app.post(
        &path,
        &bob,
        json!({"content": "x", "message_reference": {"message_id": "1", "channel_id": "2"}}),
    )
    .await
    .assert_error(400, 50035);
    app.post(
        &path,
        &bob,
        json!({"content": "x", "message_reference": {}}),
    )
    .await
    .assert_field_error("message_reference.message_id", "BASE_TYPE_REQUIRED");
}

async fn enforced_nonces_return_the_first_message(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (_, general) = app.guild_with(&owner, &[&bob]).await;
    let path = format!("/channels/{general}/messages");
    let body = json!({"content": "once", "nonce": "abc", "enforce_nonce": true});
    let a = app.post(&path, &owner, body.clone()).await.ok(200);
    let b = app.post(&path, &owner, body.clone()).await.ok(200);
    assert_eq!(a["id"], b["id"]);
    // Another author's nonce is theirs; without enforce_nonce a repeat posts again.
    let c = app.post(&path, &bob, body).await.ok(200);
    assert_ne!(c["id"], a["id"]);
    let d = app
        .post(&path, &owner, json!({"content": "once", "nonce": "abc"}))
        .await
        .ok(200);
    assert_ne!(d["id"], a["id"]);
    assert_eq!(
        said(&app.get(&format!("{path}?limit=10"), &owner).await.ok(200)).len(),
        3
    );
}

async fn history_modes_are_newest_first_and_checked(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let path = format!("/channels/{general}/messages");
    let mut sent = Vec::new();
    for i in 0..9 {
        sent.push(
            app.say(&owner, &general, &format!("m{i}")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let rev = |s: &[String]| s.iter().rev().cloned().collect::<Vec<_>>();
    assert_eq!(ids(&app.get(&path, &owner).await.ok(200)), rev(&sent));
    assert_eq!(
        ids(&app.get(&format!("{path}?limit=2"), &owner).await.ok(200)),
        rev(&sent[7..])
    );
    assert_eq!(
        ids(&app
            .get(&format!("{path}?before={}&limit=3", sent[4]), &owner)
            .await
            .ok(200)),
        rev(&sent[1..4])
    );
    assert_eq!(
        ids(&app
            .get(&format!("{path}?after={}&limit=3", sent[4]), &owner)
            .await
            .ok(200)),
        rev(&sent[5..8])
    );
    assert_eq!(
        ids(&app
            .get(&format!("{path}?after=0&limit=2"), &owner)
            .await
            .ok(200)),
        rev(&sent[..2])
    );
    assert_eq!(
        ids(&app
            .get(&format!("{path}?around={}&limit=5", sent[4]), &owner)
            .await
            .ok(200)),
        rev(&sent[2..7])
    );
    app.get(&format!("{path}?limit=0"), &owner)
        .await
        .assert_field_error("limit", "NUMBER_TYPE_MAX");
    app.get(&format!("{path}?limit=101"), &owner)
        .await
        .assert_field_error("limit", "NUMBER_TYPE_MAX");
    app.get(&format!("{path}?before=abc"), &owner)
        .await
        .assert_field_error("before", "BASE_TYPE_INVALID");
    app.get(&format!("{path}?before=1&after=2"), &owner)
        .await
        .assert_error(400, 50035);
    app.get("/channels/1/messages", &owner)
        .await
        .assert_error(404, 10003);
}

async fn only_authors_edit_and_authors_or_moderators_delete(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let (_, general) = app.guild_with(&owner, &[&bob, &carol]).await;
    let m = app.say(&bob, &general, "bob's").await;
    let path = format!("/channels/{general}/messages/{}", m["id"].as_str().unwrap());
    app.patch(&path, &owner, json!({"content": "owner's now"}))
        .await
        .assert_error(403, 50005);
    app.patch(&path, &bob, json!({"content": "x".repeat(2001)}))
        .await
        .assert_field_error("content", "BASE_TYPE_MAX_LENGTH");
    app.patch(&path, &bob, json!({"content": ""}))
        .await
        .assert_error(400, 50006);
    let e = app
        .patch(&path, &bob, json!({"content": "bob's, edited", "flags": 4}))
        .await
        .ok(200);
    assert_eq!(
        (e["content"].as_str(), e["flags"].as_i64()),
        (Some("bob's, edited"), Some(4))
    );
    assert!(e["edited_timestamp"].as_str().unwrap() > e["timestamp"].as_str().unwrap());
    app.patch(&path, &bob, json!({"flags": 64}))
        .await
        .assert_field_error("flags", "BASE_TYPE_INVALID");
    // Carol is a plain member: no MANAGE_MESSAGES. The owner holds every permission.
    app.delete(&path, &carol).await.assert_error(403, 50013);
    app.delete(&path, &owner).await.ok(204);
    app.delete(&path, &owner).await.assert_error(404, 10008);
    app.patch(&path, &bob, json!({"content": "ghost"}))
        .await
        .assert_error(404, 10008);
    let own = app.say(&carol, &general, "mine").await;
    app.delete(
        &format!(
            "/channels/{general}/messages/{}",
            own["id"].as_str().unwrap()
        ),
        &carol,
    )
    .await
    .ok(204);
    app.get(&format!("/channels/{general}/messages/1"), &carol)
        .await
        .assert_error(404, 10008);
}

async fn only_members_read_post_or_type(app: &TestApp) {
    let owner = app.register("owner").await;
    let stranger = app.register("stranger").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let m = app.say(&owner, &general, "private").await;
    let path = format!("/channels/{general}/messages");
    app.get(&path, &stranger).await.assert_error(403, 50001);
    app.post(&path, &stranger, json!({"content": "hi"}))
        .await
        .assert_error(403, 50001);
    app.get(&format!("{path}/{}", m["id"].as_str().unwrap()), &stranger)
        .await
        .assert_error(403, 50001);
    app.call(
        Method::POST,
        &format!("/channels/{general}/typing"),
        Some(&stranger),
        None,
    )
    .await
    .assert_error(403, 50001);
    app.call(
        Method::POST,
        &format!("/channels/{general}/typing"),
        Some(&owner),
        None,
    )
    .await
    .ok(204);
    app.call(
        Method::POST,
        &format!("/channels/{general}/typing"),
        None,
        None,
    )
    .await
    .assert_error(401, 0);
    app.call(Method::POST, "/channels/1/typing", Some(&owner), None)
        .await
        .assert_error(404, 10003);
    let cat = app
        .post(
            &format!("/guilds/{}/channels", g["id"].as_str().unwrap()),
            &owner,
            json!({"name": "c", "type": 4}),
        )
        .await
        .ok(201);
    app.post(
        &format!("/channels/{}/messages", cat["id"].as_str().unwrap()),
        &owner,
        json!({"content": "x"}),
    )
    .await
    .assert_error(400, 50024);
    app.call(Method::GET, &path, None, None)
        .await
        .assert_error(401, 0);
}

async fn slow_mode_spaces_a_members_messages_but_not_a_moderators(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (_, general) = app.guild_with(&owner, &[&bob]).await;
    app.patch(
        &format!("/channels/{general}"),
        &owner,
        json!({"rate_limit_per_user": 30}),
    )
    .await
    .ok(200);
    let path = format!("/channels/{general}/messages");
    app.post(&path, &bob, json!({"content": "first"}))
        .await
        .ok(200);
    let res = app.post(&path, &bob, json!({"content": "too soon"})).await;
    res.assert_error(429, 20016);
    let wait = res.body["retry_after"].as_f64().unwrap();
    assert!(wait > 25.0 && wait <= 30.0, "{wait}");
    assert_eq!(res.body["global"], false);
    // Deleting the message does not reset the wait.
    let mine = ids(&app.get(&format!("{path}?limit=1"), &bob).await.ok(200));
    app.delete(&format!("{path}/{}", mine[0]), &bob)
        .await
        .ok(204);
    app.post(&path, &bob, json!({"content": "still too soon"}))
        .await
        .assert_error(429, 20016);
    // The owner (MANAGE_MESSAGES, MANAGE_CHANNELS) is exempt; without slow mode Bob may post.
    app.post(&path, &owner, json!({"content": "one"}))
        .await
        .ok(200);
    app.post(&path, &owner, json!({"content": "two"}))
        .await
        .ok(200);
    app.patch(
        &format!("/channels/{general}"),
        &owner,
        json!({"rate_limit_per_user": 0}),
    )
    .await
    .ok(200);
    app.post(&path, &bob, json!({"content": "now"}))
        .await
        .ok(200);
}

#[tokio::test]
async fn a_slow_mode_answer_carries_the_headers_clients_wait_on() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (_, general) = app.guild_with(&owner, &[&bob]).await;
    app.patch(
        &format!("/channels/{general}"),
        &owner,
        json!({"rate_limit_per_user": 5}),
    )
    .await
    .ok(200);
    app.say(&bob, &general, "first").await;
    let res = app
        .client
        .post(format!("{}/api/v10/channels/{general}/messages", app.base))
        .header("Authorization", &bob)
        .json(&json!({"content": "second"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().get("via").is_some());
    let after: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=5).contains(&after), "{after}");
    assert_eq!(res.headers()["content-type"], "application/json");
    app.stop().await;
}

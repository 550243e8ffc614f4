//! Text holding U+0000 (which PostgreSQL cannot store) is refused alike on every database: 50035
//! naming the field, and nothing is written.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

both!(
    text_with_nul_is_refused_naming_the_field_and_nothing_changes,
    nul_in_a_query_a_path_or_a_reason_is_refused_too,
);

const CODE: &str = "STRING_CONTAINS_NUL";

async fn text_with_nul_is_refused_naming_the_field_and_nothing_changes(app: &TestApp) {
    // Registration and login, without a token.
    app.call(
        Method::POST,
        "/auth/register",
        None,
        Some(json!({"username": "alice", "password": "correct horse battery", "global_name": "Al\u{0}ice"})),
    )
    .await
    .assert_field_error("global_name", CODE);
    app.call(
        Method::POST,
        "/auth/login",
        None,
        Some(json!({"login": "ali\u{0}ce", "password": "correct horse battery"})),
    )
    .await
    .assert_field_error("login", CODE);
    let alice = app.register("alice").await;
    app.patch("/users/@me", &alice, json!({"global_name": "A\u{0}"}))
        .await
        .assert_field_error("global_name", CODE);
    let me = app.get("/users/@me", &alice).await.ok(200);
    assert_eq!(me["global_name"], Value::Null);

    // Guilds, channels, messages, applications.
    app.post("/guilds", &alice, json!({"name": "Ho\u{0}me"}))
        .await
        .assert_field_error("name", CODE);
    let guild = app.guild(&alice, "Home").await;
    let gid = guild["id"].as_str().unwrap();
    app.patch(&format!("/guilds/{gid}"), &alice, json!({"name": "X\u{0}"}))
        .await
        .assert_field_error("name", CODE);
    assert_eq!(
        app.get(&format!("/guilds/{gid}"), &alice).await.ok(200)["name"],
        "Home"
    );
    let channels = app
        .get(&format!("/guilds/{gid}/channels"), &alice)
        .await
        .ok(200);
    let cid = channels[0]["id"].as_str().unwrap().to_owned();
    app.patch(
        &format!("/channels/{cid}"),
        &alice,
        json!({"topic": "t\u{0}"}),
    )
    .await
    .assert_field_error("topic", CODE);
    app.post(
        &format!("/channels/{cid}/messages"),
        &alice,
        json!({"content": "hi\u{0}there"}),
    )
    .await
    .assert_field_error("content", CODE);
    app.post(
        &format!("/channels/{cid}/messages"),
        &alice,
        json!({"content": "hi", "nonce": "n\u{0}"}),
    )
    .await
    .assert_field_error("nonce", CODE);
    // Nested fields are named by their path.
    app.post(
        &format!("/channels/{cid}/messages"),
        &alice,
        json!({"content": "hi", "embeds": [{"title": "ok"}, {"title": "b\u{0}d"}]}),
    )
    .await
    .assert_field_error("embeds.1.title", CODE);
    let history = app
        .get(&format!("/channels/{cid}/messages"), &alice)
        .await
        .ok(200);
    assert_eq!(history, json!([]));
    app.post("/applications", &alice, json!({"name": "b\u{0}t"}))
        .await
        .assert_field_error("name", CODE);

    // The escape spelled out as text (a backslash, then `u0000`) is ordinary text.
    let m = app.say(&alice, &cid, "\\u0000").await;
    assert_eq!(m["content"], "\\u0000");
}

async fn nul_in_a_query_a_path_or_a_reason_is_refused_too(app: &TestApp) {
    let alice = app.register("alice").await;
    let guild = app.guild(&alice, "Home").await;
    let gid = guild["id"].as_str().unwrap();
    app.get(&format!("/guilds/{gid}/members?limit=5%00"), &alice)
        .await
        .assert_field_error("limit", CODE);
    app.get("/invites/ab%00cd", &alice)
        .await
        .assert_field_error("code", CODE);
    app.call_with_reason(
        Method::PATCH,
        &format!("/guilds/{gid}"),
        &alice,
        "because%00",
        Some(json!({"name": "Hall"})),
    )
    .await
    .assert_field_error("X-Audit-Log-Reason", CODE);
    assert_eq!(
        app.get(&format!("/guilds/{gid}"), &alice).await.ok(200)["name"],
        "Home"
    );
}

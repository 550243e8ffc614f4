//! Presence in depth: a dropped connection ends its presence (and a resume brings it back),
//! friends see each other's presence without sharing a guild, `last_seen_at` shows to those who
//! share a guild or are friends and never reveals time spent invisible, the instance's primary
//! guild takes every new account, and group DMs are renamed.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use std::time::Duration;

use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::TestApp;

both!(
    a_dropped_connection_ends_presence_until_the_session_resumes,
    friends_see_each_others_presence_without_a_guild,
    last_seen_shows_to_acquaintances_and_hides_invisible_time,
    a_group_dm_is_renamed_by_its_recipients,
);

/// `GET /users/{id}` as `viewer` sees it.
async fn profile(app: &TestApp, viewer: &str, id: &str) -> Value {
    app.get(&format!("/users/{id}"), viewer).await.ok(200)
}

/// Waits (bounded) until `viewer` sees a `last_seen_at` of `id` other than `before`.
async fn last_seen_after(app: &TestApp, viewer: &str, id: &str, before: &Value) -> Value {
    for _ in 0..100 {
        let seen = profile(app, viewer, id).await["last_seen_at"].clone();
        if !seen.is_null() && seen != *before {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("last_seen_at of {id} never moved from {before}");
}

async fn befriend(app: &TestApp, a: &str, b: &str, b_name: &str) {
    let a_id = app.user_id(a).await;
    app.post("/users/@me/relationships", a, json!({"username": b_name}))
        .await
        .ok(204);
    app.call(
        reqwest::Method::PUT,
        &format!("/users/@me/relationships/{a_id}"),
        Some(b),
        Some(json!({})),
    )
    .await
    .ok(204);
}

async fn a_dropped_connection_ends_presence_until_the_session_resumes(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    app.guild_with(&owner, &[&bob]).await;
    let bob_id = app.user_id(&bob).await;
    let (mut watcher, _) = Gw::identify(app, &owner, None).await;
    watcher.event("GUILD_CREATE").await;
    let (mut gw, ready) = Gw::identify(app, &bob, None).await;
    gw.event("GUILD_CREATE").await;
    assert_eq!(watcher.presence_of(&bob_id).await["status"], "online");
    // The network drops: no close frame. The session may still resume, but bob is offline
    // now, not when the resume window ends.
    let seq = gw.seq;
    gw.drop_connection().await;
    let p = watcher.presence_of(&bob_id).await;
    assert_eq!(p["status"], "offline");
    assert_eq!(p["client_status"], json!({}));
    let seen = last_seen_after(app, &owner, &bob_id, &Value::Null).await;
    // Resuming brings the same device back.
    let mut again = Gw::connect(app, "v=10&encoding=json").await;
    assert_eq!(again.recv().await["op"], 10);
    again.seq = seq;
    again
        .send(json!({"op": 6, "d": {"token": bob, "session_id": ready["session_id"], "seq": seq}}))
        .await;
    assert_eq!(again.event("RESUMED").await, json!({}));
    let p = watcher.presence_of(&bob_id).await;
    assert_eq!(p["status"], "online");
    assert_eq!(p["client_status"], json!({"desktop": "online"}));
    // Online again, the last time seen stays what it was until bob goes away again.
    assert_eq!(profile(app, &owner, &bob_id).await["last_seen_at"], seen);
}

async fn friends_see_each_others_presence_without_a_guild(app: &TestApp) {
    let ann = app.register("ann").await;
    let cat = app.register("cat").await;
    let dan = app.register("dan").await;
    let cat_id = app.user_id(&cat).await;
    befriend(app, &ann, &cat, "cat").await;
    let (mut c, _) = Gw::identify(app, &cat, None).await;
    c.send(
        json!({"op": 3, "d": {"status": "idle", "since": null, "activities": [], "afk": false}}),
    )
    .await;
    // Ann's READY lists her friends' presences (no guild: they share none).
    let mut listed = Value::Null;
    for _ in 0..100 {
        let (gw, ready) = Gw::identify(app, &ann, None).await;
        gw.drop_connection().await;
        if ready["presences"].as_array().is_some_and(|p| !p.is_empty()) {
            listed = ready["presences"].clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["user"]["id"], cat_id.as_str());
    assert_eq!(listed[0]["status"], "idle");
    assert!(listed[0].get("guild_id").is_none(), "{listed}");
    // Live: a friend's change arrives as PRESENCE_UPDATE without a guild; a stranger gets none.
    let (mut a, _) = Gw::identify(app, &ann, None).await;
    let (mut d, ready) = Gw::identify(app, &dan, None).await;
    assert_eq!(ready["presences"], json!([]));
    c.send(json!({"op": 3, "d": {"status": "dnd", "since": null, "activities": [], "afk": false}}))
        .await;
    let p = a.presence_of(&cat_id).await;
    assert_eq!(
        (p["status"].as_str(), p.get("guild_id")),
        (Some("dnd"), None)
    );
    // Invisible looks offline to friends too.
    c.send(json!({"op": 3, "d": {"status": "invisible", "since": null, "activities": [], "afk": false}}))
        .await;
    assert_eq!(a.presence_of(&cat_id).await["status"], "offline");
    d.quiet(300).await;
    // No longer friends: no more presence.
    app.delete(&format!("/users/@me/relationships/{cat_id}"), &ann)
        .await
        .ok(204);
    a.event("RELATIONSHIP_REMOVE").await;
    c.send(
        json!({"op": 3, "d": {"status": "online", "since": null, "activities": [], "afk": false}}),
    )
    .await;
    a.quiet(400).await;
    // Friends again: each is told the other's presence at once, without waiting for a change.
    befriend(app, &ann, &cat, "cat").await;
    let p = a.presence_of(&cat_id).await;
    assert_eq!(
        (p["status"].as_str(), p.get("guild_id")),
        (Some("online"), None)
    );
}

async fn last_seen_shows_to_acquaintances_and_hides_invisible_time(app: &TestApp) {
    let owner = app.register("owner").await;
    let eve = app.register("eve").await;
    let pal = app.register("pal").await;
    let stranger = app.register("stranger").await;
    app.guild_with(&owner, &[&eve]).await;
    befriend(app, &pal, &eve, "eve").await;
    let eve_id = app.user_id(&eve).await;
    // Never seen yet: no field.
    assert!(profile(app, &owner, &eve_id)
        .await
        .get("last_seen_at")
        .is_none());
    let (mut watcher, _) = Gw::identify(app, &owner, None).await;
    watcher.event("GUILD_CREATE").await;
    let (mut gw, _) = Gw::identify(app, &eve, None).await;
    gw.event("GUILD_CREATE").await;
    assert_eq!(watcher.presence_of(&eve_id).await["status"], "online");
    // Going invisible is the moment eve was last seen.
    gw.send(json!({"op": 3, "d": {"status": "invisible", "since": null, "activities": [], "afk": false}}))
        .await;
    let at_invisible = last_seen_after(app, &owner, &eve_id, &Value::Null).await;
    assert!(at_invisible.as_str().is_some_and(|t| t.contains('T')));
    // A friend sees it too; a stranger does not.
    assert_eq!(
        profile(app, &pal, &eve_id).await["last_seen_at"],
        at_invisible
    );
    let s = profile(app, &stranger, &eve_id).await;
    assert!(s.get("last_seen_at").is_none(), "{s}");
    assert_eq!(s["username"], "eve");
    // Leaving while invisible does not tell when.
    gw.drop_connection().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        profile(app, &owner, &eve_id).await["last_seen_at"],
        at_invisible
    );
    // Unknown user: 404 10013.
    app.get("/users/1", &owner).await.assert_error(404, 10013);
}

async fn a_group_dm_is_renamed_by_its_recipients(app: &TestApp) {
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let cat = app.register("cat").await;
    let out = app.register("out").await;
    let (bob_id, cat_id) = (app.user_id(&bob).await, app.user_id(&cat).await);
    let group = app
        .post(
            "/users/@me/channels",
            &ann,
            json!({"recipients": [bob_id, cat_id]}),
        )
        .await
        .ok(200);
    let id = group["id"].as_str().unwrap().to_owned();
    let (mut b, _) = Gw::identify(app, &bob, None).await;
    let (mut o, _) = Gw::identify(app, &out, None).await;
    // Any recipient renames it; each recipient gets CHANNEL_UPDATE.
    let renamed = app
        .patch(
            &format!("/channels/{id}"),
            &cat,
            json!({"name": "  trip  "}),
        )
        .await
        .ok(200);
    assert_eq!(
        (renamed["name"].as_str(), renamed["type"].as_u64()),
        (Some("trip"), Some(3))
    );
    let u = b.event("CHANNEL_UPDATE").await;
    assert_eq!(
        (u["id"].as_str(), u["name"].as_str()),
        (Some(id.as_str()), Some("trip"))
    );
    assert_eq!(
        app.get(&format!("/channels/{id}"), &ann).await.ok(200)["name"],
        "trip"
    );
    // An empty name clears it; no name changes nothing.
    let cleared = app
        .patch(&format!("/channels/{id}"), &ann, json!({"name": ""}))
        .await
        .ok(200);
    assert!(cleared["name"].is_null(), "{cleared}");
    assert!(b.event("CHANNEL_UPDATE").await["name"].is_null());
    let same = app
        .patch(&format!("/channels/{id}"), &ann, json!({"topic": "x"}))
        .await
        .ok(200);
    assert!(same["name"].is_null());
    // Refusals: too long, not a recipient, a DM, wrong type.
    app.patch(
        &format!("/channels/{id}"),
        &ann,
        json!({"name": "x".repeat(101)}),
    )
    .await
    .assert_field_error("name", "BASE_TYPE_BAD_LENGTH");
    app.patch(&format!("/channels/{id}"), &out, json!({"name": "mine"}))
        .await
        .assert_error(403, 50001);
    app.patch(&format!("/channels/{id}"), &ann, json!({"name": 5}))
        .await
        .assert_error(400, 50035);
    let dm = app
        .post("/users/@me/channels", &ann, json!({"recipient_id": bob_id}))
        .await
        .ok(200);
    app.patch(
        &format!("/channels/{}", dm["id"].as_str().unwrap()),
        &ann,
        json!({"name": "dm"}),
    )
    .await
    .assert_error(403, 50003);
    o.quiet(300).await;
}

/// With `primary_guild` set, every account signed up joins that guild (GUILD_MEMBER_ADD to its
/// members, GUILD_CREATE to the account) and cannot leave it; other guilds can still be left.
#[tokio::test]
async fn the_primary_guild_takes_every_new_account_and_none_leaves_it() {
    let mut dbs = vec![hearth_store::testing::TestDatabase::sqlite()];
    dbs.extend(hearth_store::testing::TestDatabase::postgres().await);
    for db in dbs {
        let first = TestApp::spawn_with(db, |_| {}).await;
        let owner = first.register("owner").await;
        let home = first.guild(&owner, "home").await;
        let home_id = hearth_core::GuildId(home["id"].as_str().unwrap().parse().unwrap());
        let app = first
            .restart_with(|c| c.primary_guild = Some(home_id))
            .await;
        let (mut watcher, _) = Gw::identify(&app, &owner, None).await;
        watcher.event("GUILD_CREATE").await;
        let newcomer = app.register("newcomer").await;
        let id = app.user_id(&newcomer).await;
        let added = watcher.event("GUILD_MEMBER_ADD").await;
        assert_eq!(added["user"]["id"], id.as_str());
        let guilds = app.get("/users/@me/guilds", &newcomer).await.ok(200);
        assert_eq!(guilds[0]["id"], home["id"]);
        let (_, ready) = Gw::identify(&app, &newcomer, None).await;
        assert_eq!(ready["guilds"][0]["id"], home["id"]);
        app.delete(
            &format!("/users/@me/guilds/{}", home["id"].as_str().unwrap()),
            &newcomer,
        )
        .await
        .assert_error(400, 50055);
        // A moderator may still remove someone from it.
        app.delete(
            &format!("/guilds/{}/members/{id}", home["id"].as_str().unwrap()),
            &owner,
        )
        .await
        .ok(204);
        app.stop().await;
    }
}

/// A primary guild id that names no guild does not stop anyone from signing up.
#[tokio::test]
async fn a_missing_primary_guild_is_skipped() {
    let db = hearth_store::testing::TestDatabase::sqlite();
    let app = TestApp::spawn_with(db, |c| {
        c.primary_guild = Some(hearth_core::GuildId(hearth_core::Snowflake(42)));
    })
    .await;
    let token = app.register("solo").await;
    assert_eq!(
        app.get("/users/@me/guilds", &token).await.ok(200),
        json!([])
    );
    app.stop().await;
}

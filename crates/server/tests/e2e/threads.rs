//! Threads over HTTP and the gateway: a thread from a message (the message flagged, a starter
//! message first, THREAD_CREATE and the thread's messages only to those who may view the
//! parent), a thread without a message (a THREAD_CREATED message in the parent), members
//! joining, leaving, added and removed, archiving and unarchiving (a message unarchives, a lock
//! refuses), the lists, GUILD_CREATE's threads, and the permissions threads take.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use reqwest::Method;
use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::{ids, Res, TestApp};

both!(
    a_thread_from_a_message_reaches_only_those_who_may_view_its_parent,
    a_thread_without_a_message_is_announced_in_its_parent,
    members_join_leave_and_are_added_and_removed,
    archiving_locking_and_posting_in_an_archived_thread,
    thread_permissions_come_from_the_parent_with_their_own_bits,
);

/// A text channel `name` of guild `g` that `hidden_from` (a user id) may not view.
async fn channel_hidden_from(
    app: &TestApp,
    owner: &str,
    g: &str,
    name: &str,
    hidden_from: &str,
) -> String {
    app.post(
        &format!("/guilds/{g}/channels"),
        owner,
        json!({"name": name, "permission_overwrites": [
            {"id": hidden_from, "type": 1, "deny": (1u64 << 10).to_string()}]}),
    )
    .await
    .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A guild of `owner` with `others` as members, whose @everyone may also start public threads
/// and post in threads (hearth's default @everyone permissions predate threads).
async fn guild_with_threads(app: &TestApp, owner: &str, others: &[&str]) -> (Value, String) {
    let (guild, general) = app.guild_with(owner, others).await;
    let g = guild["id"].as_str().unwrap();
    let bits = 104_324_673u64 | (1 << 35) | (1 << 38);
    app.patch(
        &format!("/guilds/{g}/roles/{g}"),
        owner,
        json!({"permissions": bits.to_string()}),
    )
    .await
    .ok(200);
    (guild, general)
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Res {
    app.call(Method::PUT, path, Some(token), Some(body)).await
}

/// Posts a message, answering the response whatever it is.
async fn say_status(app: &TestApp, token: &str, channel: &str) -> Res {
    app.post(
        &format!("/channels/{channel}/messages"),
        token,
        json!({"content": "hi"}),
    )
    .await
}

/// Starts a thread without a message in `channel`; answers it.
async fn start(app: &TestApp, token: &str, channel: &str, name: &str) -> Value {
    app.post(
        &format!("/channels/{channel}/threads"),
        token,
        json!({"name": name, "type": 11}),
    )
    .await
    .ok(201)
}

async fn a_thread_from_a_message_reaches_only_those_who_may_view_its_parent(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let (guild, _) = guild_with_threads(app, &alice, &[&bob, &carol]).await;
    let g = guild["id"].as_str().unwrap();
    let carol_id = app.user_id(&carol).await;
    let plans = channel_hidden_from(app, &alice, g, "plans", &carol_id).await;
    let m = app.say(&alice, &plans, "let us plan").await;
    let mid = m["id"].as_str().unwrap();
    let (mut bob_gw, _) = Gw::identify(app, &bob, None).await;
    let (mut carol_gw, _) = Gw::identify(app, &carol, Some(1 | (1 << 9))).await;
    bob_gw.event("GUILD_CREATE").await;
    carol_gw.event("GUILD_CREATE").await;

    // Act
    let t = app
        .post(
            &format!("/channels/{plans}/messages/{mid}/threads"),
            &alice,
            json!({"name": "  next steps ", "auto_archive_duration": 60}),
        )
        .await
        .ok(201);

    // Assert
    assert_eq!(t["id"], mid, "a thread from a message has the message's id");
    assert_eq!(
        (t["type"].as_i64(), t["parent_id"].as_str()),
        (Some(11), Some(plans.as_str()))
    );
    assert_eq!(t["name"], "next steps");
    assert_eq!(t["owner_id"], app.user_id(&alice).await);
    assert_eq!(t["member_count"], 1);
    let meta = &t["thread_metadata"];
    assert_eq!(
        (meta["archived"].as_bool(), meta["locked"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(meta["auto_archive_duration"], 60);
    assert!(meta["archive_timestamp"].is_string() && meta["create_timestamp"].is_string());
    let created = bob_gw.event("THREAD_CREATE").await;
    assert_eq!(
        (created["id"].as_str(), created["newly_created"].as_bool()),
        (Some(mid), Some(true))
    );
    assert_eq!(created["guild_id"], g);
    let starter = app
        .get(&format!("/channels/{plans}/messages/{mid}"), &alice)
        .await
        .ok(200);
    assert_eq!(starter["flags"].as_u64().unwrap() & 32, 32);
    let first = app
        .get(&format!("/channels/{mid}/messages"), &bob)
        .await
        .ok(200);
    assert_eq!(first[0]["type"], 21, "{first}");
    assert_eq!(first[0]["message_reference"]["message_id"], mid);
    let again = app
        .post(
            &format!("/channels/{plans}/messages/{mid}/threads"),
            &alice,
            json!({"name": "x"}),
        )
        .await;
    again.assert_error(400, 160_004);
    // Bob posts in the thread: alice's session receives it; carol, who cannot view the parent,
    // neither the thread nor its messages.
    let (mut alice_gw, _) = Gw::identify(app, &alice, None).await;
    let ready_guild = alice_gw.event("GUILD_CREATE").await;
    assert_eq!(ids(&ready_guild["threads"]), vec![mid.to_owned()]);
    let reply = app.say(&bob, mid, "count me in").await;
    assert_eq!(reply["channel_id"], mid);
    let seen = alice_gw.event("MESSAGE_CREATE").await;
    assert_eq!(
        (seen["id"].clone(), seen["channel_id"].as_str()),
        (reply["id"].clone(), Some(mid))
    );
    let got = bob_gw.event("MESSAGE_CREATE").await;
    assert_eq!(got["channel_id"], mid);
    carol_gw.quiet(300).await;
    app.get(&format!("/channels/{mid}"), &carol)
        .await
        .assert_error(403, 50001);
    say_status(app, &carol, mid).await.assert_error(403, 50001);
    drop((alice_gw, carol_gw));
    let (mut late, _) = Gw::identify(app, &carol, None).await;
    let carols = late.event("GUILD_CREATE").await;
    assert!(carols["threads"].as_array().unwrap().is_empty());
    let fetched = app.get(&format!("/channels/{mid}"), &bob).await.ok(200);
    assert_eq!(
        (fetched["id"].as_str(), fetched["message_count"].as_i64()),
        (Some(mid), Some(2))
    );
}

async fn a_thread_without_a_message_is_announced_in_its_parent(app: &TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (_, general) = guild_with_threads(app, &alice, &[&bob]).await;

    let t = start(app, &bob, &general, "ideas").await;

    let tid = t["id"].as_str().unwrap();
    assert_eq!(
        (t["type"].as_i64(), t["parent_id"].as_str()),
        (Some(11), Some(general.as_str()))
    );
    assert_eq!(t["thread_metadata"]["auto_archive_duration"], 1440);
    let latest = app
        .get(&format!("/channels/{general}/messages?limit=1"), &alice)
        .await
        .ok(200);
    assert_eq!(
        (latest[0]["type"].as_i64(), latest[0]["content"].as_str()),
        (Some(18), Some("ideas"))
    );
    let published = app.event("THREAD_CREATE").await;
    assert_eq!(published.data["id"], tid);
    // What is refused: a private thread, a bad name or period, a thread of a thread, a
    // category.
    let private = app
        .post(
            &format!("/channels/{general}/threads"),
            &bob,
            json!({"name": "p", "type": 12}),
        )
        .await;
    private.assert_field_error("type", "BASE_TYPE_CHOICES");
    let bad = app
        .post(
            &format!("/channels/{general}/threads"),
            &bob,
            json!({"name": "", "auto_archive_duration": 61}),
        )
        .await;
    bad.assert_field_error("auto_archive_duration", "BASE_TYPE_CHOICES");
    bad.assert_field_error("name", "BASE_TYPE_BAD_LENGTH");
    app.post(
        &format!("/channels/{tid}/threads"),
        &bob,
        json!({"name": "nested"}),
    )
    .await
    .assert_error(400, 50024);
    let unknown = app
        .post(
            &format!("/channels/{general}/messages/1/threads"),
            &bob,
            json!({"name": "x"}),
        )
        .await;
    unknown.assert_error(404, 10008);
}

async fn members_join_leave_and_are_added_and_removed(app: &TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let (_, general) = guild_with_threads(app, &alice, &[&bob, &carol]).await;
    let t = start(app, &alice, &general, "crew").await;
    let tid = t["id"].as_str().unwrap();
    let (bob_id, carol_id) = (app.user_id(&bob).await, app.user_id(&carol).await);
    let (mut bob_gw, _) = Gw::identify(app, &bob, None).await;
    bob_gw.event("GUILD_CREATE").await;
    let members = |who: &str| format!("/channels/{tid}/thread-members/{who}");

    put(app, &members("@me"), &bob, json!({})).await.ok(204);

    let mine = bob_gw.event("THREAD_MEMBER_UPDATE").await;
    assert_eq!(
        (mine["id"].as_str(), mine["user_id"].as_str()),
        (Some(tid), Some(bob_id.as_str()))
    );
    let update = bob_gw.event("THREAD_MEMBERS_UPDATE").await;
    assert_eq!(update["member_count"], 2);
    assert_eq!(update["added_members"][0]["user_id"], bob_id);
    let list = app
        .get(&format!("/channels/{tid}/thread-members"), &carol)
        .await
        .ok(200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(
        app.get(&members(&bob_id), &alice).await.ok(200)["user_id"],
        bob_id
    );
    // Bob adds carol; he may not remove her (MANAGE_THREADS); alice, the owner, may.
    put(app, &members(&carol_id), &bob, json!({})).await.ok(204);
    app.delete(&members(&carol_id), &bob)
        .await
        .assert_error(403, 50013);
    app.delete(&members(&carol_id), &alice).await.ok(204);
    let removed = bob_gw.event("THREAD_MEMBERS_UPDATE").await;
    let removed = if removed["removed_member_ids"].is_array() {
        removed
    } else {
        bob_gw.event("THREAD_MEMBERS_UPDATE").await
    };
    assert_eq!(removed["removed_member_ids"], json!([carol_id]));
    app.delete(&members("@me"), &bob).await.ok(204);
    app.get(&members(&bob_id), &alice)
        .await
        .assert_error(404, 10007);
    put(app, &members("1"), &alice, json!({}))
        .await
        .assert_error(404, 10007);
    app.get(&format!("/channels/{general}/thread-members"), &alice)
        .await
        .assert_error(400, 50024);
}

async fn archiving_locking_and_posting_in_an_archived_thread(app: &TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (guild, general) = guild_with_threads(app, &alice, &[&bob]).await;
    let g = guild["id"].as_str().unwrap();
    let t = start(app, &bob, &general, "old news").await;
    let tid = t["id"].as_str().unwrap();
    let (mut alice_gw, _) = Gw::identify(app, &alice, None).await;
    alice_gw.event("GUILD_CREATE").await;
    let thread = format!("/channels/{tid}");

    // The owner archives it.
    let archived = app
        .patch(&thread, &bob, json!({"archived": true}))
        .await
        .ok(200);
    assert_eq!(archived["thread_metadata"]["archived"], true);
    let told = alice_gw.event("THREAD_UPDATE").await;
    assert_eq!(told["thread_metadata"]["archived"], true);
    let active = app
        .get(&format!("/guilds/{g}/threads/active"), &alice)
        .await
        .ok(200);
    assert!(active["threads"].as_array().unwrap().is_empty());
    let old = app
        .get(
            &format!("/channels/{general}/threads/archived/public"),
            &alice,
        )
        .await
        .ok(200);
    assert_eq!(
        (ids(&old["threads"]), old["has_more"].as_bool()),
        (vec![tid.to_owned()], Some(false))
    );
    put(
        app,
        &format!("{thread}/thread-members/@me"),
        &alice,
        json!({}),
    )
    .await
    .assert_error(400, 50083);

    // A message unarchives it.
    app.say(&alice, tid, "still here").await;
    let told = alice_gw.event("THREAD_UPDATE").await;
    assert_eq!(told["thread_metadata"]["archived"], false);
    let active = app
        .get(&format!("/guilds/{g}/threads/active"), &bob)
        .await
        .ok(200);
    assert_eq!(ids(&active["threads"]), vec![tid.to_owned()]);
    assert_eq!(active["members"][0]["user_id"], app.user_id(&bob).await);

    // Locked (by a moderator: alice owns the guild), only moderators post or unarchive.
    app.patch(&thread, &bob, json!({"locked": true}))
        .await
        .assert_error(403, 50013);
    let locked = app
        .patch(
            &thread,
            &alice,
            json!({"locked": true, "archived": true, "name": "closed"}),
        )
        .await
        .ok(200);
    assert_eq!(
        (
            locked["name"].as_str(),
            locked["thread_metadata"]["locked"].as_bool()
        ),
        (Some("closed"), Some(true))
    );
    say_status(app, &bob, tid).await.assert_error(403, 160_005);
    app.patch(&thread, &bob, json!({"archived": false}))
        .await
        .assert_error(403, 160_005);
    app.patch(&thread, &alice, json!({"auto_archive_duration": 5}))
        .await
        .assert_field_error("auto_archive_duration", "BASE_TYPE_CHOICES");
    let reopened = app
        .patch(&thread, &alice, json!({"archived": false, "locked": false}))
        .await
        .ok(200);
    assert_eq!(reopened["thread_metadata"]["archived"], false);
    app.get(
        &format!("/channels/{general}/threads/archived/public?limit=0"),
        &alice,
    )
    .await
    .assert_field_error("limit", "NUMBER_TYPE_MAX");
    app.get(
        &format!("/channels/{general}/threads/archived/public?before=soon"),
        &alice,
    )
    .await
    .assert_field_error("before", "DATE_TIME_TYPE_PARSE");

    // Deleting it takes MANAGE_THREADS; THREAD_DELETE follows.
    app.delete(&thread, &bob).await.assert_error(403, 50013);
    assert_eq!(app.delete(&thread, &alice).await.ok(200)["id"], tid);
    let gone = alice_gw.event("THREAD_DELETE").await;
    assert_eq!(
        (gone["id"].as_str(), gone["parent_id"].as_str()),
        (Some(tid), Some(general.as_str()))
    );
    app.get(&thread, &alice).await.assert_error(404, 10003);
}

async fn thread_permissions_come_from_the_parent_with_their_own_bits(app: &TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (_, general) = guild_with_threads(app, &alice, &[&bob]).await;
    let bob_id = app.user_id(&bob).await;
    let t = start(app, &alice, &general, "quiet please").await;
    let tid = t["id"].as_str().unwrap();
    // Bob may post in the channel, not in its threads, and may not start one.
    let deny = (1u64 << 38) | (1u64 << 35);
    let path = format!("/channels/{general}/permissions/{bob_id}");
    let body = json!({"type": 1, "deny": deny.to_string(), "allow": "0"});
    put(app, &path, &alice, body).await.ok(204);

    app.say(&bob, &general, "fine here").await;
    say_status(app, &bob, tid).await.assert_error(403, 50013);
    app.post(
        &format!("/channels/{general}/threads"),
        &bob,
        json!({"name": "mine"}),
    )
    .await
    .assert_error(403, 50013);
    // Hiding the parent hides the thread.
    let body = json!({"type": 1, "deny": (1u64 << 10).to_string(), "allow": "0"});
    put(app, &path, &alice, body).await.ok(204);
    app.get(&format!("/channels/{tid}/messages"), &bob)
        .await
        .assert_error(403, 50001);
    put(
        app,
        &format!("/channels/{tid}/thread-members/@me"),
        &bob,
        json!({}),
    )
    .await
    .assert_error(403, 50001);
}

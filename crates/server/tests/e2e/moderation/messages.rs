//! Bulk deletes and moderators' deletes of single messages, with their events and audit
//! entries.

use reqwest::Method;
use serde_json::json;

use super::{audit, bulk_deletes, drained, give, id, old_message, role, send, MODERATOR};
use crate::gateway::Gw;
use crate::helpers::TestApp;

both!(
    bulk_delete_removes_recent_messages_of_the_channel_at_once,
    bulk_delete_checks_its_list_and_the_age_of_messages,
    a_moderator_deleting_someone_elses_message_is_audited,
);

async fn bulk_delete_removes_recent_messages_of_the_channel_at_once(app: &TestApp) {
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (g, general) = app.guild_with(&owner, &[&alice, &bob]).await;
    let gid = id(&g);
    let alice_id = app.user_id(&alice).await;
    let mods = role(app, &gid, &owner, "mods", MODERATOR).await;
    give(app, &gid, &owner, &alice_id, &mods).await;
    let talk = id(&app
        .post(
            &format!("/guilds/{gid}/channels"),
            &owner,
            json!({"name": "talk"}),
        )
        .await
        .ok(201));
    let m1 = id(&app.say(&bob, &general, "one").await);
    let m2 = id(&app.say(&bob, &general, "two").await);
    let m3 = id(&app.say(&owner, &general, "three").await);
    let left = id(&app.say(&bob, &general, "left").await);
    let elsewhere = id(&app.say(&bob, &talk, "elsewhere").await);
    let (mut gw, _) = Gw::identify(app, &bob, None).await;
    gw.event("GUILD_CREATE").await;
    app.drain_events().await;

    // Ids as strings and as numbers (discord.py); a repeat, an unknown (recent) id and another
    // channel's message are skipped.
    let unknown = (elsewhere.parse::<u64>().unwrap() + 1).to_string();
    let list = json!([m2, m1.parse::<u64>().unwrap(), m3, m1, unknown, elsewhere]);
    send(
        app,
        Method::POST,
        &format!("/channels/{general}/messages/bulk-delete"),
        &alice,
        Some("clean%20up"),
        Some("application/json"),
        Some(json!({"messages": list}).to_string().as_bytes()),
    )
    .await
    .ok(204);
    let mut want = vec![m1.clone(), m2.clone(), m3.clone()];
    want.sort();
    assert_eq!(
        bulk_deletes(app, 1).await,
        [(general.clone(), want.clone())]
    );
    let d = gw.event("MESSAGE_DELETE_BULK").await;
    assert_eq!(
        (d["channel_id"].as_str(), d["guild_id"].as_str()),
        (Some(general.as_str()), Some(gid.as_str()))
    );
    assert_eq!(d["ids"], json!(want));
    let history = app
        .get(&format!("/channels/{general}/messages"), &owner)
        .await
        .ok(200);
    assert_eq!(crate::helpers::said(&history), [left]);
    app.get(&format!("/channels/{talk}/messages/{elsewhere}"), &owner)
        .await
        .ok(200);

    let entry = &audit(app, &gid, &owner).await[0];
    assert_eq!(
        (
            entry["action_type"].as_i64(),
            entry["user_id"].as_str(),
            entry["target_id"].as_str(),
            entry["reason"].as_str()
        ),
        (
            Some(73),
            Some(alice_id.as_str()),
            Some(general.as_str()),
            Some("clean up")
        )
    );
    assert_eq!(entry["options"], json!({"count": "3"}));

    // Nothing left to delete: still 204, with no event and no entry.
    app.drain_events().await;
    app.post(
        &format!("/channels/{general}/messages/bulk-delete"),
        &alice,
        json!({"messages": [m1, m2]}),
    )
    .await
    .ok(204);
    assert!(drained(app).await.is_empty());
    assert_eq!(
        audit(app, &gid, &owner)
            .await
            .iter()
            .filter(|e| e["action_type"] == 73)
            .count(),
        1
    );
}

async fn bulk_delete_checks_its_list_and_the_age_of_messages(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let owner_id = app.user_id(&owner).await;
    let path = format!("/channels/{general}/messages/bulk-delete");
    let recent = id(&app.say(&owner, &general, "recent").await);
    let fresh = id(&app.say(&owner, &general, "fresh").await);
    let many: Vec<String> = (0..101).map(|i| (1_000_000 + i).to_string()).collect();
    for (body, field, code) in [
        (
            json!({"messages": [recent]}),
            "messages",
            "BASE_TYPE_MIN_LENGTH",
        ),
        (json!({"messages": []}), "messages", "BASE_TYPE_MIN_LENGTH"),
        (
            json!({"messages": many}),
            "messages",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (json!({}), "messages", "BASE_TYPE_REQUIRED"),
        (json!({"messages": "all"}), "messages", "BASE_TYPE_INVALID"),
        (
            json!({"messages": [true, false]}),
            "messages.0",
            "BASE_TYPE_INVALID",
        ),
        (
            json!({"messages": [recent, "x1"]}),
            "messages.1",
            "BASE_TYPE_INVALID",
        ),
        (
            json!({"messages": [recent, -3]}),
            "messages.1",
            "BASE_TYPE_INVALID",
        ),
    ] {
        app.post(&path, &owner, body)
            .await
            .assert_field_error(field, code);
    }
    let json_type = Some("application/json");
    send(
        app,
        Method::POST,
        &path,
        &owner,
        None,
        json_type,
        Some(b"{\"messages\": ["),
    )
    .await
    .assert_error(400, 50109);
    send(app, Method::POST, &path, &owner, None, None, None)
        .await
        .assert_field_error("messages", "BASE_TYPE_REQUIRED");

    // One message older than 14 days refuses the whole request.
    let old = old_message(app, &general, &owner_id, 15 * 24 * 3600).await;
    app.post(&path, &owner, json!({"messages": [recent, old]}))
        .await
        .assert_error(400, 50034);
    let almost = old_message(app, &general, &owner_id, 13 * 24 * 3600).await;
    for m in [&recent, &old, &almost] {
        app.get(&format!("/channels/{general}/messages/{m}"), &owner)
            .await
            .ok(200);
    }
    // Just under 14 days is accepted.
    app.post(&path, &owner, json!({"messages": [recent, almost]}))
        .await
        .ok(204);
    app.get(&format!("/channels/{general}/messages/{fresh}"), &owner)
        .await
        .ok(200);
}

async fn a_moderator_deleting_someone_elses_message_is_audited(app: &TestApp) {
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (g, general) = app.guild_with(&owner, &[&alice, &bob]).await;
    let gid = id(&g);
    let (alice_id, bob_id) = (app.user_id(&alice).await, app.user_id(&bob).await);
    let mods = role(app, &gid, &owner, "mods", MODERATOR).await;
    give(app, &gid, &owner, &alice_id, &mods).await;
    let before = audit(app, &gid, &owner).await.len();

    // One's own message: no entry.
    let own = id(&app.say(&bob, &general, "mine").await);
    app.delete(&format!("/channels/{general}/messages/{own}"), &bob)
        .await
        .ok(204);
    assert_eq!(audit(app, &gid, &owner).await.len(), before);
    // Without MANAGE_MESSAGES, someone else's: refused.
    let theirs = id(&app.say(&alice, &general, "alice's").await);
    app.delete(&format!("/channels/{general}/messages/{theirs}"), &bob)
        .await
        .assert_error(403, 50013);
    // A moderator's delete of Bob's message is recorded with Bob as the target.
    let m = id(&app.say(&bob, &general, "rude").await);
    send(
        app,
        Method::DELETE,
        &format!("/channels/{general}/messages/{m}"),
        &alice,
        Some("rude"),
        None,
        None,
    )
    .await
    .ok(204);
    let entries = audit(app, &gid, &owner).await;
    assert_eq!(entries.len(), before + 1);
    let e = &entries[0];
    assert_eq!(
        (
            e["action_type"].as_i64(),
            e["user_id"].as_str(),
            e["target_id"].as_str(),
            e["reason"].as_str()
        ),
        (
            Some(72),
            Some(alice_id.as_str()),
            Some(bob_id.as_str()),
            Some("rude")
        )
    );
    assert_eq!(e["options"], json!({"channel_id": general, "count": "1"}));
}

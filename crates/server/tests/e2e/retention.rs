//! Deletion and retention (hearth's extension), forwards and system messages: the rules' API
//! with its refusals and audit entries, a secret channel's deletes, the background purge of
//! old messages with MESSAGE_DELETE_BULK to the channel's viewers, forwards that copy the
//! forwarded message (and outlive it), and the join and rename messages.

use hearth_core::{MessageId, Snowflake, Timestamp};
use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::TestApp;

both!(
    channel_and_guild_rules_are_read_changed_and_refused_when_wrong,
    in_a_dm_any_recipient_sets_the_rules,
    a_deleted_message_is_gone_from_every_read_secret_or_not,
    forwards_copy_the_message_and_outlive_it,
    forwards_are_refused_without_access_or_with_content,
    a_join_posts_in_the_system_channel_and_a_group_rename_in_the_group,
);

/// Stores a message of `author` made `age_days` days ago in `channel` (as if posted then).
async fn old_message(app: &TestApp, channel: &str, author: &str, age_days: i64, text: &str) {
    let at = Timestamp::now().plus_seconds(-age_days * 86_400);
    let id = MessageId::from(Snowflake::from_unix_millis(at.0 as u64 / 1000));
    let message = hearth_store::Message {
        channel_id: channel.parse().unwrap(),
        id,
        author_id: author.parse().unwrap(),
        kind: 0,
        content: text.into(),
        nonce: None,
        tts: false,
        flags: 0,
        embeds: "[]".into(),
        reference_message_id: None,
        reference_channel_id: None,
        reference_guild_id: None,
        reference_kind: 0,
        edited_at: None,
        deleted_at: None,
        mention_user_ids: String::new(),
        mention_role_ids: String::new(),
        mention_everyone: false,
    };
    app.store().await.insert_message(&message).await.unwrap();
}

fn contents(history: &Value) -> Vec<&str> {
    history
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect()
}

async fn channel_and_guild_rules_are_read_changed_and_refused_when_wrong(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let outsider = app.register("outsider").await;
    let (guild, general) = app.guild_with(&owner, &[&member]).await;
    let gid = guild["id"].as_str().unwrap();
    let path = format!("/channels/{general}/retention");
    let read = app.get(&path, &member).await.ok(200);
    assert_eq!(
        read,
        json!({"channel_id": general, "secret": false, "retention_days": null,
            "guild_retention_days": null, "effective_retention_days": null})
    );
    app.get(&path, &outsider).await.assert_error(403, 50001);
    app.patch(&path, &member, json!({"secret": true}))
        .await
        .assert_error(403, 50013);
    for bad in [
        json!({"retention_days": 0}),
        json!({"retention_days": 36_501}),
    ] {
        app.patch(&path, &owner, bad)
            .await
            .assert_field_error("retention_days", "NUMBER_TYPE_MAX");
    }
    app.patch(&path, &owner, json!({"secret": "yes"}))
        .await
        .assert_error(400, 50035);
    let guild_path = format!("/guilds/{gid}/retention");
    app.patch(&guild_path, &member, json!({"retention_days": 30}))
        .await
        .assert_error(403, 50013);
    app.get(&guild_path, &outsider)
        .await
        .assert_error(403, 50001);
    let g = app
        .patch(&guild_path, &owner, json!({"retention_days": 30}))
        .await
        .ok(200);
    assert_eq!(g, json!({"guild_id": gid, "retention_days": 30}));
    let c = app
        .patch(&path, &owner, json!({"secret": true, "retention_days": 7}))
        .await
        .ok(200);
    assert_eq!(
        (c["secret"].clone(), c["retention_days"].clone()),
        (json!(true), json!(7))
    );
    assert_eq!(c["guild_retention_days"], 30);
    assert_eq!(c["effective_retention_days"], 7);
    // Left out stays; null removes the channel's own: the guild's applies.
    let c = app
        .patch(&path, &owner, json!({"retention_days": null}))
        .await
        .ok(200);
    assert_eq!(c["secret"], true);
    assert_eq!(c["effective_retention_days"], 30);
    assert_eq!(app.get(&guild_path, &member).await.ok(200), g);
    // A category holds no messages.
    let category = app
        .post(
            &format!("/guilds/{gid}/channels"),
            &owner,
            json!({"name": "topics", "type": 4}),
        )
        .await
        .ok(201);
    let cat = category["id"].as_str().unwrap();
    app.patch(
        &format!("/channels/{cat}/retention"),
        &owner,
        json!({"secret": true}),
    )
    .await
    .assert_error(400, 50024);
    // Both changes are in the audit log.
    let keys = audit_keys(app, gid, &owner).await;
    assert!(
        keys.contains(&(1, "hearth_retention_days".into())),
        "{keys:?}"
    );
    assert!(keys.contains(&(11, "hearth_secret".into())), "{keys:?}");
}

/// The (action, changed key) pairs of a guild's audit log.
async fn audit_keys(app: &TestApp, gid: &str, owner: &str) -> Vec<(i64, String)> {
    let log = app
        .get(&format!("/guilds/{gid}/audit-logs"), owner)
        .await
        .ok(200);
    log["audit_log_entries"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| {
            let action = e["action_type"].as_i64().unwrap();
            e["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |c| (action, c["key"].as_str().unwrap().to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn in_a_dm_any_recipient_sets_the_rules(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let outsider = app.register("outsider").await;
    // In a DM any recipient changes the rules.
    let member_id = app.user_id(&member).await;
    let dm = app
        .post(
            "/users/@me/channels",
            &owner,
            json!({"recipient_id": member_id}),
        )
        .await
        .ok(200);
    let dm_path = format!("/channels/{}/retention", dm["id"].as_str().unwrap());
    let d = app
        .patch(&dm_path, &member, json!({"retention_days": 1}))
        .await
        .ok(200);
    assert_eq!(d["effective_retention_days"], 1);
    assert_eq!(d["guild_retention_days"], Value::Null);
    app.get(&dm_path, &outsider).await.assert_error(403, 50001);
}

async fn a_deleted_message_is_gone_from_every_read_secret_or_not(app: &TestApp) {
    let owner = app.register("owner").await;
    let (guild, general) = app.guild_with(&owner, &[]).await;
    let gid = guild["id"].as_str().unwrap();
    let secret = app
        .post(
            &format!("/guilds/{gid}/channels"),
            &owner,
            json!({"name": "secret", "type": 0}),
        )
        .await
        .ok(201);
    let secret = secret["id"].as_str().unwrap();
    app.patch(
        &format!("/channels/{secret}/retention"),
        &owner,
        json!({"secret": true}),
    )
    .await
    .ok(200);
    for channel in [general.as_str(), secret] {
        let gone = app.say(&owner, channel, "gone").await;
        app.say(&owner, channel, "stays").await;
        let id = gone["id"].as_str().unwrap();
        let path = format!("/channels/{channel}/messages/{id}");
        app.delete(&path, &owner).await.ok(204);
        app.get(&path, &owner).await.assert_error(404, 10008);
        app.delete(&path, &owner).await.assert_error(404, 10008);
        let history = app
            .get(&format!("/channels/{channel}/messages"), &owner)
            .await
            .ok(200);
        assert!(!contents(&history).contains(&"gone"), "{history}");
        assert!(contents(&history).contains(&"stays"));
    }
}

async fn forwards_copy_the_message_and_outlive_it(app: &TestApp) {
    let owner = app.register("owner").await;
    let friend = app.register("friend").await;
    let (guild, general) = app.guild_with(&owner, &[&friend]).await;
    let gid = guild["id"].as_str().unwrap();
    let original = app.say(&friend, &general, "worth sharing").await;
    let oid = original["id"].as_str().unwrap();
    let friend_id = app.user_id(&friend).await;
    let dm = app
        .post(
            "/users/@me/channels",
            &owner,
            json!({"recipient_id": friend_id}),
        )
        .await
        .ok(200);
    let dm_id = dm["id"].as_str().unwrap();
    let (mut gw, _) = Gw::identify(app, &friend, None).await;
    let reference = json!({"type": 1, "message_id": oid, "channel_id": general, "guild_id": gid});
    let forward = app
        .post(
            &format!("/channels/{dm_id}/messages"),
            &owner,
            json!({"message_reference": reference}),
        )
        .await
        .ok(200);
    assert_eq!(forward["content"], "");
    assert_eq!(forward["type"], 0);
    assert_eq!(forward["flags"].as_i64().unwrap() & (1 << 14), 1 << 14);
    assert_eq!(forward["message_reference"]["type"], 1);
    assert_eq!(forward["message_reference"]["message_id"], oid);
    assert_eq!(forward["message_reference"]["channel_id"], general.as_str());
    let snapshot = &forward["message_snapshots"][0]["message"];
    assert_eq!(snapshot["content"], "worth sharing");
    assert_eq!(snapshot["timestamp"], original["timestamp"]);
    assert!(forward.get("referenced_message").is_none());
    let seen = gw.event("MESSAGE_CREATE").await;
    assert_eq!(seen["id"], forward["id"]);
    assert_eq!(
        seen["message_snapshots"][0]["message"]["content"],
        "worth sharing"
    );
    // The original deleted, the forward keeps its copy.
    app.delete(&format!("/channels/{general}/messages/{oid}"), &friend)
        .await
        .ok(204);
    let fid = forward["id"].as_str().unwrap();
    let again = app
        .get(&format!("/channels/{dm_id}/messages/{fid}"), &friend)
        .await
        .ok(200);
    assert_eq!(
        again["message_snapshots"][0]["message"]["content"],
        "worth sharing"
    );
    // Its text cannot be edited; it can be deleted like any message.
    app.patch(
        &format!("/channels/{dm_id}/messages/{fid}"),
        &owner,
        json!({"content": "changed"}),
    )
    .await
    .assert_field_error("content", "FORWARD_CANNOT_HAVE_CONTENT");
    app.delete(&format!("/channels/{dm_id}/messages/{fid}"), &owner)
        .await
        .ok(204);
}

async fn forwards_are_refused_without_access_or_with_content(app: &TestApp) {
    let owner = app.register("owner").await;
    let other = app.register("other").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let (_, elsewhere) = app.guild_with(&other, &[]).await;
    let private = app.say(&owner, &general, "members only").await;
    let pid = private["id"].as_str().unwrap();
    let forward = |channel: &str, message: &str| json!({"message_reference": {"type": 1, "message_id": message, "channel_id": channel}});
    // A message of a guild the caller is not in reads as unknown.
    app.post(
        &format!("/channels/{elsewhere}/messages"),
        &other,
        forward(&general, pid),
    )
    .await
    .assert_field_error("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE");
    let mine = app.say(&other, &elsewhere, "mine").await;
    let mid = mine["id"].as_str().unwrap();
    // Unknown message, no channel given, content beside the forward.
    let path = format!("/channels/{elsewhere}/messages");
    app.post(&path, &other, forward(&elsewhere, "1"))
        .await
        .assert_field_error("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE");
    app.post(
        &path,
        &other,
        json!({"message_reference": {"type": 1, "message_id": mid}}),
    )
    .await
    .assert_field_error("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE");
    let mut with_text = forward(&elsewhere, mid);
    with_text["content"] = json!("look");
    app.post(&path, &other, with_text)
        .await
        .assert_field_error("content", "FORWARD_CANNOT_HAVE_CONTENT");
    app.post(
        &path,
        &other,
        json!({"message_reference": {"type": 2, "message_id": mid}}),
    )
    .await
    .assert_error(400, 50035);
    // Forwarding within reach works.
    app.post(&path, &other, forward(&elsewhere, mid))
        .await
        .ok(200);
}

async fn a_join_posts_in_the_system_channel_and_a_group_rename_in_the_group(app: &TestApp) {
    let owner = app.register("owner").await;
    let newcomer = app.register("newcomer").await;
    let (_, general) = app.guild_with(&owner, &[&newcomer]).await;
    let newcomer_id = app.user_id(&newcomer).await;
    let history = app
        .get(&format!("/channels/{general}/messages"), &owner)
        .await
        .ok(200);
    let joins: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == 7)
        .collect();
    assert_eq!(joins.len(), 1, "{history}");
    assert_eq!(joins[0]["author"]["id"], newcomer_id.as_str());
    assert_eq!(joins[0]["content"], "");

    let third = app.register("third").await;
    let ids = [app.user_id(&newcomer).await, app.user_id(&third).await];
    let group = app
        .post("/users/@me/channels", &owner, json!({"recipients": ids}))
        .await
        .ok(200);
    let group_id = group["id"].as_str().unwrap();
    let (mut gw, _) = Gw::identify(app, &third, None).await;
    app.patch(
        &format!("/channels/{group_id}"),
        &newcomer,
        json!({"name": "weekend plans"}),
    )
    .await
    .ok(200);
    let posted = gw.event("MESSAGE_CREATE").await;
    assert_eq!(posted["type"], 4);
    assert_eq!(posted["content"], "weekend plans");
    assert_eq!(posted["author"]["id"], newcomer_id.as_str());
    assert_eq!(posted["channel_id"], group_id);
}

async fn the_purge_removes_expired_messages_and_announces_them(app: &TestApp) {
    let owner = app.register("owner").await;
    let (guild, general) = app.guild_with(&owner, &[]).await;
    let gid = guild["id"].as_str().unwrap();
    let owner_id = app.user_id(&owner).await;
    old_message(app, &general, &owner_id, 40, "very old").await;
    old_message(app, &general, &owner_id, 10, "old").await;
    app.say(&owner, &general, "new").await;
    let (mut gw, _) = Gw::identify(app, &owner, None).await;
    app.patch(
        &format!("/guilds/{gid}/retention"),
        &owner,
        json!({"retention_days": 30}),
    )
    .await
    .ok(200);
    let bulk = gw.event("MESSAGE_DELETE_BULK").await;
    assert_eq!(bulk["channel_id"], general.as_str());
    assert_eq!(bulk["ids"].as_array().unwrap().len(), 1);
    let history = app
        .get(&format!("/channels/{general}/messages"), &owner)
        .await
        .ok(200);
    assert_eq!(contents(&history), ["new", "old"]);
    // A channel's own, shorter retention wins over the guild's.
    app.patch(
        &format!("/channels/{general}/retention"),
        &owner,
        json!({"retention_days": 5}),
    )
    .await
    .ok(200);
    let bulk = gw.event("MESSAGE_DELETE_BULK").await;
    assert_eq!(bulk["ids"].as_array().unwrap().len(), 1);
    let history = app
        .get(&format!("/channels/{general}/messages"), &owner)
        .await
        .ok(200);
    assert_eq!(contents(&history), ["new"]);
}

mod purge {
    use hearth_store::testing::TestDatabase;

    use crate::helpers::TestApp;

    #[tokio::test]
    async fn sqlite() {
        let app = TestApp::spawn_with(TestDatabase::sqlite(), |c| {
            c.retention.purge_interval_secs = 1;
        })
        .await;
        super::the_purge_removes_expired_messages_and_announces_them(&app).await;
        app.stop().await;
    }

    #[tokio::test]
    async fn postgres() {
        let Some(db) = TestDatabase::postgres().await else {
            return;
        };
        let app = TestApp::spawn_with(db, |c| c.retention.purge_interval_secs = 1).await;
        super::the_purge_removes_expired_messages_and_announces_them(&app).await;
        app.stop().await;
    }
}

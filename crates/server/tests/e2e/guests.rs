//! Guests and member kinds, default channels and channel counters (hearth's extensions): a
//! guest invite admitting a guest who sees only their channel (REST, GUILD_CREATE, message
//! fan-out), a guest made a member, the expiry sweep, every refusal, default channels and the
//! counters.

use hearth_protocol::events::Audience;
use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::{ids, Backend, TestApp};

both!(
    a_guest_invite_admits_a_guest_who_sees_only_their_channel,
    a_guest_made_a_member_sees_every_channel_and_loses_the_expiry,
    guest_changes_and_guest_invites_are_refused_when_wrong,
    default_channels_are_set_checked_and_sent,
    channel_counters_count_viewers_guests_and_messages,
);

/// A guild of `owner` with a second text channel; returns (guild id, general, lounge).
async fn two_channels(app: &TestApp, owner: &str) -> (String, String, String) {
    let (guild, general) = app.guild_with(owner, &[]).await;
    let gid = guild["id"].as_str().unwrap().to_owned();
    let lounge = app
        .post(
            &format!("/guilds/{gid}/channels"),
            owner,
            json!({"name": "lounge", "type": 0}),
        )
        .await
        .ok(201);
    (gid, general, lounge["id"].as_str().unwrap().to_owned())
}

/// Makes a guest invite to `channel` and has `guest` join by it; returns the invite.
async fn admit(app: &TestApp, owner: &str, channel: &str, guest: &str, ttl: i64) -> Value {
    let invite = app
        .post(
            &format!("/channels/{channel}/invites"),
            owner,
            json!({"hearth_guest": true, "hearth_guest_ttl": ttl}),
        )
        .await
        .ok(200);
    assert_eq!(invite["hearth_guest"], true);
    assert_eq!(invite["hearth_guest_ttl"], ttl);
    let code = invite["code"].as_str().unwrap();
    app.post(&format!("/invites/{code}"), guest, json!({}))
        .await
        .ok(200);
    invite
}

async fn a_guest_invite_admits_a_guest_who_sees_only_their_channel(app: &TestApp) {
    let owner = app.register("owner").await;
    let (gid, general, lounge) = two_channels(app, &owner).await;
    let guest = app.register("visitor").await;
    let guest_id = app.user_id(&guest).await;
    let (mut guest_gw, _) = Gw::identify(app, &guest, None).await;
    app.drain_events().await;
    admit(app, &owner, &general, &guest, 3600).await;

    let added = app.event("GUILD_MEMBER_ADD").await;
    assert_eq!(added.data["hearth_kind"], "guest");
    assert!(added.data["hearth_guest_expires_at"].is_string());
    let update = app.event("CHANNEL_UPDATE").await;
    assert_eq!(update.data["id"], general.as_str());
    // The guest's session gets the guild with their one channel.
    let created = guest_gw.event("GUILD_CREATE").await;
    assert_eq!(ids(&created["channels"]), [general.as_str()]);
    assert_eq!(created["hearth_default_channel_ids"], json!([]));

    let member = app
        .get(&format!("/guilds/{gid}/members/{guest_id}"), &owner)
        .await
        .ok(200);
    assert_eq!(member["hearth_kind"], "guest");
    let owner_member = app
        .get(
            &format!("/guilds/{gid}/members/{}", app.user_id(&owner).await),
            &owner,
        )
        .await
        .ok(200);
    assert_eq!(owner_member["hearth_kind"], "member");
    assert_eq!(owner_member["hearth_guest_expires_at"], Value::Null);

    // Over REST: only their channel exists for them.
    let listed = app
        .get(&format!("/guilds/{gid}/channels"), &guest)
        .await
        .ok(200);
    assert_eq!(ids(&listed), [general.as_str()]);
    app.get(&format!("/channels/{lounge}"), &guest)
        .await
        .assert_error(403, 50001);
    app.post(
        &format!("/channels/{lounge}/messages"),
        &guest,
        json!({"content": "hi"}),
    )
    .await
    .assert_error(403, 50001);
    app.say(&guest, &general, "hello from a guest").await;

    // On the gateway: messages of the lounge never reach them, those of general do.
    app.say(&owner, &lounge, "members only").await;
    app.say(&owner, &general, "welcome").await;
    let m = guest_gw.event("MESSAGE_CREATE").await;
    let m = if m["content"] == "hello from a guest" {
        guest_gw.event("MESSAGE_CREATE").await
    } else {
        m
    };
    assert_eq!(m["content"], "welcome");
}

async fn a_guest_made_a_member_sees_every_channel_and_loses_the_expiry(app: &TestApp) {
    let owner = app.register("owner").await;
    let (gid, general, lounge) = two_channels(app, &owner).await;
    let guest = app.register("visitor").await;
    let guest_id = app.user_id(&guest).await;
    admit(app, &owner, &general, &guest, 0).await;
    let (mut guest_gw, _) = Gw::identify(app, &guest, None).await;
    let created = guest_gw.event("GUILD_CREATE").await;
    assert_eq!(ids(&created["channels"]), [general.as_str()]);

    // An expiry first, then full membership.
    let soon = hearth_core::Timestamp::now().plus_seconds(3600).to_iso();
    let path = format!("/guilds/{gid}/members/{guest_id}");
    let m = app
        .patch(&path, &owner, json!({"hearth_guest_expires_at": soon}))
        .await
        .ok(200);
    assert_eq!(m["hearth_kind"], "guest");
    assert!(m["hearth_guest_expires_at"].is_string());
    app.drain_events().await;
    let m = app
        .patch(&path, &owner, json!({"hearth_kind": "member"}))
        .await
        .ok(200);
    assert_eq!(
        (&m["hearth_kind"], &m["hearth_guest_expires_at"]),
        (&json!("member"), &Value::Null)
    );
    let e = app.event("GUILD_MEMBER_UPDATE").await;
    assert_eq!(e.data["hearth_kind"], "member");
    // The lounge appears to them.
    let c = guest_gw.event("CHANNEL_CREATE").await;
    assert_eq!(c["id"], lounge.as_str());
    let listed = app
        .get(&format!("/guilds/{gid}/channels"), &guest)
        .await
        .ok(200);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    app.say(&guest, &lounge, "in at last").await;

    let log = app
        .get(&format!("/guilds/{gid}/audit-logs?action_type=24"), &owner)
        .await
        .ok(200);
    let keys: Vec<&str> = log["audit_log_entries"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["changes"].as_array().unwrap())
        .filter_map(|c| c["key"].as_str())
        .collect();
    assert!(keys.contains(&"hearth_kind"), "{log}");
    assert!(keys.contains(&"hearth_guest_expires_at"), "{log}");

    // And back to a guest: the lounge goes again.
    app.patch(&path, &owner, json!({"hearth_kind": "guest"}))
        .await
        .ok(200);
    let gone = guest_gw.event("CHANNEL_DELETE").await;
    assert_eq!(gone["id"], lounge.as_str());
}

async fn guest_changes_and_guest_invites_are_refused_when_wrong(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (guild, general) = app.guild_with(&owner, &[&bob]).await;
    let gid = guild["id"].as_str().unwrap();
    let bob_id = app.user_id(&bob).await;
    let owner_id = app.user_id(&owner).await;
    let invites = format!("/channels/{general}/invites");
    // Bob may make invites, not guest invites (MANAGE_GUILD).
    app.post(&invites, &bob, json!({})).await.ok(200);
    app.post(&invites, &bob, json!({"hearth_guest": true}))
        .await
        .assert_error(403, 50013);
    for (body, code) in [
        (
            json!({"hearth_guest": true, "hearth_guest_ttl": -1}),
            "NUMBER_TYPE_MAX",
        ),
        (
            json!({"hearth_guest": true, "hearth_guest_ttl": 31_536_001}),
            "NUMBER_TYPE_MAX",
        ),
        (json!({"hearth_guest_ttl": 60}), "GUEST_ONLY"),
    ] {
        app.post(&invites, &owner, body)
            .await
            .assert_field_error("hearth_guest_ttl", code);
    }
    app.post(&invites, &owner, json!({"hearth_guest": "yes"}))
        .await
        .assert_error(400, 50035);

    let path = format!("/guilds/{gid}/members/{bob_id}");
    let soon = hearth_core::Timestamp::now().plus_seconds(60).to_iso();
    // Bob cannot make himself or anyone a guest (MANAGE_GUILD), nor the owner be made one.
    app.patch(&path, &bob, json!({"hearth_kind": "guest"}))
        .await
        .assert_error(403, 50013);
    app.patch(
        &format!("/guilds/{gid}/members/{owner_id}"),
        &owner,
        json!({"hearth_kind": "guest"}),
    )
    .await
    .assert_error(403, 50013);
    app.patch(&path, &owner, json!({"hearth_kind": "bot"}))
        .await
        .assert_field_error("hearth_kind", "MEMBER_KIND_INVALID");
    app.patch(&path, &owner, json!({"hearth_kind": "alien"}))
        .await
        .assert_error(400, 50035);
    // Only a guest has an expiry, and it lies ahead, within a year.
    app.patch(&path, &owner, json!({"hearth_guest_expires_at": soon}))
        .await
        .assert_field_error("hearth_guest_expires_at", "GUEST_ONLY");
    let past = hearth_core::Timestamp::now().plus_seconds(-60).to_iso();
    let far = hearth_core::Timestamp::now()
        .plus_seconds(2 * 365 * 24 * 3600)
        .to_iso();
    for (when, code) in [
        (json!(past), "DATE_TIME_TYPE_PAST"),
        (json!(far), "DATE_TIME_TYPE_TOO_FAR"),
        (json!("tomorrow"), "DATE_TIME_TYPE_PARSE"),
    ] {
        app.patch(
            &path,
            &owner,
            json!({"hearth_kind": "guest", "hearth_guest_expires_at": when}),
        )
        .await
        .assert_field_error("hearth_guest_expires_at", code);
    }
    // Nothing changed by the refusals.
    let m = app.get(&path, &owner).await.ok(200);
    assert_eq!(m["hearth_kind"], "member");
    // A bot stays a bot.
    let (app_id, bot) = app.bot(&owner, "helper").await;
    app.post(
        &format!("/oauth2/authorize?client_id={app_id}&scope=bot"),
        &owner,
        json!({"guild_id": gid, "authorize": true}),
    )
    .await
    .ok(200);
    let bot_path = format!("/guilds/{gid}/members/{}", app.user_id(&bot).await);
    let m = app.get(&bot_path, &owner).await.ok(200);
    assert_eq!(m["hearth_kind"], "bot");
    app.patch(&bot_path, &owner, json!({"hearth_kind": "guest"}))
        .await
        .assert_field_error("hearth_kind", "MEMBER_KIND_INVALID");
}

async fn default_channels_are_set_checked_and_sent(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (gid, general, lounge) = two_channels(app, &owner).await;
    let path = format!("/guilds/{gid}");
    let g = app.get(&path, &owner).await.ok(200);
    assert_eq!(g["hearth_default_channel_ids"], json!([]));
    app.drain_events().await;
    let g = app
        .patch(
            &path,
            &owner,
            json!({"hearth_default_channel_ids": [lounge, general]}),
        )
        .await
        .ok(200);
    assert_eq!(g["hearth_default_channel_ids"], json!([lounge, general]));
    let e = app.event("GUILD_UPDATE").await;
    assert_eq!(
        e.data["hearth_default_channel_ids"],
        json!([lounge, general])
    );
    let log = app
        .get(&format!("/guilds/{gid}/audit-logs?action_type=1"), &owner)
        .await
        .ok(200);
    assert_eq!(
        log["audit_log_entries"][0]["changes"][0]["key"],
        "hearth_default_channel_ids"
    );
    // A new member's GUILD_CREATE carries them.
    let invite = app
        .post(&format!("/channels/{general}/invites"), &owner, json!({}))
        .await
        .ok(200);
    let (mut bob_gw, _) = Gw::identify(app, &bob, None).await;
    let code = invite["code"].as_str().unwrap();
    app.post(&format!("/invites/{code}"), &bob, json!({}))
        .await
        .ok(200);
    let created = bob_gw.event("GUILD_CREATE").await;
    assert_eq!(
        created["hearth_default_channel_ids"],
        json!([lounge, general])
    );

    // Refusals: not MANAGE_GUILD; a category, an unknown id, too many; nothing changes.
    app.patch(&path, &bob, json!({"hearth_default_channel_ids": []}))
        .await
        .assert_error(403, 50013);
    let category = app
        .post(
            &format!("/guilds/{gid}/channels"),
            &owner,
            json!({"name": "Talk", "type": 4}),
        )
        .await
        .ok(201);
    let bad = [
        json!([general, category["id"]]),
        json!([general, "123456789012345678"]),
    ];
    for list in bad {
        app.patch(&path, &owner, json!({ "hearth_default_channel_ids": list }))
            .await
            .assert_field_error("hearth_default_channel_ids.1", "CHANNEL_INVALID");
    }
    let many = vec![general.clone(); 11];
    app.patch(&path, &owner, json!({ "hearth_default_channel_ids": many }))
        .await
        .assert_field_error("hearth_default_channel_ids", "BASE_TYPE_MAX_LENGTH");
    app.patch(
        &path,
        &owner,
        json!({"hearth_default_channel_ids": "general"}),
    )
    .await
    .assert_error(400, 50035);
    let g = app.get(&path, &bob).await.ok(200);
    assert_eq!(g["hearth_default_channel_ids"], json!([lounge, general]));
    // A deleted channel leaves the list.
    app.delete(&format!("/channels/{lounge}"), &owner)
        .await
        .ok(200);
    let g = app.get(&path, &owner).await.ok(200);
    assert_eq!(g["hearth_default_channel_ids"], json!([general]));
}

async fn channel_counters_count_viewers_guests_and_messages(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (gid, general, lounge) = two_channels(app, &owner).await;
    let invite = app
        .post(&format!("/channels/{general}/invites"), &owner, json!({}))
        .await
        .ok(200);
    let code = invite["code"].as_str().unwrap();
    app.post(&format!("/invites/{code}"), &bob, json!({}))
        .await
        .ok(200);
    let guest = app.register("visitor").await;
    admit(app, &owner, &general, &guest, 0).await;
    let counters = |c: &Value| c["hearth_counters"].clone();

    let fresh = app
        .get(&format!("/channels/{lounge}"), &owner)
        .await
        .ok(200);
    assert_eq!(
        counters(&fresh),
        json!({"members": 2, "guests": 0, "messages": 0, "last_activity_at": null})
    );
    let first = app.say(&bob, &general, "one").await;
    app.say(&guest, &general, "two").await;
    let last = app.say(&owner, &general, "three").await;
    app.delete(
        &format!(
            "/channels/{general}/messages/{}",
            first["id"].as_str().unwrap()
        ),
        &bob,
    )
    .await
    .ok(204);
    let g = app
        .get(&format!("/channels/{general}"), &guest)
        .await
        .ok(200);
    let c = counters(&g);
    assert_eq!((&c["members"], &c["guests"]), (&json!(3), &json!(1)));
    // Bob's join message and the two written.
    assert_eq!(c["messages"], 3);
    let at = hearth_core::Timestamp::parse_iso(c["last_activity_at"].as_str().unwrap()).unwrap();
    let sent = hearth_core::Timestamp::parse_iso(last["timestamp"].as_str().unwrap()).unwrap();
    assert!((at.0 - sent.0).abs() < 1000, "{c} vs {last}");
    // The guild's list carries them too (only the channels the caller sees).
    let listed = app
        .get(&format!("/guilds/{gid}/channels"), &guest)
        .await
        .ok(200);
    assert_eq!(counters(&listed[0]), c);
    let listed = app
        .get(&format!("/guilds/{gid}/channels"), &owner)
        .await
        .ok(200);
    let lounge_row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == lounge.as_str())
        .unwrap();
    assert_eq!(counters(lounge_row)["members"], 2);
    // Events do not carry them.
    app.drain_events().await;
    app.patch(
        &format!("/channels/{lounge}"),
        &owner,
        json!({"topic": "t"}),
    )
    .await
    .ok(200);
    let e = app.event("CHANNEL_UPDATE").await;
    assert!(e.data.get("hearth_counters").is_none());
}

/// The sweep removes an expired guest as a kick: runs on its own server, with a sweep every
/// second.
async fn an_expired_guest_is_removed_by_the_sweep(backend: Backend) {
    let db = match backend {
        Backend::Sqlite => hearth_store::testing::TestDatabase::sqlite(),
        Backend::Postgres => match hearth_store::testing::TestDatabase::postgres().await {
            Some(db) => db,
            None => return,
        },
    };
    let app = TestApp::spawn_with(db, |c| c.guests.sweep_interval_secs = 1).await;
    let owner = app.register("owner").await;
    let (gid, general, _) = two_channels(&app, &owner).await;
    let guest = app.register("visitor").await;
    let guest_id = app.user_id(&guest).await;
    admit(&app, &owner, &general, &guest, 0).await;
    let (mut guest_gw, _) = Gw::identify(&app, &guest, None).await;
    guest_gw.event("GUILD_CREATE").await;
    let soon = hearth_core::Timestamp::now().plus_seconds(1).to_iso();
    app.patch(
        &format!("/guilds/{gid}/members/{guest_id}"),
        &owner,
        json!({"hearth_guest_expires_at": soon}),
    )
    .await
    .ok(200);
    let removed = app.event("GUILD_MEMBER_REMOVE").await;
    assert_eq!(removed.data["user"]["id"], guest_id.as_str());
    let lost = app.event("GUILD_DELETE").await;
    assert_eq!(
        lost.audience,
        Audience::User {
            user_id: guest_id.parse().unwrap()
        }
    );
    assert_eq!(guest_gw.event("GUILD_DELETE").await["id"], gid.as_str());
    app.get(&format!("/guilds/{gid}/members/{guest_id}"), &owner)
        .await
        .assert_error(404, 10007);
    // The entry is recorded after the events: wait for its own event.
    let recorded = app.event("GUILD_AUDIT_LOG_ENTRY_CREATE").await;
    assert_eq!(recorded.data["action_type"], 20);
    let log = app
        .get(&format!("/guilds/{gid}/audit-logs?action_type=20"), &owner)
        .await
        .ok(200);
    let entry = &log["audit_log_entries"][0];
    assert_eq!(entry["target_id"], guest_id.as_str());
    assert_eq!(entry["user_id"], Value::Null);
    assert_eq!(entry["reason"], "guest access expired");
    app.stop().await;
}

#[tokio::test]
async fn an_expired_guest_is_removed_by_the_sweep_on_sqlite() {
    an_expired_guest_is_removed_by_the_sweep(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_expired_guest_is_removed_by_the_sweep_on_postgres() {
    an_expired_guest_is_removed_by_the_sweep(Backend::Postgres).await;
}

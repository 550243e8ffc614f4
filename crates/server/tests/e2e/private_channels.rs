//! DMs and group DMs: opening one (once, from either side), listing, messages, edits,
//! deletions and typing in them, who receives their events, group membership, and refusals.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::TestApp;

both!(
    a_dm_is_opened_once_from_either_side_and_listed,
    messages_in_a_dm_reach_both_and_nobody_else,
    a_group_dm_gains_and_loses_people,
    private_channel_requests_are_checked,
    ready_lists_private_channels_and_intents_gate_dm_events,
    a_block_either_way_closes_the_dm,
);

const DIRECT_MESSAGES: u64 = 1 << 12;
const GUILDS: u64 = 1;

async fn dm(app: &TestApp, token: &str, other: &str) -> Value {
    app.post("/users/@me/channels", token, json!({"recipient_id": other}))
        .await
        .ok(200)
}

async fn a_dm_is_opened_once_from_either_side_and_listed(app: &TestApp) {
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let (ann_id, bob_id) = (app.user_id(&ann).await, app.user_id(&bob).await);
    let first = dm(app, &ann, &bob_id).await;
    assert_eq!(first["type"], 1);
    assert!(first.get("guild_id").is_none() && first.get("name").is_none());
    assert_eq!(first["recipients"].as_array().unwrap().len(), 1);
    assert_eq!(first["recipients"][0]["id"], bob_id.as_str());
    // The same channel from the other side (an integer id, as discord.py sends it).
    let n: u64 = ann_id.parse().unwrap();
    let back = app
        .post("/users/@me/channels", &bob, json!({"recipient_id": n}))
        .await
        .ok(200);
    assert_eq!(back["id"], first["id"]);
    assert_eq!(back["recipients"][0]["id"], ann_id.as_str());
    let listed = app.get("/users/@me/channels", &ann).await.ok(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], first["id"]);
    let id = first["id"].as_str().unwrap();
    let got = app.get(&format!("/channels/{id}"), &bob).await.ok(200);
    assert_eq!(got["type"], 1);
    assert_eq!(got["recipients"][0]["id"], ann_id.as_str());
    // Someone else cannot see it; a DM cannot be deleted.
    let cat = app.register("cat").await;
    app.get(&format!("/channels/{id}"), &cat)
        .await
        .assert_error(403, 50001);
    app.delete(&format!("/channels/{id}"), &ann)
        .await
        .assert_error(403, 50003);
    assert!(app
        .get("/users/@me/channels", &cat)
        .await
        .ok(200)
        .as_array()
        .unwrap()
        .is_empty());
}

async fn messages_in_a_dm_reach_both_and_nobody_else(app: &TestApp) {
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let cat = app.register("cat").await;
    let bob_id = app.user_id(&bob).await;
    let (mut ann_gw, _) = Gw::identify(app, &ann, None).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob, None).await;
    let (mut cat_gw, _) = Gw::identify(app, &cat, None).await;
    let channel = dm(app, &ann, &bob_id).await;
    let id = channel["id"].as_str().unwrap().to_owned();
    // Both learn of the new channel, each seeing the other.
    let created = bob_gw.event("CHANNEL_CREATE").await;
    assert_eq!(created["id"], id.as_str());
    assert_eq!(created["type"], 1);
    assert_ne!(created["recipients"][0]["id"], bob_id.as_str());
    ann_gw.event("CHANNEL_CREATE").await;

    let sent = app.say(&ann, &id, "hello bob").await;
    assert!(sent.get("guild_id").is_none());
    assert_eq!(sent["channel_type"], 1);
    for gw in [&mut ann_gw, &mut bob_gw] {
        let m = gw.event("MESSAGE_CREATE").await;
        assert_eq!(m["content"], "hello bob");
        assert_eq!(m["channel_type"], 1);
        assert!(
            m.get("guild_id").is_none() && m.get("member").is_none(),
            "{m}"
        );
    }
    let reply = app.say(&bob, &id, "hi ann").await;
    ann_gw.event("MESSAGE_CREATE").await;
    let history = app
        .get(&format!("/channels/{id}/messages"), &ann)
        .await
        .ok(200);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["id"], reply["id"]);

    // Edits and deletions: one's own only.
    let mid = sent["id"].as_str().unwrap();
    app.patch(
        &format!("/channels/{id}/messages/{mid}"),
        &bob,
        json!({"content": "not mine"}),
    )
    .await
    .assert_error(403, 50005);
    app.patch(
        &format!("/channels/{id}/messages/{mid}"),
        &ann,
        json!({"content": "hello again"}),
    )
    .await
    .ok(200);
    assert_eq!(
        bob_gw.event("MESSAGE_UPDATE").await["content"],
        "hello again"
    );
    // A DM has no moderators: the other recipient is refused as on Discord (50003, not 50013).
    app.delete(&format!("/channels/{id}/messages/{mid}"), &bob)
        .await
        .assert_error(403, 50003);
    app.delete(&format!("/channels/{id}/messages/{mid}"), &ann)
        .await
        .ok(204);
    let gone = bob_gw.event("MESSAGE_DELETE").await;
    assert_eq!(gone, json!({"id": mid, "channel_id": id}));

    // Typing reaches the other recipient.
    app.post(&format!("/channels/{id}/typing"), &bob, json!(null))
        .await
        .ok(204);
    let typing = ann_gw.event("TYPING_START").await;
    assert_eq!(typing["channel_id"], id.as_str());
    assert_eq!(typing["user_id"], bob_id.as_str());
    assert!(typing.get("guild_id").is_none());

    // Someone outside it neither reads, writes nor hears anything.
    app.get(&format!("/channels/{id}/messages"), &cat)
        .await
        .assert_error(403, 50001);
    app.post(
        &format!("/channels/{id}/messages"),
        &cat,
        json!({"content": "let me in"}),
    )
    .await
    .assert_error(403, 50001);
    cat_gw.quiet(300).await;
}

async fn a_group_dm_gains_and_loses_people(app: &TestApp) {
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let cat = app.register("cat").await;
    let dan = app.register("dan").await;
    let (bob_id, cat_id, dan_id) = (
        app.user_id(&bob).await,
        app.user_id(&cat).await,
        app.user_id(&dan).await,
    );
    let ann_id = app.user_id(&ann).await;
    let group = app
        .post(
            "/users/@me/channels",
            &ann,
            json!({"recipients": [bob_id, cat_id], "name": "trip"}),
        )
        .await
        .ok(200);
    assert_eq!(group["type"], 3);
    assert_eq!(group["name"], "trip");
    assert_eq!(group["owner_id"], ann_id.as_str());
    assert_eq!(group["recipients"].as_array().unwrap().len(), 2);
    let id = group["id"].as_str().unwrap().to_owned();
    // The same people find the same group.
    let again = app
        .post(
            "/users/@me/channels",
            &cat,
            json!({"recipients": [ann_id, bob_id]}),
        )
        .await
        .ok(200);
    assert_eq!(again["id"], id.as_str());

    let (mut dan_gw, _) = Gw::identify(app, &dan, None).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob, None).await;
    app.call(
        reqwest::Method::PUT,
        &format!("/channels/{id}/recipients/{dan_id}"),
        Some(&bob),
        None,
    )
    .await
    .ok(204);
    let created = dan_gw.event("CHANNEL_CREATE").await;
    assert_eq!(created["id"], id.as_str());
    assert_eq!(created["recipients"].as_array().unwrap().len(), 3);
    let added = bob_gw.event("CHANNEL_RECIPIENT_ADD").await;
    assert_eq!(added["user"]["id"], dan_id.as_str());
    app.say(&dan, &id, "thanks for adding me").await;
    assert_eq!(bob_gw.event("MESSAGE_CREATE").await["channel_type"], 3);

    // Only the owner removes others; anyone leaves.
    app.delete(&format!("/channels/{id}/recipients/{cat_id}"), &bob)
        .await
        .assert_error(403, 50013);
    app.delete(&format!("/channels/{id}/recipients/{dan_id}"), &ann)
        .await
        .ok(204);
    assert_eq!(dan_gw.event("CHANNEL_DELETE").await["id"], id.as_str());
    assert_eq!(
        bob_gw.event("CHANNEL_RECIPIENT_REMOVE").await["user"]["id"],
        dan_id.as_str()
    );
    app.post(
        &format!("/channels/{id}/messages"),
        &dan,
        json!({"content": "still here?"}),
    )
    .await
    .assert_error(403, 50001);
    let left = app.delete(&format!("/channels/{id}"), &bob).await.ok(200);
    assert_eq!(left["id"], id.as_str());
    app.get(&format!("/channels/{id}"), &bob)
        .await
        .assert_error(403, 50001);
    let members: Vec<String> = app.get(&format!("/channels/{id}"), &ann).await.ok(200)
        ["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(members, vec![cat_id.clone()]);
}

async fn private_channel_requests_are_checked(app: &TestApp) {
    let ann = app.register("ann").await;
    let ann_id = app.user_id(&ann).await;
    let path = "/users/@me/channels";
    app.post(path, &ann, json!({}))
        .await
        .assert_field_error("recipient_id", "BASE_TYPE_REQUIRED");
    app.post(path, &ann, json!({"recipient_id": ann_id}))
        .await
        .assert_field_error("recipient_id", "BASE_TYPE_INVALID");
    app.post(path, &ann, json!({"recipient_id": "12345"}))
        .await
        .assert_error(404, 10013);
    app.post(path, &ann, json!({"recipient_id": "nope"}))
        .await
        .assert_error(400, 50035);
    let mut many = Vec::new();
    for i in 0..10 {
        let t = app.register(&format!("p{i}")).await;
        many.push(app.user_id(&t).await);
    }
    app.post(path, &ann, json!({"recipients": many}))
        .await
        .assert_field_error("recipients", "BASE_TYPE_MAX_LENGTH");
    // Nine others make ten: the most a group holds; an eleventh is refused.
    let group = app
        .post(path, &ann, json!({"recipients": &many[..9]}))
        .await
        .ok(200);
    let id = group["id"].as_str().unwrap();
    app.call(
        reqwest::Method::PUT,
        &format!("/channels/{id}/recipients/{}", many[9]),
        Some(&ann),
        None,
    )
    .await
    .assert_error(400, 30004);
    // A DM has its two people: no recipients to add.
    let pair = dm(app, &ann, &many[0]).await;
    app.call(
        reqwest::Method::PUT,
        &format!(
            "/channels/{}/recipients/{}",
            pair["id"].as_str().unwrap(),
            many[1]
        ),
        Some(&ann),
        None,
    )
    .await
    .assert_error(400, 50024);
    // Bots write to people, not to bots, and join no group.
    let (bot_id, bot) = app.bot(&ann, "helper").await;
    let to_person = dm(app, &bot, &ann_id).await;
    assert_eq!(to_person["type"], 1);
    let (other_bot, _) = app.bot(&ann, "other").await;
    app.post(path, &bot, json!({"recipient_id": other_bot}))
        .await
        .assert_error(403, 50007);
    app.post(path, &ann, json!({"recipients": [bot_id, many[0]]}))
        .await
        .assert_error(403, 50007);
}

async fn ready_lists_private_channels_and_intents_gate_dm_events(app: &TestApp) {
    let ann = app.register("ann").await;
    let owner = app.register("owner").await;
    let (_, bot) = app.bot(&owner, "helper").await;
    let ann_id = app.user_id(&ann).await;
    let channel = dm(app, &bot, &ann_id).await;
    let id = channel["id"].as_str().unwrap().to_owned();
    let (_, ready) = Gw::identify(app, &ann, None).await;
    let listed = ready["private_channels"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["recipients"][0]["username"], "helper");
    // Without DIRECT_MESSAGES a bot hears nothing of DM messages; with it, it does (content
    // included, as on Discord, without MESSAGE_CONTENT).
    let (mut deaf, _) = Gw::identify(app, &bot, Some(GUILDS)).await;
    let (mut hearing, _) = Gw::identify(app, &bot, Some(GUILDS | DIRECT_MESSAGES)).await;
    app.say(&ann, &id, "psst").await;
    assert_eq!(hearing.event("MESSAGE_CREATE").await["content"], "psst");
    deaf.quiet(300).await;
}

async fn a_block_either_way_closes_the_dm(app: &TestApp) {
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let cat = app.register("cat").await;
    let (ann_id, bob_id) = (app.user_id(&ann).await, app.user_id(&bob).await);
    let cat_id = app.user_id(&cat).await;
    let dan = app.register("dan").await;
    let dan_id = app.user_id(&dan).await;
    let channel = dm(app, &ann, &bob_id).await;
    let id = channel["id"].as_str().unwrap().to_owned();
    app.say(&bob, &id, "before").await;
    let group = app
        .post(
            "/users/@me/channels",
            &ann,
            json!({"recipients": [cat_id, dan_id]}),
        )
        .await
        .ok(200);
    // Bob blocks Ann: neither writes in their DM, opens it again, or adds the other to a group.
    app.call(
        reqwest::Method::PUT,
        &format!("/users/@me/relationships/{ann_id}"),
        Some(&bob),
        Some(json!({"type": 2})),
    )
    .await
    .ok(204);
    for (from, to) in [(&ann, &bob_id), (&bob, &ann_id)] {
        app.post(
            &format!("/channels/{id}/messages"),
            from,
            json!({"content": "hello?"}),
        )
        .await
        .assert_error(403, 50007);
        app.post("/users/@me/channels", from, json!({"recipient_id": to}))
            .await
            .assert_error(403, 50007);
    }
    app.post(
        "/users/@me/channels",
        &cat,
        json!({"recipients": [ann_id, bob_id]}),
    )
    .await
    .ok(200);
    app.call(
        reqwest::Method::PUT,
        &format!(
            "/channels/{}/recipients/{bob_id}",
            group["id"].as_str().unwrap()
        ),
        Some(&ann),
        None,
    )
    .await
    .assert_error(403, 50007);
    // History stays readable; unblocking opens the DM again.
    assert_eq!(
        app.get(&format!("/channels/{id}/messages"), &ann)
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.delete(&format!("/users/@me/relationships/{ann_id}"), &bob)
        .await
        .ok(204);
    app.say(&ann, &id, "friends again?").await;
}

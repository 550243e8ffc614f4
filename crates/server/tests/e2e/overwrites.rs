//! Channel permission overwrites and private channels: set, change and remove overwrites under
//! MANAGE_ROLES; a channel hidden from someone does not exist for them over REST or the
//! gateway; gaining or losing view arrives as CHANNEL_CREATE / CHANNEL_DELETE; categories pass
//! their overwrites to the channels in sync with them.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use reqwest::Method;
use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::{ids, TestApp};

both!(
    overwrites_are_set_changed_and_removed_with_events_and_audit,
    overwrite_bodies_and_grants_are_checked,
    a_private_channel_does_not_exist_over_rest_for_those_not_allowed,
    a_private_channel_does_not_exist_over_the_gateway_for_those_not_allowed,
    gaining_and_losing_view_arrive_as_channel_create_and_delete,
    categories_pass_their_overwrites_to_channels_in_sync,
    audit_log_entries_and_bans_reach_only_those_allowed_to_see_them,
);

const VIEW: u64 = 1 << 10;
const SEND: u64 = 1 << 11;
const MANAGE_ROLES: u64 = 1 << 28;
const MANAGE_CHANNELS: u64 = 1 << 4;
const MANAGE_GUILD: u64 = 1 << 5;
const BAN: u64 = 1 << 2;
/// Guilds, moderation (audit log, bans), invites, messages, typing, message content.
const INTENTS: u64 = 1 | 4 | 64 | 512 | 2048 | 32768;

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> crate::helpers::Res {
    app.call(Method::PUT, path, Some(token), Some(body)).await
}

/// A role with `bits`, given to `user`; returns its id.
async fn role_for(app: &TestApp, owner: &str, gid: &str, user: &str, bits: u64) -> String {
    let r = app
        .post(
            &format!("/guilds/{gid}/roles"),
            owner,
            json!({"name": "r", "permissions": bits.to_string()}),
        )
        .await
        .ok(200);
    let rid = id(&r);
    put(
        app,
        &format!("/guilds/{gid}/members/{user}/roles/{rid}"),
        owner,
        json!({}),
    )
    .await
    .ok(204);
    rid
}

/// A channel only `allowed` (a member id) and the owner may view.
async fn private_channel(app: &TestApp, owner: &str, gid: &str, allowed: &str) -> Value {
    app.post(
        &format!("/guilds/{gid}/channels"),
        owner,
        json!({"name": "secret", "permission_overwrites": [
            {"id": gid, "type": 0, "deny": VIEW.to_string()},
            {"id": allowed, "type": 1, "allow": VIEW.to_string()},
        ]}),
    )
    .await
    .ok(201)
}

async fn overwrites_are_set_changed_and_removed_with_events_and_audit(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (g, general) = app.guild_with(&owner, &[&bob]).await;
    let gid = id(&g);
    let bob_id = app.user_id(&bob).await;
    app.drain_events().await;
    let path = format!("/channels/{general}/permissions/{gid}");
    put(
        app,
        &path,
        &owner,
        json!({"type": 0, "deny": SEND.to_string(), "allow": "0"}),
    )
    .await
    .ok(204);
    let e = app.event("CHANNEL_UPDATE").await;
    assert_eq!(
        e.data["permission_overwrites"],
        json!([{"id": gid, "type": 0, "allow": "0", "deny": SEND.to_string()}])
    );
    // @everyone may no longer send there.
    app.post(
        &format!("/channels/{general}/messages"),
        &bob,
        json!({"content": "hi"}),
    )
    .await
    .assert_error(403, 50013);
    // A member overwrite gives it back to bob alone; numbers are accepted for bits and type.
    put(
        app,
        &format!("/channels/{general}/permissions/{bob_id}"),
        &owner,
        json!({"type": 1, "allow": SEND}),
    )
    .await
    .ok(204);
    app.say(&bob, &general, "back").await;
    // Changing one is an update; the same body again changes nothing.
    put(
        app,
        &path,
        &owner,
        json!({"type": 0, "deny": (SEND | (1 << 6)).to_string()}),
    )
    .await
    .ok(204);
    app.drain_events().await;
    put(
        app,
        &path,
        &owner,
        json!({"type": 0, "deny": (SEND | (1 << 6)).to_string()}),
    )
    .await
    .ok(204);
    assert!(!app
        .drain_events()
        .await
        .contains(&"CHANNEL_UPDATE".to_owned()));
    let ch = app
        .get(&format!("/channels/{general}"), &owner)
        .await
        .ok(200);
    assert_eq!(ch["permission_overwrites"].as_array().unwrap().len(), 2);
    // Removing it; removing it again answers 204 and changes nothing.
    app.call(Method::DELETE, &path, Some(&owner), None)
        .await
        .ok(204);
    app.event("CHANNEL_UPDATE").await;
    app.call(Method::DELETE, &path, Some(&owner), None)
        .await
        .ok(204);
    let ch = app
        .get(&format!("/channels/{general}"), &owner)
        .await
        .ok(200);
    assert_eq!(
        ch["permission_overwrites"],
        json!([{"id": bob_id, "type": 1, "allow": SEND.to_string(), "deny": "0"}])
    );
    // The audit log has create, update and delete, with the target in the options.
    let log = app
        .get(&format!("/guilds/{gid}/audit-logs"), &owner)
        .await
        .ok(200);
    let kinds: Vec<i64> = log["audit_log_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action_type"].as_i64().unwrap())
        .filter(|a| (13..=15).contains(a))
        .collect();
    assert_eq!(kinds, vec![15, 14, 13, 13], "newest first");
    let deleted = &log["audit_log_entries"][0];
    assert_eq!(deleted["target_id"], general.as_str());
    assert_eq!(deleted["options"]["id"], gid.as_str());
    assert_eq!(deleted["options"]["type"], "0");
    assert_eq!(deleted["options"]["role_name"], "@everyone");
    // The member of a member overwrite is among the users the log names.
    assert!(log["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["id"] == bob_id.as_str()));
}

async fn overwrite_bodies_and_grants_are_checked(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let (g, general) = app.guild_with(&owner, &[&bob, &carol]).await;
    let gid = id(&g);
    let bob_id = app.user_id(&bob).await;
    let path = format!("/channels/{general}/permissions/{gid}");
    // Without MANAGE_ROLES: refused.
    put(app, &path, &bob, json!({"type": 0, "deny": "2048"}))
        .await
        .assert_error(403, 50013);
    app.call(Method::DELETE, &path, Some(&bob), None)
        .await
        .assert_error(403, 50013);
    // Bad bodies.
    // A number that is no overwrite type is refused with the body.
    for kind in [2, 7, -1] {
        put(app, &path, &owner, json!({"type": kind}))
            .await
            .assert_field_error("type", "BASE_TYPE_INVALID");
    }
    put(
        app,
        &path,
        &owner,
        json!({"type": 0, "allow": (1u64 << 60).to_string()}),
    )
    .await
    .assert_field_error("allow", "PERMISSIONS_INVALID");
    put(app, &path, &owner, json!({"type": "x"}))
        .await
        .assert_error(400, 50035);
    put(app, &path, &owner, json!({}))
        .await
        .assert_error(400, 50035);
    app.raw(
        Method::PUT,
        &format!("/api/v10{path}"),
        Some(&owner),
        b"{nope".to_vec(),
    )
    .await
    .assert_error(400, 50109);
    // Unknown targets: a role of no guild, a user who is not a member.
    put(
        app,
        &format!("/channels/{general}/permissions/12345"),
        &owner,
        json!({"type": 0}),
    )
    .await
    .assert_field_error("id", "OVERWRITE_INVALID");
    let stranger = app.register("stranger").await;
    let stranger_id = app.user_id(&stranger).await;
    put(
        app,
        &format!("/channels/{general}/permissions/{stranger_id}"),
        &owner,
        json!({"type": 1}),
    )
    .await
    .assert_field_error("id", "OVERWRITE_INVALID");
    // Unknown channel; a stranger's call.
    put(
        app,
        &format!("/channels/1/permissions/{gid}"),
        &owner,
        json!({"type": 0}),
    )
    .await
    .assert_error(404, 10003);
    put(app, &path, &stranger, json!({"type": 0}))
        .await
        .assert_error(403, 50001);
    // A manager may change only bits they hold: MANAGE_ROLES and SEND yes, BAN_MEMBERS no.
    role_for(app, &owner, &gid, &bob_id, MANAGE_ROLES | VIEW | SEND).await;
    put(
        app,
        &path,
        &bob,
        json!({"type": 0, "deny": SEND.to_string()}),
    )
    .await
    .ok(204);
    put(
        app,
        &path,
        &bob,
        json!({"type": 0, "deny": (SEND | BAN).to_string()}),
    )
    .await
    .assert_error(403, 50013);
    // Bits already there that the manager lacks may stay as they are.
    // SEND is denied to @everyone in the channel, but bob holds it in the guild: he may
    // change it back.
    put(app, &path, &bob, json!({"type": 0, "deny": "0"}))
        .await
        .ok(204);
    put(
        app,
        &path,
        &owner,
        json!({"type": 0, "deny": BAN.to_string()}),
    )
    .await
    .ok(204);
    put(
        app,
        &path,
        &bob,
        json!({"type": 0, "deny": (SEND | BAN).to_string()}),
    )
    .await
    .ok(204);
    app.call(Method::DELETE, &path, Some(&bob), None)
        .await
        .assert_error(403, 50013);
    // The same rules hold for channel bodies.
    app.patch(
        &format!("/channels/{general}"),
        &owner,
        json!({"permission_overwrites": [{"id": gid, "type": 7}]}),
    )
    .await
    .assert_field_error("permission_overwrites.0.type", "BASE_TYPE_INVALID");
    app.post(
        &format!("/guilds/{gid}/channels"),
        &owner,
        json!({"name": "x", "permission_overwrites": [{"id": gid, "type": 7}]}),
    )
    .await
    .assert_field_error("permission_overwrites.0.type", "BASE_TYPE_INVALID");
    app.post(
        &format!("/guilds/{gid}/channels"),
        &owner,
        json!({"name": "x", "permission_overwrites": [{"type": 0}]}),
    )
    .await
    .assert_field_error("permission_overwrites.0.id", "BASE_TYPE_REQUIRED");
    // At most 100 overwrites in a body.
    let many: Vec<Value> = (0..101)
        .map(|_| json!({"id": gid, "type": 0, "deny": VIEW.to_string()}))
        .collect();
    app.patch(
        &format!("/channels/{general}"),
        &owner,
        json!({"permission_overwrites": many}),
    )
    .await
    .assert_field_error("permission_overwrites", "BASE_TYPE_MAX_LENGTH");
    role_for(app, &owner, &gid, &bob_id, MANAGE_CHANNELS).await;
    app.post(
        &format!("/guilds/{gid}/channels"),
        &bob,
        json!({"name": "x", "permission_overwrites": [{"id": gid, "type": 0, "allow": BAN.to_string()}]}),
    )
    .await
    .assert_error(403, 50013);
}

async fn a_private_channel_does_not_exist_over_rest_for_those_not_allowed(app: &TestApp) {
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (g, general) = app.guild_with(&owner, &[&alice, &bob]).await;
    let gid = id(&g);
    let alice_id = app.user_id(&alice).await;
    let bob_id = app.user_id(&bob).await;
    let secret = private_channel(app, &owner, &gid, &alice_id).await;
    let sid = id(&secret);
    app.say(&alice, &sid, "psst").await;
    let invite = app
        .post(&format!("/channels/{sid}/invites"), &alice, json!({}))
        .await
        .ok(200);
    // Bob, a member with MANAGE_GUILD and MANAGE_CHANNELS but no view of the channel.
    role_for(
        app,
        &owner,
        &gid,
        &bob_id,
        VIEW | SEND | MANAGE_GUILD | MANAGE_CHANNELS,
    )
    .await;
    let channels = app
        .get(&format!("/guilds/{gid}/channels"), &bob)
        .await
        .ok(200);
    assert_eq!(ids(&channels), vec![general.clone()]);
    for (method, path, body) in [
        (Method::GET, format!("/channels/{sid}"), None),
        (Method::GET, format!("/channels/{sid}/messages"), None),
        (
            Method::POST,
            format!("/channels/{sid}/messages"),
            Some(json!({"content": "x"})),
        ),
        (Method::POST, format!("/channels/{sid}/typing"), None),
        (
            Method::POST,
            format!("/channels/{sid}/invites"),
            Some(json!({})),
        ),
        (Method::GET, format!("/channels/{sid}/invites"), None),
        (
            Method::PATCH,
            format!("/channels/{sid}"),
            Some(json!({"name": "mine"})),
        ),
        (Method::DELETE, format!("/channels/{sid}"), None),
        (
            Method::PUT,
            format!("/channels/{sid}/permissions/{bob_id}"),
            Some(json!({"type": 1, "allow": VIEW.to_string()})),
        ),
    ] {
        app.call(method.clone(), &path, Some(&bob), body)
            .await
            .assert_error(403, 50001);
    }
    let msgs = app
        .get(
            &format!("/channels/{sid}/messages/{}", {
                let list = app
                    .get(&format!("/channels/{sid}/messages"), &alice)
                    .await
                    .ok(200);
                id(&list[0])
            }),
            &bob,
        )
        .await;
    msgs.assert_error(403, 50001);
    // The guild's invite list leaves the hidden channel's invite out for bob, not for alice's
    // peers who may see it (the owner).
    let bob_invites = app
        .get(&format!("/guilds/{gid}/invites"), &bob)
        .await
        .ok(200);
    assert!(bob_invites
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["code"] != invite["code"]));
    let owner_invites = app
        .get(&format!("/guilds/{gid}/invites"), &owner)
        .await
        .ok(200);
    assert!(owner_invites
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["code"] == invite["code"]));
    // Alice and the owner see it.
    for t in [&alice, &owner] {
        let list = app.get(&format!("/guilds/{gid}/channels"), t).await.ok(200);
        assert!(ids(&list).contains(&sid));
        app.get(&format!("/channels/{sid}/messages"), t)
            .await
            .ok(200);
    }
}

async fn a_private_channel_does_not_exist_over_the_gateway_for_those_not_allowed(app: &TestApp) {
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (g, general) = app.guild_with(&owner, &[&alice, &bob]).await;
    let gid = id(&g);
    let alice_id = app.user_id(&alice).await;
    let secret = private_channel(app, &owner, &gid, &alice_id).await;
    let sid = id(&secret);
    let (mut gb, _) = Gw::identify(app, &bob, Some(INTENTS)).await;
    let (mut ga, _) = Gw::identify(app, &alice, Some(INTENTS)).await;
    let gc_bob = gb.event("GUILD_CREATE").await;
    let gc_alice = ga.event("GUILD_CREATE").await;
    assert_eq!(ids(&gc_bob["channels"]), vec![general.clone()]);
    let mut alice_sees = ids(&gc_alice["channels"]);
    alice_sees.sort();
    let mut both = vec![general.clone(), sid.clone()];
    both.sort();
    assert_eq!(alice_sees, both);
    let ow = gc_alice["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == sid.as_str())
        .unwrap()["permission_overwrites"]
        .clone();
    assert_eq!(ow.as_array().unwrap().len(), 2);
    // Messages and typing in the secret channel reach alice only; bob's next ones are those
    // of #general.
    app.post(&format!("/channels/{sid}/typing"), &alice, json!({}))
        .await
        .ok(204);
    app.say(&alice, &sid, "psst").await;
    app.post(&format!("/channels/{general}/typing"), &alice, json!({}))
        .await
        .ok(204);
    app.say(&alice, &general, "hello all").await;
    assert_eq!(ga.event("TYPING_START").await["channel_id"], sid.as_str());
    assert_eq!(ga.event("MESSAGE_CREATE").await["content"], "psst");
    assert_eq!(
        gb.event("TYPING_START").await["channel_id"],
        general.as_str()
    );
    assert_eq!(gb.event("MESSAGE_CREATE").await["content"], "hello all");
    // Changes to the hidden channel do not reach bob either.
    app.patch(&format!("/channels/{sid}"), &owner, json!({"topic": "t"}))
        .await
        .ok(200);
    app.patch(
        &format!("/channels/{general}"),
        &owner,
        json!({"topic": "g"}),
    )
    .await
    .ok(200);
    assert_eq!(gb.event("CHANNEL_UPDATE").await["id"], general.as_str());
    assert_eq!(ga.event("CHANNEL_UPDATE").await["id"], sid.as_str());
    // A new private channel: CHANNEL_CREATE for alice, nothing for bob.
    let second = private_channel(app, &owner, &gid, &alice_id).await;
    assert_eq!(ga.event("CHANNEL_CREATE").await["id"], second["id"]);
    app.call(
        Method::DELETE,
        &format!("/channels/{}", id(&second)),
        Some(&owner),
        None,
    )
    .await
    .ok(200);
    assert_eq!(ga.event("CHANNEL_DELETE").await["id"], second["id"]);
    app.say(&owner, &general, "marker").await;
    let next = gb.recv().await;
    assert_eq!(
        (next["t"].as_str(), next["d"]["content"].as_str()),
        (Some("MESSAGE_CREATE"), Some("marker")),
        "{next}"
    );
}

async fn gaining_and_losing_view_arrive_as_channel_create_and_delete(app: &TestApp) {
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (g, general) = app.guild_with(&owner, &[&alice, &bob]).await;
    let gid = id(&g);
    let alice_id = app.user_id(&alice).await;
    let bob_id = app.user_id(&bob).await;
    let secret = private_channel(app, &owner, &gid, &alice_id).await;
    let sid = id(&secret);
    let (mut gb, _) = Gw::identify(app, &bob, Some(INTENTS)).await;
    let (mut ga, _) = Gw::identify(app, &alice, Some(INTENTS)).await;
    gb.event("GUILD_CREATE").await;
    ga.event("GUILD_CREATE").await;
    // A member overwrite lets bob in: CHANNEL_CREATE with the channel for him, CHANNEL_UPDATE
    // for alice who saw it already.
    put(
        app,
        &format!("/channels/{sid}/permissions/{bob_id}"),
        &owner,
        json!({"type": 1, "allow": VIEW.to_string()}),
    )
    .await
    .ok(204);
    let created = gb.event("CHANNEL_CREATE").await;
    assert_eq!(
        (created["id"].as_str(), created["guild_id"].as_str()),
        (Some(sid.as_str()), Some(gid.as_str()))
    );
    assert_eq!(
        created["permission_overwrites"].as_array().unwrap().len(),
        3
    );
    assert_eq!(ga.event("CHANNEL_UPDATE").await["id"], sid.as_str());
    app.say(&alice, &sid, "welcome bob").await;
    assert_eq!(gb.event("MESSAGE_CREATE").await["content"], "welcome bob");
    // Taken away: CHANNEL_DELETE, and the channel's messages stop at once.
    app.call(
        Method::DELETE,
        &format!("/channels/{sid}/permissions/{bob_id}"),
        Some(&owner),
        None,
    )
    .await
    .ok(204);
    assert_eq!(gb.event("CHANNEL_DELETE").await["id"], sid.as_str());
    app.say(&alice, &sid, "bob is gone").await;
    app.say(&alice, &general, "marker 1").await;
    assert_eq!(gb.event("MESSAGE_CREATE").await["content"], "marker 1");
    // Through a role: given, the role allows the channel; the role deleted, it is gone again.
    let rid = app
        .post(
            &format!("/guilds/{gid}/roles"),
            &owner,
            json!({"name": "insiders"}),
        )
        .await
        .ok(200);
    let rid = id(&rid);
    put(
        app,
        &format!("/channels/{sid}/permissions/{rid}"),
        &owner,
        json!({"type": 0, "allow": VIEW.to_string()}),
    )
    .await
    .ok(204);
    put(
        app,
        &format!("/guilds/{gid}/members/{bob_id}/roles/{rid}"),
        &owner,
        json!({}),
    )
    .await
    .ok(204);
    assert_eq!(gb.event("CHANNEL_CREATE").await["id"], sid.as_str());
    app.call(
        Method::DELETE,
        &format!("/guilds/{gid}/roles/{rid}"),
        Some(&owner),
        None,
    )
    .await
    .ok(204);
    assert_eq!(gb.event("CHANNEL_DELETE").await["id"], sid.as_str());
    // @everyone's own bits: taking VIEW_CHANNEL from @everyone hides #general from bob.
    app.patch(
        &format!("/guilds/{gid}/roles/{gid}"),
        &owner,
        json!({"permissions": SEND.to_string()}),
    )
    .await
    .ok(200);
    assert_eq!(gb.event("CHANNEL_DELETE").await["id"], general.as_str());
    app.say(&owner, &general, "unseen").await;
    app.patch(
        &format!("/guilds/{gid}/roles/{gid}"),
        &owner,
        json!({"permissions": (VIEW | SEND).to_string()}),
    )
    .await
    .ok(200);
    assert_eq!(gb.event("CHANNEL_CREATE").await["id"], general.as_str());
    app.say(&owner, &general, "seen").await;
    assert_eq!(gb.event("MESSAGE_CREATE").await["content"], "seen");
    // A role's own bits: with VIEW_CHANNEL only through the role "viewers", taking it from the
    // role hides #general; renaming or moving the role changes nothing.
    let viewers = app
        .post(
            &format!("/guilds/{gid}/roles"),
            &owner,
            json!({"name": "viewers", "permissions": VIEW.to_string()}),
        )
        .await
        .ok(200);
    let viewers = id(&viewers);
    put(
        app,
        &format!("/guilds/{gid}/members/{bob_id}/roles/{viewers}"),
        &owner,
        json!({}),
    )
    .await
    .ok(204);
    app.patch(
        &format!("/guilds/{gid}/roles/{gid}"),
        &owner,
        json!({"permissions": SEND.to_string()}),
    )
    .await
    .ok(200);
    app.patch(
        &format!("/guilds/{gid}/roles/{viewers}"),
        &owner,
        json!({"name": "lookers"}),
    )
    .await
    .ok(200);
    app.say(&owner, &general, "still seen").await;
    loop {
        let v = gb.recv().await;
        let t = v["t"].as_str().unwrap_or_default().to_owned();
        assert!(!t.starts_with("CHANNEL_"), "no view changed: {v}");
        if t == "MESSAGE_CREATE" {
            assert_eq!(v["d"]["content"], "still seen");
            break;
        }
    }
    app.patch(
        &format!("/guilds/{gid}/roles/{viewers}"),
        &owner,
        json!({"permissions": "0"}),
    )
    .await
    .ok(200);
    assert_eq!(gb.event("CHANNEL_DELETE").await["id"], general.as_str());
    app.patch(
        &format!("/guilds/{gid}/roles/{gid}"),
        &owner,
        json!({"permissions": (VIEW | SEND).to_string()}),
    )
    .await
    .ok(200);
    assert_eq!(gb.event("CHANNEL_CREATE").await["id"], general.as_str());
    // A session that identifies now starts with the same view.
    let (mut gb2, _) = Gw::identify(app, &bob, Some(INTENTS)).await;
    assert_eq!(
        ids(&gb2.event("GUILD_CREATE").await["channels"]),
        vec![general]
    );
}

async fn categories_pass_their_overwrites_to_channels_in_sync(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (g, _) = app.guild_with(&owner, &[&bob]).await;
    let gid = id(&g);
    let bob_id = app.user_id(&bob).await;
    let path = format!("/guilds/{gid}/channels");
    let cat = app
        .post(
            &path,
            &owner,
            json!({"name": "Staff", "type": 4, "permission_overwrites": [{"id": gid, "type": 0, "deny": VIEW.to_string()}]}),
        )
        .await
        .ok(201);
    let cid = id(&cat);
    // Created inside without overwrites: the category's; with its own: those.
    let synced = app
        .post(&path, &owner, json!({"name": "mods", "parent_id": cid}))
        .await
        .ok(201);
    assert_eq!(
        synced["permission_overwrites"],
        cat["permission_overwrites"]
    );
    // An empty list (discord.py always sends one) is no overwrites of its own either.
    let also = app
        .post(
            &path,
            &owner,
            json!({"name": "also", "parent_id": cid, "permission_overwrites": []}),
        )
        .await
        .ok(201);
    assert_eq!(also["permission_overwrites"], cat["permission_overwrites"]);
    let bob_member = json!([{"id": bob_id, "type": 1, "allow": VIEW.to_string()}]);
    let own = app
        .post(
            &path,
            &owner,
            json!({"name": "open", "parent_id": cid, "permission_overwrites": bob_member}),
        )
        .await
        .ok(201);
    // Out of sync: its list cleared on its own.
    let own = app
        .patch(
            &format!("/channels/{}", id(&own)),
            &owner,
            json!({"permission_overwrites": []}),
        )
        .await
        .ok(200);
    assert_eq!(own["permission_overwrites"], json!([]));
    let listed = app.get(&path, &bob).await.ok(200);
    assert!(ids(&listed).contains(&id(&own)));
    assert!(!ids(&listed).contains(&id(&synced)));
    // A change to the category carries over to the channel in sync only.
    app.drain_events().await;
    put(
        app,
        &format!("/channels/{cid}/permissions/{bob_id}"),
        &owner,
        json!({"type": 1, "allow": VIEW.to_string()}),
    )
    .await
    .ok(204);
    let synced_now = app
        .get(&format!("/channels/{}", id(&synced)), &bob)
        .await
        .ok(200);
    assert_eq!(
        synced_now["permission_overwrites"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let own_now = app
        .get(&format!("/channels/{}", id(&own)), &owner)
        .await
        .ok(200);
    assert_eq!(own_now["permission_overwrites"], json!([]));
    let updates = app.drain_events().await;
    assert_eq!(
        updates.iter().filter(|n| *n == "CHANNEL_UPDATE").count(),
        3,
        "the category, mods and also: {updates:?}"
    );
    assert_eq!(
        app.get(&format!("/channels/{}", id(&also)), &owner)
            .await
            .ok(200)["permission_overwrites"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{updates:?}"
    );
    // lock_permissions with a new parent syncs a channel.
    let moved = app
        .patch(
            &format!("/channels/{}", id(&own)),
            &owner,
            json!({"parent_id": cid, "lock_permissions": true}),
        )
        .await
        .ok(200);
    assert_eq!(
        moved["permission_overwrites"],
        synced_now["permission_overwrites"]
    );
    // So does a reorder with lock_permissions.
    let loose = app
        .post(&path, &owner, json!({"name": "loose"}))
        .await
        .ok(201);
    app.call(
        Method::PATCH,
        &path,
        Some(&owner),
        Some(json!([{"id": id(&loose), "parent_id": cid, "lock_permissions": true}])),
    )
    .await
    .ok(204);
    let loose = app
        .get(&format!("/channels/{}", id(&loose)), &owner)
        .await
        .ok(200);
    assert_eq!(
        loose["permission_overwrites"],
        synced_now["permission_overwrites"]
    );
    // Replacing the whole list through PATCH.
    let cleared = app
        .patch(
            &format!("/channels/{}", id(&loose)),
            &owner,
            json!({"permission_overwrites": []}),
        )
        .await
        .ok(200);
    assert_eq!(cleared["permission_overwrites"], json!([]));
}

async fn audit_log_entries_and_bans_reach_only_those_allowed_to_see_them(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let (g, general) = app.guild_with(&owner, &[&bob, &carol]).await;
    let gid = id(&g);
    let carol_id = app.user_id(&carol).await;
    role_for(app, &owner, &gid, &carol_id, VIEW | SEND | (1 << 7)).await;
    let (mut go, _) = Gw::identify(app, &owner, Some(INTENTS)).await;
    let (mut gb, _) = Gw::identify(app, &bob, Some(INTENTS)).await;
    let (mut gc, _) = Gw::identify(app, &carol, Some(INTENTS)).await;
    put(
        app,
        &format!("/channels/{general}/permissions/{gid}"),
        &owner,
        json!({"type": 0, "deny": (1u64 << 6).to_string()}),
    )
    .await
    .ok(204);
    for gw in [&mut go, &mut gc] {
        let e = gw.event("GUILD_AUDIT_LOG_ENTRY_CREATE").await;
        assert_eq!(
            (e["action_type"].as_i64(), e["guild_id"].as_str()),
            (Some(13), Some(gid.as_str()))
        );
        assert_eq!(e["target_id"], general.as_str());
    }
    // A ban: GUILD_BAN_ADD to BAN_MEMBERS holders only (the owner), its entry to carol too.
    let stranger = app.register("stranger").await;
    let stranger_id = app.user_id(&stranger).await;
    put(
        app,
        &format!("/guilds/{gid}/bans/{stranger_id}"),
        &owner,
        json!({}),
    )
    .await
    .ok(204);
    assert_eq!(
        go.event("GUILD_BAN_ADD").await["user"]["id"],
        stranger_id.as_str()
    );
    // An invite: INVITE_CREATE to MANAGE_CHANNELS holders only (the owner); its entry to carol.
    let invite = app
        .post(
            &format!("/channels/{general}/invites"),
            &owner,
            json!({"unique": true}),
        )
        .await
        .ok(200);
    assert_eq!(go.event("INVITE_CREATE").await["code"], invite["code"]);
    app.say(&owner, &general, "marker").await;
    for (gw, wanted) in [
        (&mut gb, vec![]),
        (
            &mut gc,
            vec![
                json!("GUILD_AUDIT_LOG_ENTRY_CREATE"),
                json!("GUILD_AUDIT_LOG_ENTRY_CREATE"),
            ],
        ),
    ] {
        let mut names = Vec::new();
        loop {
            let v = gw.recv().await;
            if v["t"] == "MESSAGE_CREATE" {
                break;
            }
            if [
                "GUILD_BAN_ADD",
                "GUILD_AUDIT_LOG_ENTRY_CREATE",
                "INVITE_CREATE",
            ]
            .contains(&v["t"].as_str().unwrap_or_default())
            {
                names.push(v["t"].clone());
            }
        }
        assert_eq!(names, wanted);
    }
}

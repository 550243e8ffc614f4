//! Directed invites over HTTP and the gateway: sent to a person (by id or username), listed
//! received and sent, accepted (joining the guild, granting a channel's permissions, recording
//! how the member joined), declined and cancelled, each told to the two users' sessions only;
//! every refusal with its code and nothing published; expired invites refused, and purged by
//! the background task with their events.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use reqwest::Method;
use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::{Res, TestApp};

both!(
    an_invite_reaches_only_its_two_users_and_accepting_joins_the_guild,
    a_channel_invite_grants_permissions_the_sender_holds,
    declining_and_cancelling_tell_both_and_only_the_right_side_may,
    refusals_carry_their_codes_and_publish_nothing,
    expired_invites_are_refused_and_marked_expired,
);

/// A person: their token and id.
struct Person {
    token: String,
    id: String,
}

async fn person(app: &TestApp, name: &str) -> Person {
    let token = app.register(name).await;
    let id = app.user_id(&token).await;
    Person { token, id }
}

async fn invite(app: &TestApp, gid: &str, from: &Person, body: Value) -> Res {
    app.post(
        &format!("/guilds/{gid}/directed-invites"),
        &from.token,
        body,
    )
    .await
}

async fn act(app: &TestApp, who: &Person, id: &str, what: &str) -> Res {
    app.post(
        &format!("/users/@me/directed-invites/{id}/{what}"),
        &who.token,
        json!({}),
    )
    .await
}

async fn cancel(app: &TestApp, who: &Person, id: &str) -> Res {
    app.delete(&format!("/users/@me/directed-invites/{id}"), &who.token)
        .await
}

/// The ids of the caller's invites listed with `query`.
async fn listed(app: &TestApp, who: &Person, query: &str) -> Vec<String> {
    crate::helpers::ids(
        &app.get(&format!("/users/@me/directed-invites{query}"), &who.token)
            .await
            .ok(200),
    )
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn an_invite_reaches_only_its_two_users_and_accepting_joins_the_guild(app: &TestApp) {
    // Arrange: alice owns a guild carol joined by code; bob is not in it.
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    let carol = person(app, "carol").await;
    let (g, _) = app.guild_with(&alice.token, &[&carol.token]).await;
    let gid = id(&g);
    let (mut alice_gw, _) = Gw::identify(app, &alice.token, None).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob.token, None).await;
    let (mut carol_gw, _) = Gw::identify(app, &carol.token, None).await;
    carol_gw.event("GUILD_CREATE").await;

    // Act: alice invites bob, by username, with a message.
    let sent = invite(
        app,
        &gid,
        &alice,
        json!({"username": "BOB", "message": "  come and see  "}),
    )
    .await
    .ok(200);

    // Assert: the invite, pending, told to alice and bob only.
    let iid = id(&sent);
    assert_eq!(
        (
            sent["status"].as_u64(),
            sent["message"].as_str(),
            sent["permissions"].as_str()
        ),
        (Some(0), Some("come and see"), Some("0"))
    );
    assert_eq!(sent["guild"]["id"], gid.as_str());
    assert_eq!(sent["guild"]["name"], "Home");
    assert_eq!(sent["channel"], Value::Null);
    assert_eq!(
        (
            sent["sender"]["id"].as_str(),
            sent["recipient"]["id"].as_str()
        ),
        (Some(alice.id.as_str()), Some(bob.id.as_str()))
    );
    assert!(sent["expires_at"].is_string() && sent["resolved_at"].is_null());
    assert_eq!(alice_gw.event("DIRECTED_INVITE_CREATE").await, sent);
    assert_eq!(bob_gw.event("DIRECTED_INVITE_CREATE").await, sent);
    assert_eq!(listed(app, &bob, "").await, [iid.as_str()]);
    assert_eq!(
        listed(app, &bob, "?direction=received").await,
        [iid.as_str()]
    );
    assert!(listed(app, &bob, "?direction=sent").await.is_empty());
    assert_eq!(
        listed(app, &alice, "?direction=sent&status=0").await,
        [iid.as_str()]
    );
    assert!(listed(app, &alice, "?status=1").await.is_empty());
    assert!(listed(app, &carol, "").await.is_empty());
    let path = format!("/users/@me/directed-invites/{iid}");
    assert_eq!(app.get(&path, &bob.token).await.ok(200), sent);
    app.get(&path, &carol.token).await.assert_error(404, 10006);
    // Asking again for the same answers the pending one.
    let again = invite(app, &gid, &alice, json!({"recipient_id": bob.id}))
        .await
        .ok(200);
    assert_eq!(id(&again), iid);

    // Act: bob accepts.
    let accepted = act(app, &bob, &iid, "accept").await.ok(200);

    // Assert: accepted, bob a member with the guild on his sessions, both told.
    assert_eq!(accepted["status"], 1);
    assert!(accepted["resolved_at"].is_string());
    assert_eq!(bob_gw.event("GUILD_CREATE").await["id"], gid.as_str());
    assert_eq!(bob_gw.event("DIRECTED_INVITE_UPDATE").await, accepted);
    assert_eq!(
        alice_gw.event("GUILD_MEMBER_ADD").await["user"]["id"],
        bob.id.as_str()
    );
    assert_eq!(alice_gw.event("DIRECTED_INVITE_UPDATE").await, accepted);
    let added = carol_gw.event("GUILD_MEMBER_ADD").await;
    assert_eq!(added["user"]["id"], bob.id.as_str());
    // Carol, a member but no party, is told of no invite: the next she gets is the marker.
    let general = g["system_channel_id"].as_str().unwrap();
    app.say(&alice.token, general, "marker").await;
    loop {
        let v = carol_gw.recv().await;
        let t = v["t"].as_str().unwrap_or_default();
        assert!(!t.starts_with("DIRECTED_INVITE"), "carol got {v}");
        // (Bob's join message comes first.)
        if t == "MESSAGE_CREATE" && v["d"]["type"] == 0 {
            assert_eq!(v["d"]["content"], "marker");
            break;
        }
    }
    let members = app
        .get(&format!("/guilds/{gid}/members?limit=10"), &bob.token)
        .await
        .ok(200);
    assert_eq!(members.as_array().unwrap().len(), 3);
    // How each joined, for the owner (MANAGE_GUILD); not for carol.
    let member = |who: &Person| format!("/guilds/{gid}/members/{}", who.id);
    let by_owner = app.get(&member(&bob), &alice.token).await.ok(200);
    assert_eq!(by_owner["joined_via"]["directed_invite_id"], iid.as_str());
    assert_eq!(by_owner["joined_via"]["code"], Value::Null);
    let carols = app.get(&member(&carol), &alice.token).await.ok(200);
    assert!(carols["joined_via"]["code"].is_string(), "{carols}");
    let by_carol = app.get(&member(&bob), &carol.token).await.ok(200);
    assert!(by_carol.get("joined_via").is_none(), "{by_carol}");
    // Answered once.
    app.drain_events().await;
    act(app, &bob, &iid, "accept")
        .await
        .assert_error(400, 190_001);
    act(app, &bob, &iid, "decline")
        .await
        .assert_error(400, 190_001);
    cancel(app, &alice, &iid).await.assert_error(400, 190_001);
    // Nothing was announced by the refusals (presence of the sessions above may still come).
    let after = app.drain_events().await;
    assert!(
        !after.iter().any(|e| e.starts_with("DIRECTED_INVITE")
            || e == "GUILD_MEMBER_ADD"
            || e == "MESSAGE_CREATE"),
        "{after:?}"
    );
}

async fn a_channel_invite_grants_permissions_the_sender_holds(app: &TestApp) {
    // Arrange: a channel @everyone cannot see; dave manages roles but cannot manage channels.
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    let dave = person(app, "dave").await;
    let erin = person(app, "erin").await;
    let (g, _) = app.guild_with(&alice.token, &[&dave.token]).await;
    let gid = id(&g);
    let secret = app
        .post(
            &format!("/guilds/{gid}/channels"),
            &alice.token,
            json!({"name": "secret", "permission_overwrites": [
                {"id": gid, "type": 0, "deny": "1024"},
                {"id": dave.id, "type": 1, "allow": "1024"},
            ]}),
        )
        .await
        .ok(201);
    let cid = id(&secret);
    // MANAGE_ROLES (1 << 28) and CREATE_INSTANT_INVITE (1).
    let role = app
        .post(
            &format!("/guilds/{gid}/roles"),
            &alice.token,
            json!({"name": "keeper", "permissions": ((1u64 << 28) | 1).to_string()}),
        )
        .await
        .ok(200);
    app.call(
        Method::PUT,
        &format!("/guilds/{gid}/members/{}/roles/{}", dave.id, id(&role)),
        Some(&alice.token),
        None,
    )
    .await
    .ok(204);
    let (mut bob_gw, _) = Gw::identify(app, &bob.token, None).await;

    // Act + Assert: dave may not grant MANAGE_CHANNELS (16), which he lacks; nor may anyone
    // grant without a channel; nor invite to a channel of another guild.
    let body =
        |perms: &str| json!({"recipient_id": bob.id, "channel_id": cid, "permissions": perms});
    invite(app, &gid, &dave, body("16"))
        .await
        .assert_error(403, 50013);
    invite(
        app,
        &gid,
        &dave,
        json!({"recipient_id": bob.id, "permissions": "2048"}),
    )
    .await
    .assert_field_error("permissions", "BASE_TYPE_INVALID");
    let (_, other_general) = app.guild_with(&erin.token, &[]).await;
    let wrong = json!({"recipient_id": bob.id, "channel_id": other_general});
    invite(app, &gid, &alice, wrong)
        .await
        .assert_error(404, 10003);
    // Without MANAGE_ROLES, no permissions may be granted at all (inviting is fine).
    let eve = person(app, "eve").await;
    let plain = invite(app, &gid, &alice, json!({"recipient_id": eve.id}))
        .await
        .ok(200);
    act(app, &eve, &id(&plain), "accept").await.ok(200);
    let general = g["system_channel_id"].as_str().unwrap();
    let grant = json!({"recipient_id": bob.id, "channel_id": general, "permissions": "2048"});
    invite(app, &gid, &eve, grant)
        .await
        .assert_error(403, 50013);
    let no_grant = json!({"recipient_id": bob.id, "channel_id": general});
    invite(app, &gid, &eve, no_grant).await.ok(200);
    // Dave grants SEND_MESSAGES (2048), which he holds.
    let sent = invite(app, &gid, &dave, body("2048")).await.ok(200);
    assert_eq!(sent["channel"]["id"], cid.as_str());
    assert_eq!(sent["channel"]["name"], "secret");
    assert_eq!(sent["permissions"], "2048");
    bob_gw.event("DIRECTED_INVITE_CREATE").await;

    // Act: bob accepts.
    act(app, &bob, &id(&sent), "accept").await.ok(200);

    // Assert: bob's overwrite in the channel allows VIEW_CHANNEL and SEND_MESSAGES.
    let created = bob_gw.event("GUILD_CREATE").await;
    let channels = created["channels"].as_array().unwrap();
    assert!(
        channels.iter().any(|c| c["id"] == cid.as_str()),
        "bob sees secret"
    );
    let ch = app
        .get(&format!("/channels/{cid}"), &bob.token)
        .await
        .ok(200);
    let mine = ch["permission_overwrites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == bob.id.as_str())
        .cloned()
        .expect("bob's overwrite");
    assert_eq!(
        (mine["type"].as_u64(), mine["allow"].as_str()),
        (Some(1), Some("3072"))
    );
    app.say(&bob.token, &cid, "hello in secret").await;
}

async fn declining_and_cancelling_tell_both_and_only_the_right_side_may(app: &TestApp) {
    // Arrange
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    let mod_ = person(app, "moder").await;
    let stranger = person(app, "stranger").await;
    let (g, _) = app.guild_with(&alice.token, &[&mod_.token]).await;
    let gid = id(&g);
    // The moderator manages the guild (MANAGE_GUILD, 1 << 5).
    let role = app
        .post(
            &format!("/guilds/{gid}/roles"),
            &alice.token,
            json!({"name": "mods", "permissions": (1u64 << 5).to_string()}),
        )
        .await
        .ok(200);
    app.call(
        Method::PUT,
        &format!("/guilds/{gid}/members/{}/roles/{}", mod_.id, id(&role)),
        Some(&alice.token),
        None,
    )
    .await
    .ok(204);
    let (mut alice_gw, _) = Gw::identify(app, &alice.token, None).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob.token, None).await;
    let first = invite(app, &gid, &alice, json!({"recipient_id": bob.id}))
        .await
        .ok(200);
    let (general, fid) = (g["system_channel_id"].as_str().unwrap(), id(&first));
    let second = invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "channel_id": general}),
    )
    .await
    .ok(200);
    let sid = id(&second);
    assert_ne!(fid, sid);

    // Act + Assert: only the recipient answers; only the sender or a manager cancels.
    act(app, &alice, &fid, "accept")
        .await
        .assert_error(403, 50013);
    act(app, &alice, &fid, "decline")
        .await
        .assert_error(403, 50013);
    cancel(app, &bob, &fid).await.assert_error(403, 50013);
    for what in ["accept", "decline"] {
        act(app, &stranger, &fid, what)
            .await
            .assert_error(404, 10006);
    }
    cancel(app, &stranger, &fid).await.assert_error(404, 10006);
    app.get(&format!("/users/@me/directed-invites/{fid}"), &mod_.token)
        .await
        .ok(200);

    // Act: bob declines the first; the moderator cancels the second.
    let declined = act(app, &bob, &fid, "decline").await.ok(200);
    let cancelled = cancel(app, &mod_, &sid).await.ok(200);

    // Assert
    assert_eq!(declined["status"], 2);
    assert_eq!(cancelled["status"], 3);
    for gw in [&mut alice_gw, &mut bob_gw] {
        gw.event("DIRECTED_INVITE_CREATE").await;
        gw.event("DIRECTED_INVITE_CREATE").await;
        assert_eq!(gw.event("DIRECTED_INVITE_UPDATE").await, declined);
        assert_eq!(gw.event("DIRECTED_INVITE_UPDATE").await, cancelled);
    }
    assert_eq!(listed(app, &bob, "?status=2").await, [fid.as_str()]);
    assert_eq!(
        listed(app, &alice, "?status=3&direction=sent").await,
        [sid.as_str()]
    );
    assert!(app
        .get(&format!("/guilds/{gid}/members/{}", bob.id), &alice.token)
        .await
        .status
        .is_client_error());
    // A new invite to the same target may follow an answered one; its sender cancels it.
    let third = invite(app, &gid, &alice, json!({"recipient_id": bob.id}))
        .await
        .ok(200);
    assert_ne!(id(&third), fid);
    assert_eq!(cancel(app, &alice, &id(&third)).await.ok(200)["status"], 3);
}

async fn refusals_carry_their_codes_and_publish_nothing(app: &TestApp) {
    // Arrange
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    let carol = person(app, "carol").await;
    let banned = person(app, "banned").await;
    let blocker = person(app, "blocker").await;
    let outsider = person(app, "outsider").await;
    let (g, _) = app.guild_with(&alice.token, &[&carol.token]).await;
    let gid = id(&g);
    let (bot_id, bot_token) = app.bot(&alice.token, "helper").await;
    app.call(
        Method::PUT,
        &format!("/guilds/{gid}/bans/{}", banned.id),
        Some(&alice.token),
        Some(json!({})),
    )
    .await
    .ok(204);
    app.call(
        Method::PUT,
        &format!("/users/@me/relationships/{}", alice.id),
        Some(&blocker.token),
        Some(json!({"type": 2})),
    )
    .await
    .ok(204);
    // @everyone loses CREATE_INSTANT_INVITE in a second guild of alice's, where carol is.
    let (g2, _) = app.guild_with(&alice.token, &[&carol.token]).await;
    let gid2 = id(&g2);
    app.patch(
        &format!("/guilds/{gid2}/roles/{gid2}"),
        &alice.token,
        json!({"permissions": "1024"}),
    )
    .await
    .ok(200);
    app.drain_events().await;
    let to = |p: &Person| json!({"recipient_id": p.id});

    // Act + Assert
    invite(app, &gid, &alice, to(&alice))
        .await
        .assert_error(400, 50033);
    invite(app, &gid, &alice, json!({"recipient_id": bot_id}))
        .await
        .assert_error(400, 50033);
    invite(app, &gid, &alice, json!({"recipient_id": "12345"}))
        .await
        .assert_error(404, 10013);
    invite(app, &gid, &alice, json!({"username": "nobody"}))
        .await
        .assert_error(404, 10013);
    invite(app, &gid, &alice, to(&carol))
        .await
        .assert_error(400, 190_003);
    invite(app, &gid, &alice, to(&banned))
        .await
        .assert_error(403, 40007);
    invite(app, &gid, &alice, to(&blocker))
        .await
        .assert_error(403, 50007);
    invite(app, &gid, &outsider, to(&bob))
        .await
        .assert_error(403, 50001);
    invite(app, &gid2, &carol, to(&bob))
        .await
        .assert_error(403, 50013);
    invite(app, "99999", &alice, to(&bob))
        .await
        .assert_error(404, 10004);
    invite(app, "abc", &alice, to(&bob))
        .await
        .assert_error(400, 50035);
    app.post(
        &format!("/guilds/{gid}/directed-invites"),
        &bot_token,
        to(&bob),
    )
    .await
    .assert_error(403, 20001);
    app.get("/users/@me/directed-invites", &bot_token)
        .await
        .assert_error(403, 20001);
    invite(app, &gid, &alice, json!({}))
        .await
        .assert_field_error("recipient_id", "BASE_TYPE_REQUIRED");
    invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "username": "bob"}),
    )
    .await
    .assert_field_error("recipient_id", "BASE_TYPE_REQUIRED");
    invite(app, &gid, &alice, json!({"username": "b"}))
        .await
        .assert_field_error("username", "BASE_TYPE_BAD_LENGTH");
    invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "message": "x".repeat(1001)}),
    )
    .await
    .assert_field_error("message", "BASE_TYPE_MAX_LENGTH");
    invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "max_age": 2_592_001}),
    )
    .await
    .assert_field_error("max_age", "NUMBER_TYPE_MAX");
    invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "max_age": "soon"}),
    )
    .await
    .assert_error(400, 50035);
    let raw = app
        .raw(
            Method::POST,
            &format!("/api/v10/guilds/{gid}/directed-invites"),
            Some(&alice.token),
            b"{not json".to_vec(),
        )
        .await;
    raw.assert_error(400, 50109);
    app.get("/users/@me/directed-invites?limit=0", &alice.token)
        .await
        .assert_field_error("limit", "NUMBER_TYPE_MAX");
    app.get("/users/@me/directed-invites?status=9", &alice.token)
        .await
        .assert_error(400, 50035);
    app.get("/users/@me/directed-invites/123", &alice.token)
        .await
        .assert_error(404, 10006);
    app.get("/users/@me/directed-invites/abc", &alice.token)
        .await
        .assert_error(400, 50035);
    act(app, &alice, "123", "accept")
        .await
        .assert_error(404, 10006);
    cancel(app, &alice, "123").await.assert_error(404, 10006);
    assert!(
        app.drain_events().await.is_empty(),
        "refusals publish nothing"
    );

    // A ban after the invite keeps the recipient out, and the invite pending.
    let sent = invite(app, &gid, &alice, to(&bob)).await.ok(200);
    app.call(
        Method::PUT,
        &format!("/guilds/{gid}/bans/{}", bob.id),
        Some(&alice.token),
        Some(json!({})),
    )
    .await
    .ok(204);
    act(app, &bob, &id(&sent), "accept")
        .await
        .assert_error(403, 40007);
    let still = app
        .get(
            &format!("/users/@me/directed-invites/{}", id(&sent)),
            &bob.token,
        )
        .await
        .ok(200);
    assert_eq!(still["status"], 0);
}

async fn expired_invites_are_refused_and_marked_expired(app: &TestApp) {
    // Arrange: invites of one second.
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    let (g, _) = app.guild_with(&alice.token, &[]).await;
    let gid = id(&g);
    let short = invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "max_age": 1}),
    )
    .await
    .ok(200);
    let general = g["system_channel_id"].as_str().unwrap();
    let other = invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "channel_id": general, "max_age": 1}),
    )
    .await
    .ok(200);
    let never = invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "channel_id": general, "max_age": 0}),
    )
    .await;
    // The channel invite is pending: the same target answers it, max_age or not.
    assert_eq!(id(&never.ok(200)), id(&other));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob.token, None).await;

    // Act + Assert: too late to accept; the invite is marked expired and both told.
    act(app, &bob, &id(&short), "accept")
        .await
        .assert_error(400, 190_002);
    let d = bob_gw.event("DIRECTED_INVITE_UPDATE").await;
    assert_eq!(
        (d["id"].as_str(), d["status"].as_u64()),
        (Some(id(&short).as_str()), Some(4))
    );
    assert!(d["resolved_at"].is_string());
    act(app, &bob, &id(&short), "decline")
        .await
        .assert_error(400, 190_001);
    // Inviting again to the expired channel invite's target replaces it.
    let renewed = invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "channel_id": general, "max_age": 0}),
    )
    .await
    .ok(200);
    assert_ne!(id(&renewed), id(&other));
    assert!(renewed["expires_at"].is_null());
    let old = bob_gw.event("DIRECTED_INVITE_UPDATE").await;
    assert_eq!(
        (old["id"].as_str(), old["status"].as_u64()),
        (Some(id(&other).as_str()), Some(4))
    );
    assert!(app
        .get(&format!("/guilds/{gid}/members/{}", bob.id), &alice.token)
        .await
        .status
        .is_client_error());
}

/// The background purge, every second: expired code invites go (INVITE_DELETE), pending
/// directed invites past their expiry become expired (DIRECTED_INVITE_UPDATE to both users).
async fn the_purge_runs_in_the_background(app: &TestApp) {
    // Arrange
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    let (g, general) = app.guild_with(&alice.token, &[]).await;
    let gid = id(&g);
    let (mut alice_gw, _) = Gw::identify(app, &alice.token, None).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob.token, None).await;
    let sent = invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "max_age": 1}),
    )
    .await
    .ok(200);
    let lasting = invite(
        app,
        &gid,
        &alice,
        json!({"recipient_id": bob.id, "channel_id": general}),
    )
    .await
    .ok(200);
    let code = app
        .post(
            &format!("/channels/{general}/invites"),
            &alice.token,
            json!({"max_age": 1, "unique": true}),
        )
        .await
        .ok(200);
    let kept = app
        .post(
            &format!("/channels/{general}/invites"),
            &alice.token,
            json!({"max_age": 0, "unique": true}),
        )
        .await
        .ok(200);

    // Act: wait for the purge.
    let gone = app.event("INVITE_DELETE").await;

    // Assert
    assert_eq!(gone.data["code"], code["code"]);
    for gw in [&mut alice_gw, &mut bob_gw] {
        let d = gw.event("DIRECTED_INVITE_UPDATE").await;
        assert_eq!(
            (d["id"].as_str(), d["status"].as_u64()),
            (Some(id(&sent).as_str()), Some(4))
        );
    }
    let code_path = format!("/invites/{}", code["code"].as_str().unwrap());
    app.get(&code_path, &alice.token)
        .await
        .assert_error(404, 10006);
    let store = app.store().await;
    assert!(store
        .fetch_invite(code["code"].as_str().unwrap())
        .await
        .unwrap()
        .is_none());
    store.close().await;
    let kept_path = format!("/invites/{}", kept["code"].as_str().unwrap());
    app.get(&kept_path, &alice.token).await.ok(200);
    let lasting = app
        .get(
            &format!("/users/@me/directed-invites/{}", id(&lasting)),
            &bob.token,
        )
        .await
        .ok(200);
    assert_eq!(lasting["status"], 0);
}

mod purge {
    use hearth_store::testing::TestDatabase;

    use crate::helpers::TestApp;

    #[tokio::test]
    async fn sqlite() {
        let app = TestApp::spawn_with(TestDatabase::sqlite(), |c| {
            c.invites.purge_interval_secs = 1;
        })
        .await;
        super::the_purge_runs_in_the_background(&app).await;
        app.stop().await;
    }

    #[tokio::test]
    async fn postgres() {
        let Some(db) = TestDatabase::postgres().await else {
            return;
        };
        let app = TestApp::spawn_with(db, |c| c.invites.purge_interval_secs = 1).await;
        super::the_purge_runs_in_the_background(&app).await;
        app.stop().await;
    }
}

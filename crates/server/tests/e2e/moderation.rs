//! Moderation: kicks, bans (with message deletion) and bulk deletes under KICK_MEMBERS,
//! BAN_MEMBERS, MANAGE_MESSAGES and the member hierarchy, with their events, gateway delivery
//! and audit log entries.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom (here and in moderation/)

use hearth_core::{MessageId, Snowflake, Timestamp};
use hearth_protocol::events::Audience;
use reqwest::Method;
use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::{Res, TestApp};

both!(
    a_kicked_member_is_gone_from_the_guild_and_its_events_and_may_come_back,
    bans_live_through_ban_list_get_and_unban_with_events_and_audit,
    a_ban_deletes_recent_messages_asked_for_in_the_query_or_the_body,
    ban_options_are_checked_in_the_query_and_the_body,
    bans_page_by_user_id,
    a_banned_bot_cannot_be_added_again_until_unbanned,
);

mod messages;
mod permissions;

/// KICK_MEMBERS | BAN_MEMBERS | MANAGE_MESSAGES.
const MODERATOR: &str = "8198";

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// A request with an optional `X-Audit-Log-Reason`, `Content-Type` and raw body.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    reason: Option<&str>,
    content_type: Option<&str>,
    body: Option<&[u8]>,
) -> Res {
    let mut req = app
        .client
        .request(method, format!("{}/api/v10{path}", app.base))
        .header("Authorization", token);
    if let Some(r) = reason {
        req = req.header("X-Audit-Log-Reason", r);
    }
    if let Some(c) = content_type {
        req = req.header("Content-Type", c);
    }
    if let Some(b) = body {
        req = req.body(b.to_vec());
    }
    TestApp::read(req.send().await.expect("request")).await
}

async fn put(app: &TestApp, path: &str, token: &str, body: Option<Value>) -> Res {
    app.call(Method::PUT, path, Some(token), body).await
}

/// Creates a role with `permissions` (at position 1, the others move up); returns its id.
async fn role(app: &TestApp, gid: &str, owner: &str, name: &str, permissions: &str) -> String {
    id(&app
        .post(
            &format!("/guilds/{gid}/roles"),
            owner,
            json!({"name": name, "permissions": permissions}),
        )
        .await
        .ok(200))
}

async fn give(app: &TestApp, gid: &str, owner: &str, user: &str, role: &str) {
    put(
        app,
        &format!("/guilds/{gid}/members/{user}/roles/{role}"),
        owner,
        None,
    )
    .await
    .ok(204);
}

/// The guild's audit log entries, newest first.
async fn audit(app: &TestApp, gid: &str, owner: &str) -> Vec<Value> {
    app.get(&format!("/guilds/{gid}/audit-logs"), owner)
        .await
        .ok(200)["audit_log_entries"]
        .as_array()
        .expect("entries")
        .clone()
}

/// The names of the events published and not read yet, presence updates left out (sessions
/// publish them when they please).
async fn drained(app: &TestApp) -> Vec<String> {
    let mut names = app.drain_events().await;
    names.retain(|n| n != "PRESENCE_UPDATE");
    names
}

/// An invite code to the guild's general channel.
async fn invite(app: &TestApp, owner: &str, general: &str) -> String {
    app.post(&format!("/channels/{general}/invites"), owner, json!({}))
        .await
        .ok(200)["code"]
        .as_str()
        .expect("code")
        .to_owned()
}

async fn a_kicked_member_is_gone_from_the_guild_and_its_events_and_may_come_back(app: &TestApp) {
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (g, general) = app.guild_with(&owner, &[&alice, &bob]).await;
    let gid = id(&g);
    let (alice_id, bob_id) = (app.user_id(&alice).await, app.user_id(&bob).await);
    let mods = role(app, &gid, &owner, "mods", MODERATOR).await;
    give(app, &gid, &owner, &alice_id, &mods).await;
    let (mut gw, _) = Gw::identify(app, &bob, None).await;
    gw.event("GUILD_CREATE").await;
    app.drain_events().await;

    send(
        app,
        Method::DELETE,
        &format!("/guilds/{gid}/members/{bob_id}"),
        &alice,
        Some("too%20loud"),
        None,
        None,
    )
    .await
    .ok(204);
    let e = app.event("GUILD_MEMBER_REMOVE").await;
    assert_eq!(
        (e.data["guild_id"].as_str(), e.data["user"]["id"].as_str()),
        (Some(gid.as_str()), Some(bob_id.as_str()))
    );
    let e = app.event("GUILD_DELETE").await;
    assert_eq!(e.data, json!({"id": gid, "unavailable": false}));
    assert_eq!(
        e.audience,
        Audience::User {
            user_id: bob_id.parse().unwrap()
        }
    );
    // Bob's session loses the guild and hears nothing more of it.
    assert_eq!(gw.event("GUILD_DELETE").await["id"], gid.as_str());
    app.say(&owner, &general, "after the kick").await;
    gw.quiet(300).await;
    app.get(&format!("/guilds/{gid}/members/{bob_id}"), &owner)
        .await
        .assert_error(404, 10007);
    app.get(&format!("/guilds/{gid}"), &bob)
        .await
        .assert_error(403, 50001);
    app.delete(&format!("/guilds/{gid}/members/{bob_id}"), &alice)
        .await
        .assert_error(404, 10007);

    let entries = audit(app, &gid, &owner).await;
    let kick = &entries[0];
    assert_eq!(
        (
            kick["action_type"].as_i64(),
            kick["user_id"].as_str(),
            kick["target_id"].as_str(),
            kick["reason"].as_str()
        ),
        (
            Some(20),
            Some(alice_id.as_str()),
            Some(bob_id.as_str()),
            Some("too loud")
        )
    );
    // A kick is not a ban: Bob may join again.
    let code = invite(app, &owner, &general).await;
    app.post(&format!("/invites/{code}"), &bob, json!({}))
        .await
        .ok(200);
    app.get(&format!("/guilds/{gid}/members/{bob_id}"), &owner)
        .await
        .ok(200);
}

async fn bans_live_through_ban_list_get_and_unban_with_events_and_audit(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let (g, general) = app.guild_with(&owner, &[&bob]).await;
    let gid = id(&g);
    let (bob_id, carol_id) = (app.user_id(&bob).await, app.user_id(&carol).await);
    // GUILDS | GUILD_MEMBERS | GUILD_MODERATION.
    let (mut mod_gw, _) = Gw::identify(app, &owner, Some(1 | 2 | 4)).await;
    mod_gw.event("GUILD_CREATE").await;
    let (mut bob_gw, _) = Gw::identify(app, &bob, None).await;
    bob_gw.event("GUILD_CREATE").await;
    app.drain_events().await;

    // A member: removed, then banned.
    send(
        app,
        Method::PUT,
        &format!("/guilds/{gid}/bans/{bob_id}"),
        &owner,
        Some("spam"),
        None,
        None,
    )
    .await
    .ok(204);
    assert_eq!(
        drained(app).await,
        [
            "GUILD_BAN_ADD",
            "GUILD_MEMBER_REMOVE",
            "GUILD_DELETE",
            "GUILD_AUDIT_LOG_ENTRY_CREATE"
        ]
    );
    assert_eq!(bob_gw.event("GUILD_DELETE").await["id"], gid.as_str());
    // The moderator's session: the ban first, then the member's removal.
    let d = mod_gw.event("GUILD_BAN_ADD").await;
    assert_eq!(
        (d["guild_id"].as_str(), d["user"]["id"].as_str()),
        (Some(gid.as_str()), Some(bob_id.as_str()))
    );
    assert_eq!(d["user"]["username"], "bob");
    assert_eq!(
        mod_gw.event("GUILD_MEMBER_REMOVE").await["user"]["id"],
        bob_id.as_str()
    );
    app.get(&format!("/guilds/{gid}"), &bob)
        .await
        .assert_error(403, 50001);
    // Someone who never was a member can be banned too.
    put(app, &format!("/guilds/{gid}/bans/{carol_id}"), &owner, None)
        .await
        .ok(204);
    assert_eq!(
        drained(app).await,
        ["GUILD_BAN_ADD", "GUILD_AUDIT_LOG_ENTRY_CREATE"]
    );

    let bans = app
        .get(&format!("/guilds/{gid}/bans"), &owner)
        .await
        .ok(200);
    assert_eq!(
        bans,
        json!([
            {"user": app.get(&format!("/users/{bob_id}"), &owner).await.ok(200), "reason": "spam"},
            {"user": app.get(&format!("/users/{carol_id}"), &owner).await.ok(200), "reason": null},
        ])
    );
    let one = app
        .get(&format!("/guilds/{gid}/bans/{bob_id}"), &owner)
        .await
        .ok(200);
    assert_eq!(
        (one["user"]["id"].as_str(), one["reason"].as_str()),
        (Some(bob_id.as_str()), Some("spam"))
    );

    // Banned users cannot come back by invite.
    let code = invite(app, &owner, &general).await;
    let invite_path = format!("/invites/{code}");
    let uses_before = app.get(&invite_path, &owner).await.ok(200)["uses"].clone();
    app.post(&invite_path, &bob, json!({}))
        .await
        .assert_error(403, 40007);
    app.post(&invite_path, &carol, json!({}))
        .await
        .assert_error(403, 40007);
    assert_eq!(
        app.get(&invite_path, &owner).await.ok(200)["uses"],
        uses_before
    );

    // Banning again replaces the reason and announces nothing new (but is recorded).
    send(
        app,
        Method::PUT,
        &format!("/guilds/{gid}/bans/{bob_id}"),
        &owner,
        Some("still spam"),
        Some("application/octet-stream"),
        Some(b""),
    )
    .await
    .ok(204);
    assert_eq!(drained(app).await, ["GUILD_AUDIT_LOG_ENTRY_CREATE"]);
    assert_eq!(
        app.get(&format!("/guilds/{gid}/bans/{bob_id}"), &owner)
            .await
            .ok(200)["reason"],
        "still spam"
    );

    send(
        app,
        Method::DELETE,
        &format!("/guilds/{gid}/bans/{bob_id}"),
        &owner,
        Some("forgiven"),
        None,
        None,
    )
    .await
    .ok(204);
    let e = app.event("GUILD_BAN_REMOVE").await;
    assert_eq!(
        (e.data["guild_id"].as_str(), e.data["user"]["id"].as_str()),
        (Some(gid.as_str()), Some(bob_id.as_str()))
    );
    assert_eq!(
        mod_gw.event("GUILD_BAN_REMOVE").await["user"]["id"],
        bob_id.as_str()
    );
    app.delete(&format!("/guilds/{gid}/bans/{bob_id}"), &owner)
        .await
        .assert_error(404, 10026);
    app.get(&format!("/guilds/{gid}/bans/{bob_id}"), &owner)
        .await
        .assert_error(404, 10026);
    app.post(&format!("/invites/{code}"), &bob, json!({}))
        .await
        .ok(200);
    // Unknown users cannot be banned.
    put(app, &format!("/guilds/{gid}/bans/12345"), &owner, None)
        .await
        .assert_error(404, 10013);

    let entries = audit(app, &gid, &owner).await;
    let summary: Vec<(i64, &str, Option<&str>)> = entries
        .iter()
        .filter(|e| [20, 22, 23].contains(&e["action_type"].as_i64().unwrap()))
        .map(|e| {
            (
                e["action_type"].as_i64().unwrap(),
                e["target_id"].as_str().unwrap(),
                e["reason"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (23, bob_id.as_str(), Some("forgiven")),
            (22, bob_id.as_str(), Some("still spam")),
            (22, carol_id.as_str(), None),
            (22, bob_id.as_str(), Some("spam")),
        ]
    );
}

/// Stores a message of `author` made `age_secs` ago in `channel` (as if posted then).
async fn old_message(app: &TestApp, channel: &str, author: &str, age_secs: i64) -> String {
    let at = Timestamp::now().plus_seconds(-age_secs);
    let id = MessageId::from_i64(Snowflake::from_unix_millis(at.0 as u64 / 1000).as_i64() + 1);
    let message = hearth_store::Message {
        channel_id: channel.parse().unwrap(),
        id,
        author_id: author.parse().unwrap(),
        kind: 0,
        content: "from the past".into(),
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
    id.to_string()
}

/// The `MESSAGE_DELETE_BULK` events published so far and not read, as (channel, ids).
async fn bulk_deletes(app: &TestApp, n: usize) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let e = app.event("MESSAGE_DELETE_BULK").await;
        let ids = e.data["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            e.data["guild_id"],
            e.audience.guild_id().unwrap().to_string()
        );
        out.push((e.data["channel_id"].as_str().unwrap().to_owned(), ids));
    }
    out.sort();
    out
}

async fn a_ban_deletes_recent_messages_asked_for_in_the_query_or_the_body(app: &TestApp) {
    let owner = app.register("owner").await;
    let names = ["bob", "dave", "erin", "frank"];
    let mut tokens = Vec::new();
    for n in names {
        tokens.push(app.register(n).await);
    }
    let others: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let (g, general) = app.quiet_guild_with(&owner, &others).await;
    let gid = id(&g);
    let talk = id(&app
        .post(
            &format!("/guilds/{gid}/channels"),
            &owner,
            json!({"name": "talk"}),
        )
        .await
        .ok(201));
    let mut ids = Vec::new();
    for t in &tokens {
        ids.push(app.user_id(t).await);
    }
    let (bob, dave, erin, frank) = (&tokens[0], &tokens[1], &tokens[2], &tokens[3]);

    // discord.py: the window in the query, an empty body labelled application/octet-stream.
    let b1 = id(&app.say(bob, &general, "one").await);
    let b2 = id(&app.say(bob, &talk, "two").await);
    let b3 = id(&app.say(bob, &general, "three").await);
    let b_old = old_message(app, &general, &ids[0], 7200).await;
    let kept = id(&app.say(&owner, &general, "the owner's").await);
    app.drain_events().await;
    send(
        app,
        Method::PUT,
        &format!("/guilds/{gid}/bans/{}?delete_message_seconds=3600", ids[0]),
        &owner,
        None,
        Some("application/octet-stream"),
        Some(b""),
    )
    .await
    .ok(204);
    let mut want = vec![
        (general.clone(), vec![b1.clone(), b3.clone()]),
        (talk.clone(), vec![b2.clone()]),
    ];
    want.sort();
    assert_eq!(bulk_deletes(app, 2).await, want);
    for (c, m) in [(&general, &b1), (&talk, &b2), (&general, &b3)] {
        app.get(&format!("/channels/{c}/messages/{m}"), &owner)
            .await
            .assert_error(404, 10008);
    }
    for m in [&b_old, &kept] {
        app.get(&format!("/channels/{general}/messages/{m}"), &owner)
            .await
            .ok(200);
    }

    // discord.js: the window in a JSON body.
    let d1 = id(&app.say(dave, &talk, "dave").await);
    put(
        app,
        &format!("/guilds/{gid}/bans/{}", ids[1]),
        &owner,
        Some(json!({"delete_message_seconds": 600})),
    )
    .await
    .ok(204);
    assert_eq!(bulk_deletes(app, 1).await, [(talk.clone(), vec![d1])]);

    // The deprecated days, in the query without any body or content type.
    let e1 = id(&app.say(erin, &general, "erin").await);
    send(
        app,
        Method::PUT,
        &format!("/guilds/{gid}/bans/{}?delete_message_days=1", ids[2]),
        &owner,
        None,
        None,
        None,
    )
    .await
    .ok(204);
    assert_eq!(bulk_deletes(app, 1).await, [(general.clone(), vec![e1])]);

    // Without a window nothing is deleted.
    let f1 = id(&app.say(frank, &general, "frank").await);
    app.drain_events().await;
    put(
        app,
        &format!("/guilds/{gid}/bans/{}", ids[3]),
        &owner,
        Some(json!({})),
    )
    .await
    .ok(204);
    assert!(!app
        .drain_events()
        .await
        .contains(&"MESSAGE_DELETE_BULK".to_owned()));
    app.get(&format!("/channels/{general}/messages/{f1}"), &owner)
        .await
        .ok(200);
}

async fn ban_options_are_checked_in_the_query_and_the_body(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (g, _) = app.guild_with(&owner, &[&bob]).await;
    let gid = id(&g);
    let bob_id = app.user_id(&bob).await;
    let path = format!("/guilds/{gid}/bans/{bob_id}");
    let query = |q: &str| format!("{path}?{q}");
    for (q, field, code) in [
        (
            "delete_message_seconds=604801",
            "delete_message_seconds",
            "NUMBER_TYPE_MAX",
        ),
        (
            "delete_message_seconds=-1",
            "delete_message_seconds",
            "NUMBER_TYPE_MIN",
        ),
        (
            "delete_message_days=8",
            "delete_message_days",
            "NUMBER_TYPE_MAX",
        ),
        (
            "delete_message_seconds=abc",
            "delete_message_seconds",
            "BASE_TYPE_INVALID",
        ),
    ] {
        put(app, &query(q), &owner, None)
            .await
            .assert_field_error(field, code);
    }
    for (body, field, code) in [
        (
            json!({"delete_message_seconds": 604_801}),
            "delete_message_seconds",
            "NUMBER_TYPE_MAX",
        ),
        (
            json!({"delete_message_seconds": -5}),
            "delete_message_seconds",
            "NUMBER_TYPE_MIN",
        ),
        (
            json!({"delete_message_days": -1}),
            "delete_message_days",
            "NUMBER_TYPE_MIN",
        ),
        (
            json!({"delete_message_seconds": "soon"}),
            "delete_message_seconds",
            "BASE_TYPE_INVALID",
        ),
        (
            json!({"delete_message_seconds": 1.5}),
            "delete_message_seconds",
            "BASE_TYPE_INVALID",
        ),
    ] {
        put(app, &path, &owner, Some(body))
            .await
            .assert_field_error(field, code);
    }
    let json_type = Some("application/json");
    send(
        app,
        Method::PUT,
        &path,
        &owner,
        None,
        json_type,
        Some(b"{\"delete"),
    )
    .await
    .assert_error(400, 50109);
    send(
        app,
        Method::PUT,
        &path,
        &owner,
        None,
        json_type,
        Some(b"[1]"),
    )
    .await
    .assert_error(400, 50035);
    // A reason over 512 characters is refused.
    let long = "x".repeat(513);
    send(app, Method::PUT, &path, &owner, Some(&long), None, None)
        .await
        .assert_error(400, 50035);
    // Nothing happened: Bob is a member and not banned.
    app.get(&format!("/guilds/{gid}/members/{bob_id}"), &owner)
        .await
        .ok(200);
    app.get(&path, &owner).await.assert_error(404, 10026);
    // The limits themselves are accepted.
    put(app, &query("delete_message_seconds=604800"), &owner, None)
        .await
        .ok(204);
    put(app, &path, &owner, Some(json!({"delete_message_days": 7})))
        .await
        .ok(204);
}

async fn bans_page_by_user_id(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g, _) = app.guild_with(&owner, &[]).await;
    let gid = id(&g);
    let mut users = Vec::new();
    for i in 0..5 {
        let token = app.register(&format!("user{i}")).await;
        let uid = app.user_id(&token).await;
        put(app, &format!("/guilds/{gid}/bans/{uid}"), &owner, None)
            .await
            .ok(204);
        users.push(uid);
    }
    let page = |q: String| {
        let owner = owner.clone();
        let gid = gid.clone();
        async move {
            app.get(&format!("/guilds/{gid}/bans{q}"), &owner)
                .await
                .ok(200)
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["user"]["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(String::new()).await, users);
    assert_eq!(page("?limit=2".into()).await, users[..2]);
    assert_eq!(
        page(format!("?after={}&limit=2", users[1])).await,
        users[2..4]
    );
    assert_eq!(
        page(format!("?before={}&limit=2", users[4])).await,
        users[2..4]
    );
    assert_eq!(
        page(format!("?after={}&before={}", users[0], users[3])).await,
        users[1..3]
    );
    for q in ["limit=0", "limit=1001", "limit=ten", "after=x1"] {
        app.get(&format!("/guilds/{gid}/bans?{q}"), &owner)
            .await
            .assert_error(400, 50035);
    }
}

async fn a_banned_bot_cannot_be_added_again_until_unbanned(app: &TestApp) {
    let owner = app.register("owner").await;
    let (bot_id, bot) = app.bot(&owner, "helper").await;
    let (g, _) = app.guild_with(&owner, &[]).await;
    let gid = id(&g);
    let path = format!("/oauth2/authorize?client_id={bot_id}&scope=bot");
    let add = json!({"guild_id": gid, "authorize": true});
    app.post(&path, &owner, add.clone()).await.ok(200);
    put(app, &format!("/guilds/{gid}/bans/{bot_id}"), &owner, None)
        .await
        .ok(204);
    app.get(&format!("/guilds/{gid}"), &bot)
        .await
        .assert_error(403, 50001);
    app.post(&path, &owner, add.clone())
        .await
        .assert_error(403, 40007);
    app.delete(&format!("/guilds/{gid}/bans/{bot_id}"), &owner)
        .await
        .ok(204);
    app.post(&path, &owner, add).await.ok(200);
    app.get(&format!("/guilds/{gid}"), &bot).await.ok(200);
}

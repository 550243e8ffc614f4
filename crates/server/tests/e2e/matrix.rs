//! The permission matrix: for every endpoint that needs a permission, a member holding every
//! other permission is refused (403 50013, or 50001 for VIEW_CHANNEL), a member holding it in
//! the guild but denied it by the channel's overwrite is refused too (channel endpoints), and a
//! member holding it succeeds. Each attempt runs in a guild of its own, so what a successful
//! call changes never decides another.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

both!(every_endpoint_refuses_a_caller_lacking_the_permission_it_needs,);

/// Every permission bit but ADMINISTRATOR.
const ALL_BUT_ADMIN: u64 = ((1u64 << 53) - 1) & !(1u64 << 47) & !(1u64 << 3);
const INVITE: u64 = 1;
const KICK: u64 = 1 << 1;
const BAN: u64 = 1 << 2;
const MANAGE_CHANNELS: u64 = 1 << 4;
const MANAGE_GUILD: u64 = 1 << 5;
const AUDIT: u64 = 1 << 7;
const VIEW: u64 = 1 << 10;
const SEND: u64 = 1 << 11;
const MANAGE_MESSAGES: u64 = 1 << 13;
const HISTORY: u64 = 1 << 16;
const CHANGE_NICK: u64 = 1 << 26;
const MANAGE_NICKS: u64 = 1 << 27;
const MANAGE_ROLES: u64 = 1 << 28;
const MODERATE: u64 = 1 << 40;

/// One guild made for one attempt.
struct Ctx {
    gid: String,
    channel: String,
    messages: Vec<String>,
    role: String,
    victim: String,
    /// A user banned from the guild.
    banned: String,
    invite: String,
    app: String,
}

/// The accounts every attempt uses.
struct People {
    owner: String,
    tester: String,
    tester_id: String,
    victim: String,
    victim_id: String,
    banned_id: String,
    app: String,
}

type Call = (Method, String, Option<Value>);

struct Case {
    needed: u64,
    /// A channel endpoint: a channel overwrite can take the permission away.
    channel: bool,
    call: fn(&Ctx) -> Call,
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// A guild where @everyone holds nothing, the tester holds `bits` through a role (above the
/// role `role`), and the channel denies the tester `deny`.
async fn setup(app: &TestApp, p: &People, bits: u64, deny: u64) -> Ctx {
    let g = app.guild(&p.owner, "Matrix").await;
    let gid = id(&g);
    let channel = g["system_channel_id"].as_str().expect("general").to_owned();
    let invite = app
        .post(
            &format!("/channels/{channel}/invites"),
            &p.owner,
            json!({"unique": true}),
        )
        .await
        .ok(200)["code"]
        .as_str()
        .expect("code")
        .to_owned();
    for t in [&p.tester, &p.victim] {
        app.post(&format!("/invites/{invite}"), t, json!({}))
            .await
            .ok(200);
    }
    app.patch(
        &format!("/guilds/{gid}/roles/{gid}"),
        &p.owner,
        json!({"permissions": "0"}),
    )
    .await
    .ok(200);
    let mine = app
        .post(
            &format!("/guilds/{gid}/roles"),
            &p.owner,
            json!({"name": "tester", "permissions": bits.to_string()}),
        )
        .await
        .ok(200);
    app.call(
        Method::PUT,
        &format!("/guilds/{gid}/members/{}/roles/{}", p.tester_id, id(&mine)),
        Some(&p.owner),
        None,
    )
    .await
    .ok(204);
    let role = id(&app
        .post(
            &format!("/guilds/{gid}/roles"),
            &p.owner,
            json!({"name": "low"}),
        )
        .await
        .ok(200));
    let mut messages = Vec::new();
    for text in ["one", "two"] {
        messages.push(id(&app.say(&p.owner, &channel, text).await));
    }
    app.call(
        Method::PUT,
        &format!("/channels/{channel}/permissions/{gid}"),
        Some(&p.owner),
        Some(json!({"type": 0, "deny": "64"})),
    )
    .await
    .ok(204);
    app.call(
        Method::PUT,
        &format!("/guilds/{gid}/bans/{}", p.banned_id),
        Some(&p.owner),
        None,
    )
    .await
    .ok(204);
    if deny != 0 {
        app.call(
            Method::PUT,
            &format!("/channels/{channel}/permissions/{}", p.tester_id),
            Some(&p.owner),
            Some(json!({"type": 1, "deny": deny.to_string()})),
        )
        .await
        .ok(204);
    }
    Ctx {
        gid,
        channel,
        messages,
        role,
        victim: p.victim_id.clone(),
        banned: p.banned_id.clone(),
        invite,
        app: p.app.clone(),
    }
}

fn cases() -> Vec<Case> {
    fn g(needed: u64, call: fn(&Ctx) -> Call) -> Case {
        Case {
            needed,
            channel: false,
            call,
        }
    }
    fn c(needed: u64, call: fn(&Ctx) -> Call) -> Case {
        Case {
            needed,
            channel: true,
            call,
        }
    }
    vec![
        g(MANAGE_GUILD, |x| {
            (
                Method::PATCH,
                format!("/guilds/{}", x.gid),
                Some(json!({"name": "renamed"})),
            )
        }),
        g(MANAGE_GUILD, |x| {
            (Method::GET, format!("/guilds/{}/invites", x.gid), None)
        }),
        g(MANAGE_GUILD, |x| {
            (
                Method::POST,
                format!(
                    "/oauth2/authorize?client_id={}&scope=bot&permissions=0",
                    x.app
                ),
                Some(json!({"guild_id": x.gid, "authorize": true})),
            )
        }),
        g(MANAGE_CHANNELS, |x| {
            (
                Method::POST,
                format!("/guilds/{}/channels", x.gid),
                Some(json!({"name": "new"})),
            )
        }),
        g(MANAGE_CHANNELS, |x| {
            (
                Method::PATCH,
                format!("/guilds/{}/channels", x.gid),
                Some(json!([{"id": x.channel, "position": 3}])),
            )
        }),
        g(MANAGE_ROLES, |x| {
            (
                Method::POST,
                format!("/guilds/{}/roles", x.gid),
                Some(json!({"name": "r"})),
            )
        }),
        g(MANAGE_ROLES, |x| {
            (
                Method::PATCH,
                format!("/guilds/{}/roles/{}", x.gid, x.role),
                Some(json!({"name": "r2"})),
            )
        }),
        g(MANAGE_ROLES, |x| {
            (
                Method::PATCH,
                format!("/guilds/{}/roles", x.gid),
                Some(json!([{"id": x.role, "position": 1}])),
            )
        }),
        g(MANAGE_ROLES, |x| {
            (
                Method::DELETE,
                format!("/guilds/{}/roles/{}", x.gid, x.role),
                None,
            )
        }),
        g(MANAGE_ROLES, |x| {
            (
                Method::PUT,
                format!("/guilds/{}/members/{}/roles/{}", x.gid, x.victim, x.role),
                None,
            )
        }),
        g(MANAGE_ROLES, |x| {
            (
                Method::DELETE,
                format!("/guilds/{}/members/{}/roles/{}", x.gid, x.victim, x.role),
                None,
            )
        }),
        g(MANAGE_ROLES, |x| {
            (
                Method::PATCH,
                format!("/guilds/{}/members/{}", x.gid, x.victim),
                Some(json!({"roles": [x.role]})),
            )
        }),
        g(MANAGE_NICKS, |x| {
            (
                Method::PATCH,
                format!("/guilds/{}/members/{}", x.gid, x.victim),
                Some(json!({"nick": "nn"})),
            )
        }),
        g(MODERATE, |x| {
            let until = hearth_core::Timestamp::now().plus_seconds(3600).to_iso();
            (
                Method::PATCH,
                format!("/guilds/{}/members/{}", x.gid, x.victim),
                Some(json!({"communication_disabled_until": until})),
            )
        }),
        g(CHANGE_NICK | MANAGE_NICKS, |x| {
            (
                Method::PATCH,
                format!("/guilds/{}/members/@me", x.gid),
                Some(json!({"nick": "me"})),
            )
        }),
        g(AUDIT, |x| {
            (Method::GET, format!("/guilds/{}/audit-logs", x.gid), None)
        }),
        g(KICK, |x| {
            (
                Method::DELETE,
                format!("/guilds/{}/members/{}", x.gid, x.victim),
                None,
            )
        }),
        g(BAN, |x| {
            (
                Method::PUT,
                format!("/guilds/{}/bans/{}", x.gid, x.victim),
                Some(json!({"delete_message_seconds": 60})),
            )
        }),
        g(BAN, |x| {
            (
                Method::DELETE,
                format!("/guilds/{}/bans/{}", x.gid, x.banned),
                None,
            )
        }),
        g(BAN, |x| {
            (Method::GET, format!("/guilds/{}/bans", x.gid), None)
        }),
        g(BAN, |x| {
            (
                Method::GET,
                format!("/guilds/{}/bans/{}", x.gid, x.banned),
                None,
            )
        }),
        g(MANAGE_CHANNELS | MANAGE_GUILD, |x| {
            (Method::DELETE, format!("/invites/{}", x.invite), None)
        }),
        c(VIEW, |x| {
            (Method::GET, format!("/channels/{}", x.channel), None)
        }),
        c(VIEW, |x| {
            (
                Method::GET,
                format!("/channels/{}/messages", x.channel),
                None,
            )
        }),
        c(MANAGE_CHANNELS, |x| {
            (
                Method::PATCH,
                format!("/channels/{}", x.channel),
                Some(json!({"topic": "t"})),
            )
        }),
        c(MANAGE_CHANNELS, |x| {
            (Method::DELETE, format!("/channels/{}", x.channel), None)
        }),
        c(MANAGE_CHANNELS, |x| {
            (
                Method::GET,
                format!("/channels/{}/invites", x.channel),
                None,
            )
        }),
        c(MANAGE_ROLES, |x| {
            (
                Method::PUT,
                format!("/channels/{}/permissions/{}", x.channel, x.victim),
                Some(json!({"type": 1, "deny": SEND.to_string()})),
            )
        }),
        c(MANAGE_ROLES, |x| {
            (
                Method::DELETE,
                format!("/channels/{}/permissions/{}", x.channel, x.gid),
                None,
            )
        }),
        c(MANAGE_ROLES, |x| {
            (
                Method::PATCH,
                format!("/channels/{}", x.channel),
                Some(json!({"permission_overwrites": []})),
            )
        }),
        c(SEND, |x| {
            (
                Method::POST,
                format!("/channels/{}/messages", x.channel),
                Some(json!({"content": "hi"})),
            )
        }),
        c(SEND, |x| {
            (
                Method::POST,
                format!("/channels/{}/typing", x.channel),
                None,
            )
        }),
        c(HISTORY, |x| {
            (
                Method::GET,
                format!("/channels/{}/messages/{}", x.channel, x.messages[0]),
                None,
            )
        }),
        c(MANAGE_MESSAGES, |x| {
            (
                Method::DELETE,
                format!("/channels/{}/messages/{}", x.channel, x.messages[0]),
                None,
            )
        }),
        c(MANAGE_MESSAGES, |x| {
            (
                Method::POST,
                format!("/channels/{}/messages/bulk-delete", x.channel),
                Some(json!({"messages": x.messages})),
            )
        }),
        c(INVITE, |x| {
            (
                Method::POST,
                format!("/channels/{}/invites", x.channel),
                Some(json!({})),
            )
        }),
    ]
}

async fn every_endpoint_refuses_a_caller_lacking_the_permission_it_needs(app: &TestApp) {
    let owner = app.register("owner").await;
    let tester = app.register("tester").await;
    let victim = app.register("victim").await;
    let banned = app.register("banned").await;
    let (app_id, _) = app.bot(&tester, "helper").await;
    let people = People {
        tester_id: app.user_id(&tester).await,
        victim_id: app.user_id(&victim).await,
        banned_id: app.user_id(&banned).await,
        owner,
        tester,
        victim,
        app: app_id,
    };
    for case in cases() {
        // Everything but the permission.
        let x = setup(app, &people, ALL_BUT_ADMIN & !case.needed, 0).await;
        let (method, path, body) = (case.call)(&x);
        let want = if case.needed == VIEW { 50001 } else { 50013 };
        let res = app
            .call(method.clone(), &path, Some(&people.tester), body.clone())
            .await;
        assert_eq!(
            (res.status.as_u16(), res.body["code"].as_u64()),
            (403, Some(want)),
            "{method} {path} without the permission: {}",
            res.body
        );
        // Held in the guild, denied by the channel.
        if case.channel {
            let x = setup(app, &people, ALL_BUT_ADMIN, case.needed).await;
            let (method, path, body) = (case.call)(&x);
            let res = app
                .call(method.clone(), &path, Some(&people.tester), body)
                .await;
            assert_eq!(
                (res.status.as_u16(), res.body["code"].as_u64()),
                (403, Some(want)),
                "{method} {path} denied in the channel: {}",
                res.body
            );
        }
        // Held: the call succeeds.
        let x = setup(app, &people, ALL_BUT_ADMIN, 0).await;
        let (method, path, body) = (case.call)(&x);
        let res = app
            .call(method.clone(), &path, Some(&people.tester), body)
            .await;
        assert!(
            res.status.is_success(),
            "{method} {path} with the permission: {} {}",
            res.status,
            res.body
        );
    }
}

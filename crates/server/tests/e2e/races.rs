//! Writes racing the deletion of what they name: messages, overwrites and invites sent while
//! their channel is deleted, roles given while the role is deleted. Each write is either done
//! or refused as a client error (the thing is gone, or no longer visible); never a 500.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

both!(
    messages_racing_the_deletion_of_their_channel_never_answer_500,
    overwrites_and_invites_racing_the_deletion_of_their_channel_never_answer_500,
    role_grants_racing_the_deletion_of_the_role_never_answer_500,
);

/// How many times each race is run, since an interleaving shows up only sometimes.
const ROUNDS: usize = 3;

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// A request of the race: method, path and body.
type Request = (Method, String, Option<Value>);

/// Sends `writes` with `deletion` among them, all at once; returns the deletion's status and
/// asserts that each write answered one of `allowed`, a refusal in Discord's error shape.
async fn race(
    app: &TestApp,
    token: &str,
    writes: Vec<Request>,
    deletion: String,
    allowed: &[u16],
) -> u16 {
    let half = writes.len() / 2;
    let mut requests = writes;
    requests.insert(half, (Method::DELETE, deletion, None));
    let answers = join_all(
        requests
            .iter()
            .map(|(method, path, body)| app.call(method.clone(), path, Some(token), body.clone())),
    )
    .await;
    let mut answers = answers.into_iter();
    let before: Vec<_> = answers.by_ref().take(half).collect();
    let deleted = answers.next().expect("the deletion");
    for answer in before.iter().chain(answers.as_slice()) {
        let status = answer.status.as_u16();
        assert!(
            allowed.contains(&status),
            "answered {status}: {}",
            answer.body
        );
        if status >= 400 {
            assert!(answer.body["code"].is_u64(), "body: {}", answer.body);
        }
    }
    deleted.status.as_u16()
}

/// Creates a text channel in the guild; returns its id.
async fn channel(app: &TestApp, token: &str, gid: &str) -> String {
    let path = format!("/guilds/{gid}/channels");
    id(&app
        .post(&path, token, json!({"name": "doomed"}))
        .await
        .ok(201))
}

async fn messages_racing_the_deletion_of_their_channel_never_answer_500(app: &TestApp) {
    let owner = app.register("owner").await;
    let (guild, _) = app.guild_with(&owner, &[]).await;
    let gid = id(&guild);
    for _ in 0..ROUNDS {
        let cid = channel(app, &owner, &gid).await;
        let writes = (0..20)
            .map(|i| {
                let body = json!({"content": format!("message {i}")});
                (
                    Method::POST,
                    format!("/channels/{cid}/messages"),
                    Some(body),
                )
            })
            .collect();

        let deleted = race(
            app,
            &owner,
            writes,
            format!("/channels/{cid}"),
            &[200, 403, 404],
        )
        .await;

        assert_eq!(deleted, 200);
        let gone = app.get(&format!("/channels/{cid}/messages"), &owner).await;
        gone.assert_error(404, 10003);
    }
}

async fn overwrites_and_invites_racing_the_deletion_of_their_channel_never_answer_500(
    app: &TestApp,
) {
    let owner = app.register("owner").await;
    let (guild, _) = app.guild_with(&owner, &[]).await;
    let gid = id(&guild);
    let owner_id = app.user_id(&owner).await;
    for _ in 0..ROUNDS {
        let cid = channel(app, &owner, &gid).await;
        let mut writes: Vec<Request> = Vec::new();
        for i in 0..10 {
            let (target, kind) = if i % 2 == 0 {
                (gid.as_str(), 0)
            } else {
                (owner_id.as_str(), 1)
            };
            let body = json!({"type": kind, "allow": (1 << 11).to_string(), "deny": "0"});
            let path = format!("/channels/{cid}/permissions/{target}");
            writes.push((Method::PUT, path, Some(body)));
            let path = format!("/channels/{cid}/invites");
            writes.push((Method::POST, path, Some(json!({"unique": true}))));
        }

        let allowed = [200, 204, 403, 404];
        let deleted = race(app, &owner, writes, format!("/channels/{cid}"), &allowed).await;

        assert_eq!(deleted, 200);
        let invites = app.get(&format!("/guilds/{gid}/invites"), &owner).await;
        assert_eq!(invites.ok(200), json!([]));
    }
}

async fn role_grants_racing_the_deletion_of_the_role_never_answer_500(app: &TestApp) {
    let owner = app.register("owner").await;
    let others = ["alice", "bob", "carol", "dave"];
    let mut tokens = Vec::new();
    for name in others {
        tokens.push(app.register(name).await);
    }
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let (guild, _) = app.guild_with(&owner, &refs).await;
    let gid = id(&guild);
    let mut user_ids = vec![app.user_id(&owner).await];
    for token in &tokens {
        user_ids.push(app.user_id(token).await);
    }
    for _ in 0..ROUNDS {
        let roles = format!("/guilds/{gid}/roles");
        let rid = id(&app
            .post(&roles, &owner, json!({"name": "doomed"}))
            .await
            .ok(200));
        let mut writes: Vec<Request> = Vec::new();
        for uid in &user_ids {
            let path = format!("/guilds/{gid}/members/{uid}/roles/{rid}");
            writes.push((Method::PUT, path, None));
            let path = format!("/guilds/{gid}/members/{uid}");
            writes.push((Method::PATCH, path, Some(json!({"roles": [rid]}))));
        }

        // A member edit naming a role that is gone is an invalid form (50035, INVALID_ROLE).
        let allowed = [200, 204, 400, 404];
        let deleted = race(app, &owner, writes, format!("{roles}/{rid}"), &allowed).await;

        assert_eq!(deleted, 204);
        for uid in &user_ids {
            let member = app
                .get(&format!("/guilds/{gid}/members/{uid}"), &owner)
                .await;
            assert_eq!(member.ok(200)["roles"], json!([]));
        }
    }
}

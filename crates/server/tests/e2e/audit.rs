//! The audit log records guild, channel and invite changes with their actor, target, changes
//! and reason.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

both!(guild_channel_and_invite_changes_are_in_the_audit_log,);

async fn entries(app: &TestApp, gid: &str, token: &str, action: i64) -> Vec<Value> {
    app.get(
        &format!("/guilds/{gid}/audit-logs?action_type={action}"),
        token,
    )
    .await
    .ok(200)["audit_log_entries"]
        .as_array()
        .expect("entries")
        .clone()
}

fn changed<'a>(entry: &'a Value, key: &str) -> &'a Value {
    entry["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no change of {key} in {entry}"))
}

/// A call with the reason `tidy up` that must succeed; its body.
async fn with_reason(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let res = app
        .call_with_reason(method, path, token, "tidy%20up", body)
        .await;
    assert!(res.status.is_success(), "{path}: {}", res.body);
    res.body
}

async fn guild_channel_and_invite_changes_are_in_the_audit_log(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let gid = g["id"].as_str().unwrap().to_owned();
    let owner_id = app.user_id(&owner).await;

    with_reason(
        app,
        Method::PATCH,
        &format!("/guilds/{gid}"),
        &owner,
        Some(json!({"name": "Den", "description": "ours"})),
    )
    .await;
    let e = &entries(app, &gid, &owner, 1).await[0];
    assert_eq!(
        (
            e["user_id"].as_str(),
            e["target_id"].as_str(),
            e["reason"].as_str()
        ),
        (Some(owner_id.as_str()), Some(gid.as_str()), Some("tidy up"))
    );
    assert_eq!(
        (
            changed(e, "name")["old_value"].as_str(),
            changed(e, "name")["new_value"].as_str()
        ),
        (Some("Home"), Some("Den"))
    );
    assert!(changed(e, "description").get("old_value").is_none());
    // A change to nothing records nothing.
    app.patch(&format!("/guilds/{gid}"), &owner, json!({"name": "Den"}))
        .await
        .ok(200);
    assert_eq!(entries(app, &gid, &owner, 1).await.len(), 1);

    let ch = with_reason(
        app,
        Method::POST,
        &format!("/guilds/{gid}/channels"),
        &owner,
        Some(json!({"name": "news"})),
    )
    .await;
    let cid = ch["id"].as_str().unwrap().to_owned();
    let created = &entries(app, &gid, &owner, 10).await[0];
    assert_eq!(created["target_id"], cid.as_str());
    assert_eq!(changed(created, "name")["new_value"], "news");
    with_reason(
        app,
        Method::PATCH,
        &format!("/channels/{cid}"),
        &owner,
        Some(json!({"topic": "daily", "rate_limit_per_user": 5})),
    )
    .await;
    let updated = &entries(app, &gid, &owner, 11).await[0];
    assert_eq!(changed(updated, "topic")["new_value"], "daily");
    assert_eq!(
        (
            changed(updated, "rate_limit_per_user")["old_value"].as_i64(),
            changed(updated, "rate_limit_per_user")["new_value"].as_i64()
        ),
        (Some(0), Some(5))
    );
    with_reason(
        app,
        Method::DELETE,
        &format!("/channels/{cid}"),
        &owner,
        None,
    )
    .await;
    let deleted = &entries(app, &gid, &owner, 12).await[0];
    assert_eq!(changed(deleted, "name")["old_value"], "news");
    assert_eq!(deleted["reason"], "tidy up");

    let invite = with_reason(
        app,
        Method::POST,
        &format!("/channels/{general}/invites"),
        &owner,
        Some(json!({"max_uses": 3})),
    )
    .await;
    let code = invite["code"].as_str().unwrap().to_owned();
    let made = &entries(app, &gid, &owner, 40).await[0];
    assert_eq!(
        (
            changed(made, "code")["new_value"].as_str(),
            changed(made, "max_uses")["new_value"].as_i64()
        ),
        (Some(code.as_str()), Some(3))
    );
    // An existing invite handed out again is no new invite.
    app.post(
        &format!("/channels/{general}/invites"),
        &owner,
        json!({"max_uses": 3}),
    )
    .await
    .ok(200);
    assert_eq!(entries(app, &gid, &owner, 40).await.len(), 1);
    with_reason(
        app,
        Method::DELETE,
        &format!("/invites/{code}"),
        &owner,
        None,
    )
    .await;
    let gone = &entries(app, &gid, &owner, 42).await[0];
    assert_eq!(changed(gone, "code")["old_value"], code.as_str());
}

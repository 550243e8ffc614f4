//! Invites: create, reuse, look up, join, list, delete.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

both!(
    invites_have_defaults_and_are_reused_unless_unique,
    invite_settings_are_checked,
    anyone_may_look_at_a_valid_invite,
    joining_counts_a_use_once_and_used_up_invites_are_unknown,
    invite_lists_and_deletion_need_management_permissions,
    invites_lead_only_to_text_channels_their_creator_can_see,
);

async fn invites_have_defaults_and_are_reused_unless_unique(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let path = format!("/channels/{general}/invites");
    let a = app.post(&path, &owner, json!({})).await.ok(200);
    assert_eq!(
        (
            a["max_age"].as_i64(),
            a["max_uses"].as_i64(),
            a["uses"].as_i64()
        ),
        (Some(86400), Some(0), Some(0))
    );
    assert_eq!(a["temporary"], false);
    assert!(a["expires_at"].is_string() && a["created_at"].is_string());
    assert_eq!(a["guild"]["id"], g["id"]);
    assert_eq!(a["guild_id"], g["id"]);
    assert_eq!(a["channel"]["id"], general.as_str());
    assert_eq!(a["inviter"]["username"], "owner");
    let code = a["code"].as_str().unwrap();
    assert!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_alphanumeric()));
    let same = app
        .post(&path, &owner, json!({"unique": false}))
        .await
        .ok(200);
    assert_eq!(same["code"], a["code"]);
    let fresh = app
        .post(&path, &owner, json!({"unique": true}))
        .await
        .ok(200);
    assert_ne!(fresh["code"], a["code"]);
    let forever = app
        .post(
            &path,
            &owner,
            json!({"max_age": 0, "max_uses": 10, "temporary": true}),
        )
        .await
        .ok(200);
    assert!(forever["expires_at"].is_null());
    assert_ne!(forever["code"], a["code"]);
    assert_eq!(forever["temporary"], true);
}

async fn invite_settings_are_checked(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let path = format!("/channels/{general}/invites");
    app.post(&path, &owner, json!({"max_age": 604801}))
        .await
        .assert_field_error("max_age", "NUMBER_TYPE_MAX");
    app.post(&path, &owner, json!({"max_age": -1}))
        .await
        .assert_field_error("max_age", "NUMBER_TYPE_MAX");
    app.post(&path, &owner, json!({"max_uses": 101}))
        .await
        .assert_field_error("max_uses", "NUMBER_TYPE_MAX");
    app.post(&path, &owner, json!({"max_uses": "ten"}))
        .await
        .assert_field_error("max_uses", "BASE_TYPE_INVALID");
    app.post("/channels/1/invites", &owner, json!({}))
        .await
        .assert_error(404, 10003);
}

async fn anyone_may_look_at_a_valid_invite(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let code = app
        .post(&format!("/channels/{general}/invites"), &owner, json!({}))
        .await
        .ok(200)["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let seen = app
        .call(
            Method::GET,
            &format!("/invites/{code}?with_counts=true&with_expiration=true"),
            None,
            None,
        )
        .await
        .ok(200);
    assert_eq!(seen["code"], code.as_str());
    assert_eq!(seen["approximate_member_count"], 1);
    let plain = app
        .call(Method::GET, &format!("/invites/{code}"), None, None)
        .await
        .ok(200);
    assert!(plain.get("approximate_member_count").is_none());
    app.call(Method::GET, "/invites/nosuchcd", None, None)
        .await
        .assert_error(404, 10006);
    app.call(Method::GET, "/invites/bad%20code", None, None)
        .await
        .assert_error(404, 10006);
}

async fn joining_counts_a_use_once_and_used_up_invites_are_unknown(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let gid = g["id"].as_str().unwrap();
    let code = app
        .post(
            &format!("/channels/{general}/invites"),
            &owner,
            json!({"max_uses": 1, "unique": true}),
        )
        .await
        .ok(200)["code"]
        .as_str()
        .unwrap()
        .to_owned();
    // The owner "joining" changes nothing.
    assert_eq!(
        app.post(&format!("/invites/{code}"), &owner, json!({}))
            .await
            .ok(200)["uses"],
        0
    );
    let joined = app
        .post(&format!("/invites/{code}"), &bob, json!({}))
        .await
        .ok(200);
    assert_eq!(joined["uses"], 1);
    app.get(&format!("/guilds/{gid}"), &bob).await.ok(200);
    // Used up: unknown to everyone, and Carol cannot join.
    app.call(Method::GET, &format!("/invites/{code}"), None, None)
        .await
        .assert_error(404, 10006);
    app.post(&format!("/invites/{code}"), &carol, json!({}))
        .await
        .assert_error(404, 10006);
    app.get(&format!("/guilds/{gid}"), &carol)
        .await
        .assert_error(403, 50001);
    app.post("/invites/zzzzzzzz", &carol, json!({}))
        .await
        .assert_error(404, 10006);
    app.call(Method::POST, &format!("/invites/{code}"), None, None)
        .await
        .assert_error(401, 0);
    let (_, bot) = app.bot(&owner, "joiner").await;
    app.post(&format!("/invites/{code}"), &bot, json!({}))
        .await
        .assert_error(403, 20001);
}

async fn invite_lists_and_deletion_need_management_permissions(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let stranger = app.register("stranger").await;
    let (g, general) = app.guild_with(&owner, &[&member]).await;
    let gid = g["id"].as_str().unwrap();
    let mine = app
        .post(
            &format!("/channels/{general}/invites"),
            &member,
            json!({"unique": true}),
        )
        .await
        .ok(200);
    let code = mine["code"].as_str().unwrap();
    app.get(&format!("/guilds/{gid}/invites"), &member)
        .await
        .assert_error(403, 50013);
    app.get(&format!("/channels/{general}/invites"), &member)
        .await
        .assert_error(403, 50013);
    app.get(&format!("/guilds/{gid}/invites"), &stranger)
        .await
        .assert_error(403, 50001);
    assert_eq!(
        app.get(&format!("/guilds/{gid}/invites"), &owner)
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.get(&format!("/channels/{general}/invites"), &owner)
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.delete(&format!("/invites/{code}"), &member)
        .await
        .assert_error(403, 50013);
    app.delete(&format!("/invites/{code}"), &stranger)
        .await
        .assert_error(403, 50001);
    let deleted = app
        .delete(&format!("/invites/{code}"), &owner)
        .await
        .ok(200);
    assert_eq!(deleted["code"], code);
    app.delete(&format!("/invites/{code}"), &owner)
        .await
        .assert_error(404, 10006);
    app.call(Method::GET, &format!("/invites/{code}"), None, None)
        .await
        .assert_error(404, 10006);
}

async fn invites_lead_only_to_text_channels_their_creator_can_see(app: &TestApp) {
    let owner = app.register("owner").await;
    let stranger = app.register("stranger").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let cat = app
        .post(
            &format!("/guilds/{}/channels", g["id"].as_str().unwrap()),
            &owner,
            json!({"name": "c", "type": 4}),
        )
        .await
        .ok(201);
    app.post(
        &format!("/channels/{}/invites", cat["id"].as_str().unwrap()),
        &owner,
        json!({}),
    )
    .await
    .assert_error(400, 50024);
    app.post(
        &format!("/channels/{general}/invites"),
        &stranger,
        json!({}),
    )
    .await
    .assert_error(403, 50001);
}

//! Applications, bots and gateway discovery.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

both!(
    an_application_comes_with_a_bot_user_and_a_token_shown_once,
    a_bot_reads_what_discord_py_reads_at_login,
    bots_and_people_are_kept_to_their_endpoints,
    a_guild_manager_adds_a_bot_with_a_role_of_its_permissions,
    adding_a_bot_refuses_bad_requests_and_unauthorised_callers,
    gateway_discovery_answers_as_the_spec_says,
);

async fn an_application_comes_with_a_bot_user_and_a_token_shown_once(app: &TestApp) {
    let owner = app.register("owner").await;
    let created = app
        .post(
            "/applications",
            &owner,
            json!({"name": "Helper Bot", "description": "helps"}),
        )
        .await
        .ok(201);
    assert_eq!(created["name"], "Helper Bot");
    assert_eq!(created["bot"]["bot"], true);
    assert_eq!(created["bot"]["id"], created["id"]);
    assert_eq!(created["owner"]["username"], "owner");
    let token = format!("Bot {}", created["token"].as_str().unwrap());
    let me = app.get("/users/@me", &token).await.ok(200);
    assert_eq!(
        (me["id"].clone(), me["bot"].clone()),
        (created["id"].clone(), json!(true))
    );
    // Two applications may share a name.
    app.post("/applications", &owner, json!({"name": "Helper Bot"}))
        .await
        .ok(201);
    app.post("/applications", &owner, json!({"name": "x"}))
        .await
        .assert_field_error("name", "BASE_TYPE_BAD_LENGTH");
    app.post("/applications", &owner, json!({}))
        .await
        .assert_field_error("name", "BASE_TYPE_REQUIRED");
    app.post(
        "/applications",
        &owner,
        json!({"name": "ok name", "description": "d".repeat(401)}),
    )
    .await
    .assert_field_error("description", "BASE_TYPE_MAX_LENGTH");
    app.call(
        Method::POST,
        "/applications",
        None,
        Some(json!({"name": "nobody"})),
    )
    .await
    .assert_error(401, 0);
}

async fn a_bot_reads_what_discord_py_reads_at_login(app: &TestApp) {
    let owner = app.register("owner").await;
    let (id, bot) = app.bot(&owner, "reader").await;
    for path in [
        "/oauth2/applications/@me",
        "/applications/@me",
        "/applications/%40me",
    ] {
        let a = app.get(path, &bot).await.ok(200);
        for key in [
            "id",
            "name",
            "icon",
            "description",
            "bot_public",
            "bot_require_code_grant",
            "verify_key",
            "owner",
        ] {
            assert!(a.get(key).is_some(), "{path} lacks {key}: {a}");
        }
        assert_eq!(a["id"], id.as_str());
        assert_eq!(a["verify_key"].as_str().unwrap().len(), 64);
        assert_eq!(a["owner"]["username"], "owner");
        assert!(a.get("token").is_none(), "the token is never shown again");
    }
}

async fn bots_and_people_are_kept_to_their_endpoints(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, bot) = app.bot(&owner, "keeper").await;
    app.get("/oauth2/applications/@me", &owner)
        .await
        .assert_error(403, 20002);
    app.get("/gateway/bot", &owner)
        .await
        .assert_error(403, 20002);
    app.post("/applications", &bot, json!({"name": "child"}))
        .await
        .assert_error(403, 20001);
    app.call(Method::POST, "/auth/logout", Some(&bot), None)
        .await
        .assert_error(403, 20001);
    // The bare bot token (without "Bot ") is not a person's token.
    app.get("/users/@me", bot.trim_start_matches("Bot "))
        .await
        .assert_error(401, 0);
}

async fn a_guild_manager_adds_a_bot_with_a_role_of_its_permissions(app: &TestApp) {
    let owner = app.register("owner").await;
    let (id, bot) = app.bot(&owner, "mod bot").await;
    let (guild, general) = app.guild_with(&owner, &[]).await;
    let gid = guild["id"].as_str().unwrap();
    let older = app
        .post(
            &format!("/guilds/{gid}/roles"),
            &owner,
            json!({"name": "older"}),
        )
        .await
        .ok(200);
    assert_eq!(older["position"], 1);
    // Before: the bot is not in the guild.
    app.get(&format!("/guilds/{gid}"), &bot)
        .await
        .assert_error(403, 50001);
    let path = format!(
        "/oauth2/authorize?client_id={id}&scope=bot%20applications.commands&permissions=8208"
    );
    let member = app
        .post(&path, &owner, json!({"guild_id": gid, "authorize": true}))
        .await
        .ok(200);
    assert_eq!(member["user"]["id"], id.as_str());
    assert_eq!(member["roles"].as_array().unwrap().len(), 1);
    let roles = app.get(&format!("/guilds/{gid}"), &bot).await.ok(200)["roles"].clone();
    let role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == member["roles"][0])
        .unwrap()
        .clone();
    assert_eq!(role["permissions"], "8208");
    assert_eq!(role["managed"], true);
    // Its tags name the bot (discord.py's Role.is_bot_managed, discord.js's botRole); no other
    // role has tags.
    assert_eq!(role["tags"], json!({"bot_id": id}));
    assert!(roles
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] != role["id"])
        .all(|r| r.get("tags").is_none()));
    // The bot's role is the newest, at the bottom; the older role moved up.
    assert_eq!(role["position"], 1);
    let older_now = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == older["id"])
        .unwrap();
    assert_eq!(older_now["position"], 2);
    // The addition is in the audit log (28, target the bot).
    let log = app
        .get(&format!("/guilds/{gid}/audit-logs?action_type=28"), &owner)
        .await
        .ok(200);
    assert_eq!(log["audit_log_entries"][0]["target_id"], id.as_str());
    // The bot can now talk, and (MANAGE_MESSAGES, 8192, with MANAGE_CHANNELS, 16) delete others' messages.
    let m = app.say(&owner, &general, "hello bot").await;
    app.say(&bot, &general, "hello human").await;
    app.delete(
        &format!("/channels/{general}/messages/{}", m["id"].as_str().unwrap()),
        &bot,
    )
    .await
    .ok(204);
    // Adding again changes nothing.
    let again = app
        .post(&path, &owner, json!({"guild_id": gid, "authorize": true}))
        .await
        .ok(200);
    assert_eq!(again["roles"], member["roles"]);
    let guilds = app.get("/users/@me/guilds", &bot).await.ok(200);
    assert_eq!(
        guilds[0]["permissions"],
        (104_324_673u64 | 8208).to_string()
    );
}

async fn adding_a_bot_refuses_bad_requests_and_unauthorised_callers(app: &TestApp) {
    let owner = app.register("owner").await;
    let stranger = app.register("stranger").await;
    let member = app.register("member").await;
    let (id, bot) = app.bot(&owner, "picky").await;
    let (guild, _) = app.guild_with(&owner, &[&member]).await;
    let gid = guild["id"].as_str().unwrap();
    let body = json!({"guild_id": gid, "authorize": true});
    let ok_path = format!("/oauth2/authorize?client_id={id}&scope=bot");
    app.post(
        &format!("/oauth2/authorize?client_id={id}&scope=identify"),
        &owner,
        body.clone(),
    )
    .await
    .assert_field_error("scope", "BASE_TYPE_CHOICES");
    app.post(
        &ok_path,
        &owner,
        json!({"guild_id": gid, "authorize": false}),
    )
    .await
    .assert_field_error("authorize", "BASE_TYPE_CHOICES");
    app.post(
        &format!("{ok_path}&permissions=140737488355328"),
        &owner,
        body.clone(),
    )
    .await
    .assert_field_error("permissions", "BASE_TYPE_INVALID");
    app.post(
        "/oauth2/authorize?client_id=1&scope=bot",
        &owner,
        body.clone(),
    )
    .await
    .assert_error(404, 10002);
    app.post(
        "/oauth2/authorize?client_id=abc&scope=bot",
        &owner,
        body.clone(),
    )
    .await
    .assert_field_error("client_id", "BASE_TYPE_INVALID");
    app.post(
        &ok_path,
        &owner,
        json!({"guild_id": "1", "authorize": true}),
    )
    .await
    .assert_error(404, 10004);
    app.post(&ok_path, &stranger, body.clone())
        .await
        .assert_error(403, 50001);
    app.post(&ok_path, &member, body.clone())
        .await
        .assert_error(403, 50013);
    app.post(&ok_path, &bot, body.clone())
        .await
        .assert_error(403, 20001);
    app.call(Method::POST, &ok_path, None, Some(body))
        .await
        .assert_error(401, 0);
}

async fn gateway_discovery_answers_as_the_spec_says(app: &TestApp) {
    let plain = app.call(Method::GET, "/gateway", None, None).await.ok(200);
    assert_eq!(plain["url"], format!("ws://{}/gateway", app.addr));
    let owner = app.register("owner").await;
    let (_, bot) = app.bot(&owner, "gw").await;
    let b = app.get("/gateway/bot", &bot).await.ok(200);
    assert_eq!(b["url"], plain["url"]);
    assert_eq!(b["shards"], 1);
    for key in ["total", "remaining", "reset_after", "max_concurrency"] {
        assert!(b["session_start_limit"][key].is_u64(), "{b}");
    }
    app.call(Method::GET, "/gateway/bot", None, None)
        .await
        .assert_error(401, 0);
}

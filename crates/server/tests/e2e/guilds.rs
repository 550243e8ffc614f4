//! Guilds and their members.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{ids, TestApp};

both!(
    a_new_guild_has_its_owner_an_everyone_role_and_a_general_channel,
    guild_creation_refuses_bad_bodies,
    guilds_are_visible_to_members_only,
    managers_modify_guilds_and_others_may_not,
    ownership_moves_only_to_a_member_and_only_by_the_owner,
    only_the_owner_deletes_a_guild,
    my_guilds_page_by_id_and_carry_my_permissions,
    members_leave_but_owners_cannot,
    members_list_by_ascending_user_id,
);

async fn a_new_guild_has_its_owner_an_everyone_role_and_a_general_channel(app: &TestApp) {
    let owner = app.register("owner").await;
    let owner_id = app.user_id(&owner).await;
    let g = app.guild(&owner, "  Book Club  ").await;
    let gid = g["id"].as_str().unwrap();
    assert_eq!(g["name"], "Book Club");
    assert_eq!(g["owner_id"], owner_id.as_str());
    let roles = g["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0]["id"], gid);
    assert_eq!(roles[0]["name"], "@everyone");
    assert_eq!(roles[0]["permissions"], "104324673");
    assert_eq!(roles[0]["colors"]["primary_color"], 0);
    let channels = app
        .get(&format!("/guilds/{gid}/channels"), &owner)
        .await
        .ok(200);
    assert_eq!(channels.as_array().unwrap().len(), 1);
    assert_eq!(channels[0]["name"], "general");
    assert_eq!(channels[0]["type"], 0);
    assert_eq!(channels[0]["id"], g["system_channel_id"]);
    let me = app
        .get(&format!("/guilds/{gid}/members/{owner_id}"), &owner)
        .await
        .ok(200);
    assert_eq!(me["roles"], json!([]));
    assert_eq!(me["flags"], 0);
    let got = app.get(&format!("/guilds/{gid}"), &owner).await.ok(200);
    assert!(got.get("approximate_member_count").is_none());
    for key in [
        "icon",
        "splash",
        "banner",
        "description",
        "features",
        "emojis",
        "stickers",
        "afk_timeout",
        "verification_level",
        "preferred_locale",
    ] {
        assert!(got.get(key).is_some(), "guild lacks {key}");
    }
}

async fn guild_creation_refuses_bad_bodies(app: &TestApp) {
    let owner = app.register("owner").await;
    app.post("/guilds", &owner, json!({"name": "x"}))
        .await
        .assert_field_error("name", "BASE_TYPE_BAD_LENGTH");
    app.post("/guilds", &owner, json!({"name": "y".repeat(101)}))
        .await
        .assert_field_error("name", "BASE_TYPE_BAD_LENGTH");
    app.post("/guilds", &owner, json!({}))
        .await
        .assert_field_error("name", "BASE_TYPE_REQUIRED");
    app.post("/guilds", &owner, json!({"name": null}))
        .await
        .assert_field_error("name", "BASE_TYPE_INVALID");
    app.post(
        "/guilds",
        &owner,
        json!({"name": "ok", "verification_level": 9}),
    )
    .await
    .assert_field_error("verification_level", "BASE_TYPE_CHOICES");
    app.post("/guilds", &owner, json!(["name"]))
        .await
        .assert_error(400, 50035);
    app.call(Method::POST, "/guilds", None, Some(json!({"name": "anon"})))
        .await
        .assert_error(401, 0);
    assert_eq!(
        app.get("/users/@me/guilds", &owner).await.ok(200),
        json!([])
    );
}

async fn guilds_are_visible_to_members_only(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let stranger = app.register("stranger").await;
    let (g, _) = app.guild_with(&owner, &[&member]).await;
    let gid = g["id"].as_str().unwrap();
    app.get(&format!("/guilds/{gid}"), &member).await.ok(200);
    app.get(&format!("/guilds/{gid}"), &stranger)
        .await
        .assert_error(403, 50001);
    app.get(&format!("/guilds/{gid}/channels"), &stranger)
        .await
        .assert_error(403, 50001);
    app.get(&format!("/guilds/{gid}/members"), &stranger)
        .await
        .assert_error(403, 50001);
    app.get("/guilds/12345", &owner)
        .await
        .assert_error(404, 10004);
    app.get("/guilds/x1", &owner)
        .await
        .assert_field_error("guild_id", "NUMBER_TYPE_COERCE");
    app.get(&format!("/guilds/{gid}?with_counts=maybe"), &owner)
        .await
        .assert_field_error("with_counts", "BASE_TYPE_INVALID");
    let counted = app
        .get(&format!("/guilds/{gid}?with_counts=true"), &member)
        .await
        .ok(200);
    assert_eq!(counted["approximate_member_count"], 2);
    assert_eq!(counted["approximate_presence_count"], 0);
}

async fn managers_modify_guilds_and_others_may_not(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let (g, general) = app.guild_with(&owner, &[&member]).await;
    let gid = g["id"].as_str().unwrap();
    let path = format!("/guilds/{gid}");
    let changed = app
        .patch(&path, &owner, json!({"name": "Renamed", "description": "about", "afk_timeout": 900, "verification_level": 1, "preferred_locale": "fr"}))
        .await
        .ok(200);
    assert_eq!(
        (changed["name"].as_str(), changed["description"].as_str()),
        (Some("Renamed"), Some("about"))
    );
    assert_eq!(
        (
            changed["afk_timeout"].as_i64(),
            changed["verification_level"].as_i64()
        ),
        (Some(900), Some(1))
    );
    assert_eq!(changed["roles"].as_array().unwrap().len(), 1);
    let cleared = app
        .patch(
            &path,
            &owner,
            json!({"description": null, "system_channel_id": null}),
        )
        .await
        .ok(200);
    assert!(cleared["description"].is_null() && cleared["system_channel_id"].is_null());
    assert_eq!(cleared["name"], "Renamed");
    let back = app
        .patch(&path, &owner, json!({"system_channel_id": general}))
        .await
        .ok(200);
    assert_eq!(back["system_channel_id"], general.as_str());
    app.patch(&path, &owner, json!({"afk_timeout": 7}))
        .await
        .assert_field_error("afk_timeout", "BASE_TYPE_CHOICES");
    app.patch(&path, &owner, json!({"name": "a"}))
        .await
        .assert_field_error("name", "BASE_TYPE_BAD_LENGTH");
    app.patch(&path, &owner, json!({"system_channel_id": "1"}))
        .await
        .assert_field_error("system_channel_id", "CHANNEL_INVALID");
    app.patch(&path, &owner, json!({"system_channel_id": "nope"}))
        .await
        .assert_field_error("system_channel_id", "BASE_TYPE_INVALID");
    app.patch(&path, &member, json!({"name": "Mine now"}))
        .await
        .assert_error(403, 50013);
    app.patch("/guilds/1", &owner, json!({"name": "Nope"}))
        .await
        .assert_error(404, 10004);
    assert_eq!(app.get(&path, &member).await.ok(200)["name"], "Renamed");
}

async fn ownership_moves_only_to_a_member_and_only_by_the_owner(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let stranger = app.register("stranger").await;
    let (g, _) = app.guild_with(&owner, &[&member]).await;
    let path = format!("/guilds/{}", g["id"].as_str().unwrap());
    let stranger_id = app.user_id(&stranger).await;
    let member_id = app.user_id(&member).await;
    app.patch(&path, &owner, json!({"owner_id": stranger_id}))
        .await
        .assert_field_error("owner_id", "GUILD_OWNER_INVALID");
    let moved = app
        .patch(
            &path,
            &owner,
            json!({"owner_id": member_id.parse::<u64>().unwrap()}),
        )
        .await
        .ok(200);
    assert_eq!(moved["owner_id"], member_id.as_str());
    // The former owner is now a plain member.
    app.patch(&path, &owner, json!({"name": "Taken back"}))
        .await
        .assert_error(403, 50013);
    app.delete(&path, &owner).await.assert_error(403, 50013);
}

async fn only_the_owner_deletes_a_guild(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let (g, general) = app.guild_with(&owner, &[&member]).await;
    let path = format!("/guilds/{}", g["id"].as_str().unwrap());
    app.delete(&path, &member).await.assert_error(403, 50013);
    app.delete(&path, &owner).await.ok(204);
    app.get(&path, &owner).await.assert_error(404, 10004);
    app.get(&format!("/channels/{general}"), &owner)
        .await
        .assert_error(404, 10003);
    app.delete(&path, &owner).await.assert_error(404, 10004);
    assert_eq!(
        app.get("/users/@me/guilds", &member).await.ok(200),
        json!([])
    );
}

async fn my_guilds_page_by_id_and_carry_my_permissions(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let mut made = Vec::new();
    for _ in 0..3 {
        let (g, _) = app.guild_with(&owner, &[&member]).await;
        made.push(g["id"].as_str().unwrap().to_owned());
    }
    let all = app.get("/users/@me/guilds", &member).await.ok(200);
    assert_eq!(ids(&all), made);
    assert_eq!(all[0]["owner"], false);
    assert_eq!(all[0]["permissions"], "104324673");
    let mine = app.get("/users/@me/guilds?limit=1", &owner).await.ok(200);
    assert_eq!(mine[0]["owner"], true);
    assert_eq!(
        mine[0]["permissions"],
        ((1u64 << 53) - 1 - (1u64 << 47)).to_string()
    );
    assert_eq!(
        ids(&app
            .get(&format!("/users/@me/guilds?after={}", made[0]), &member)
            .await
            .ok(200)),
        made[1..]
    );
    assert_eq!(
        ids(&app
            .get(&format!("/users/@me/guilds?before={}", made[2]), &member)
            .await
            .ok(200)),
        made[..2]
    );
    let counted = app
        .get("/users/@me/guilds?with_counts=true&limit=1", &member)
        .await
        .ok(200);
    assert_eq!(counted[0]["approximate_member_count"], 2);
    app.get("/users/@me/guilds?limit=0", &member)
        .await
        .assert_field_error("limit", "NUMBER_TYPE_MAX");
    app.get("/users/@me/guilds?limit=201", &member)
        .await
        .assert_field_error("limit", "NUMBER_TYPE_MAX");
    app.get("/users/@me/guilds?after=-1", &member)
        .await
        .assert_field_error("after", "BASE_TYPE_INVALID");
}

async fn members_leave_but_owners_cannot(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let (g, general) = app.guild_with(&owner, &[&member]).await;
    let gid = g["id"].as_str().unwrap();
    app.delete(&format!("/users/@me/guilds/{gid}"), &owner)
        .await
        .assert_error(400, 50055);
    app.delete(&format!("/users/@me/guilds/{gid}"), &member)
        .await
        .ok(204);
    app.get(&format!("/guilds/{gid}"), &member)
        .await
        .assert_error(403, 50001);
    app.get(&format!("/channels/{general}/messages"), &member)
        .await
        .assert_error(403, 50001);
    app.delete(&format!("/users/@me/guilds/{gid}"), &member)
        .await
        .assert_error(404, 10004);
    app.delete("/users/@me/guilds/1", &member)
        .await
        .assert_error(404, 10004);
}

async fn members_list_by_ascending_user_id(app: &TestApp) {
    let owner = app.register("owner").await;
    let others = [
        app.register("m1").await,
        app.register("m2").await,
        app.register("m3").await,
    ];
    let refs: Vec<&str> = others.iter().map(String::as_str).collect();
    let (g, _) = app.guild_with(&owner, &refs).await;
    let gid = g["id"].as_str().unwrap();
    let mut expected = vec![app.user_id(&owner).await];
    for t in &others {
        expected.push(app.user_id(t).await);
    }
    expected.sort_by_key(|id| id.parse::<u64>().unwrap());
    let one = app
        .get(&format!("/guilds/{gid}/members"), &owner)
        .await
        .ok(200);
    assert_eq!(one.as_array().unwrap().len(), 1, "default limit is 1");
    let all = app
        .get(&format!("/guilds/{gid}/members?limit=1000"), &owner)
        .await
        .ok(200);
    let got: Vec<String> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, expected);
    let rest = app
        .get(
            &format!("/guilds/{gid}/members?limit=10&after={}", expected[1]),
            &owner,
        )
        .await
        .ok(200);
    assert_eq!(rest.as_array().unwrap().len(), 2);
    app.get(&format!("/guilds/{gid}/members?limit=1001"), &owner)
        .await
        .assert_field_error("limit", "NUMBER_TYPE_MAX");
    app.get(&format!("/guilds/{gid}/members?limit=x"), &owner)
        .await
        .assert_field_error("limit", "BASE_TYPE_INVALID");
    app.get(&format!("/guilds/{gid}/members/1"), &owner)
        .await
        .assert_error(404, 10007);
    app.get(
        &format!("/guilds/{gid}/members/{}", expected[0]),
        &others[0],
    )
    .await
    .ok(200);
}

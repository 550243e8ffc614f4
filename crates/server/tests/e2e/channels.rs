//! Guild channels: create, read, modify, reorder, delete.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{ids, TestApp};

both!(
    managers_create_text_channels_and_categories,
    channel_creation_refuses_bad_bodies_and_members_without_permission,
    channels_are_modified_field_by_field,
    channels_are_reordered_in_one_request,
    deleting_a_channel_answers_it_and_removes_its_messages,
    channels_are_visible_to_guild_members_only,
);

async fn managers_create_text_channels_and_categories(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g, _) = app.guild_with(&owner, &[]).await;
    let gid = g["id"].as_str().unwrap();
    let path = format!("/guilds/{gid}/channels");
    let cat = app
        .post(&path, &owner, json!({"name": "Text Channels", "type": 4}))
        .await
        .ok(201);
    assert_eq!(
        (cat["type"].as_i64(), cat["name"].as_str()),
        (Some(4), Some("Text Channels"))
    );
    let ch = app
        .post(&path, &owner, json!({"name": "Book Talk", "topic": "books", "parent_id": cat["id"], "nsfw": true, "rate_limit_per_user": 10, "permission_overwrites": []}))
        .await
        .ok(201);
    assert_eq!(ch["name"], "book-talk");
    assert_eq!(ch["topic"], "books");
    assert_eq!(ch["parent_id"], cat["id"]);
    assert_eq!(
        (ch["nsfw"].as_bool(), ch["rate_limit_per_user"].as_i64()),
        (Some(true), Some(10))
    );
    assert_eq!(ch["guild_id"], gid);
    assert_eq!(ch["position"], 1, "after general");
    assert_eq!(ch["permission_overwrites"], json!([]));
    // Ids as JSON numbers are accepted (discord.py sends them so).
    let parent: u64 = cat["id"].as_str().unwrap().parse().unwrap();
    let numeric = app
        .post(&path, &owner, json!({"name": "n", "parent_id": parent}))
        .await
        .ok(201);
    assert_eq!(numeric["parent_id"], cat["id"]);
    let list = app.get(&path, &owner).await.ok(200);
    assert_eq!(list.as_array().unwrap().len(), 4);
    // Read back, it is the same, with hearth's counters besides.
    let mut read = app
        .get(&format!("/channels/{}", ch["id"].as_str().unwrap()), &owner)
        .await
        .ok(200);
    let counters = read.as_object_mut().unwrap().remove("hearth_counters");
    assert_eq!(counters.unwrap()["messages"], 0);
    assert_eq!(read, ch);
}

async fn channel_creation_refuses_bad_bodies_and_members_without_permission(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let (g, general) = app.guild_with(&owner, &[&member]).await;
    let path = format!("/guilds/{}/channels", g["id"].as_str().unwrap());
    app.post(&path, &member, json!({"name": "mine"}))
        .await
        .assert_error(403, 50013);
    app.post(&path, &owner, json!({"name": ""}))
        .await
        .assert_field_error("name", "BASE_TYPE_BAD_LENGTH");
    // A channel type hearth does not serve yet, and a number that is no channel type.
    app.post(&path, &owner, json!({"name": "v", "type": 2}))
        .await
        .assert_field_error("type", "BASE_TYPE_CHOICES");
    app.post(&path, &owner, json!({"name": "v", "type": 7}))
        .await
        .assert_field_error("type", "BASE_TYPE_INVALID");
    app.post(
        &path,
        &owner,
        json!({"name": "t", "topic": "x".repeat(1025)}),
    )
    .await
    .assert_field_error("topic", "BASE_TYPE_MAX_LENGTH");
    app.post(
        &path,
        &owner,
        json!({"name": "s", "rate_limit_per_user": 21601}),
    )
    .await
    .assert_field_error("rate_limit_per_user", "NUMBER_TYPE_MAX");
    app.post(&path, &owner, json!({"name": "p", "parent_id": general}))
        .await
        .assert_field_error("parent_id", "CHANNEL_PARENT_INVALID");
    app.post(&path, &owner, json!({"name": "p", "parent_id": "1"}))
        .await
        .assert_field_error("parent_id", "CHANNEL_PARENT_INVALID");
    let cat = app
        .post(&path, &owner, json!({"name": "c", "type": 4}))
        .await
        .ok(201);
    app.post(
        &path,
        &owner,
        json!({"name": "nested", "type": 4, "parent_id": cat["id"]}),
    )
    .await
    .assert_field_error("parent_id", "CHANNEL_PARENT_INVALID");
    app.post(&path, &owner, json!({"name": "o", "permission_overwrites": [{"id": "1", "type": 0, "allow": "0", "deny": "1024"}]}))
        .await
        .assert_field_error("permission_overwrites.0.id", "OVERWRITE_INVALID");
    app.post(&path, &owner, json!({"name": "n", "nsfw": "yes"}))
        .await
        .assert_field_error("nsfw", "BASE_TYPE_INVALID");
    app.post("/guilds/1/channels", &owner, json!({"name": "x"}))
        .await
        .assert_error(404, 10004);
    app.call(Method::POST, &path, None, Some(json!({"name": "x"})))
        .await
        .assert_error(401, 0);
}

async fn channels_are_modified_field_by_field(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let (g, general) = app.guild_with(&owner, &[&member]).await;
    let cat = app
        .post(
            &format!("/guilds/{}/channels", g["id"].as_str().unwrap()),
            &owner,
            json!({"name": "c", "type": 4}),
        )
        .await
        .ok(201);
    let path = format!("/channels/{general}");
    let c = app.patch(&path, &owner, json!({"name": "Main Hall", "topic": "hello", "parent_id": cat["id"], "rate_limit_per_user": 5})).await.ok(200);
    assert_eq!(
        (c["name"].as_str(), c["topic"].as_str()),
        (Some("main-hall"), Some("hello"))
    );
    assert_eq!(c["parent_id"], cat["id"]);
    let c = app
        .patch(&path, &owner, json!({"topic": null, "parent_id": null}))
        .await
        .ok(200);
    assert!(c["topic"].is_null() && c["parent_id"].is_null());
    assert_eq!(
        (c["name"].as_str(), c["rate_limit_per_user"].as_i64()),
        (Some("main-hall"), Some(5))
    );
    app.patch(&path, &member, json!({"name": "hijack"}))
        .await
        .assert_error(403, 50013);
    app.patch(&path, &owner, json!({"name": "x".repeat(101)}))
        .await
        .assert_field_error("name", "BASE_TYPE_BAD_LENGTH");
    app.patch(&path, &owner, json!({"parent_id": general}))
        .await
        .assert_field_error("parent_id", "CHANNEL_PARENT_INVALID");
    app.patch("/channels/1", &owner, json!({"name": "x"}))
        .await
        .assert_error(404, 10003);
    app.raw(
        Method::PATCH,
        &format!("/api/v10{path}"),
        Some(&owner),
        b"{\"name\": ".to_vec(),
    )
    .await
    .assert_error(400, 50109);
}

async fn channels_are_reordered_in_one_request(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let (g, general) = app.guild_with(&owner, &[&member]).await;
    let gid = g["id"].as_str().unwrap();
    let path = format!("/guilds/{gid}/channels");
    let cat = app
        .post(&path, &owner, json!({"name": "c", "type": 4}))
        .await
        .ok(201);
    let b = app.post(&path, &owner, json!({"name": "b"})).await.ok(201);
    let body = json!([
        {"id": b["id"], "position": 0, "parent_id": cat["id"]},
        {"id": general, "position": 5},
    ]);
    app.call(Method::PATCH, &path, Some(&member), Some(body.clone()))
        .await
        .assert_error(403, 50013);
    app.call(Method::PATCH, &path, Some(&owner), Some(body))
        .await
        .ok(204);
    let list = app.get(&path, &owner).await.ok(200);
    let order = ids(&list);
    assert_eq!(order.last().unwrap(), &general);
    let moved = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == b["id"])
        .unwrap();
    assert_eq!(moved["parent_id"], cat["id"]);
    let bad = json!([{"id": "1", "position": 0}, {"id": general, "parent_id": general}]);
    let res = app
        .call(Method::PATCH, &path, Some(&owner), Some(bad))
        .await;
    res.assert_field_error("0.id", "CHANNEL_INVALID");
    res.assert_field_error("1.parent_id", "CHANNEL_PARENT_INVALID");
    app.call(Method::PATCH, &path, Some(&owner), Some(json!([])))
        .await
        .assert_error(400, 50035);
    app.call(
        Method::PATCH,
        &path,
        Some(&owner),
        Some(json!({"id": general})),
    )
    .await
    .assert_error(400, 50035);
}

async fn deleting_a_channel_answers_it_and_removes_its_messages(app: &TestApp) {
    let owner = app.register("owner").await;
    let member = app.register("member").await;
    let (g, general) = app.guild_with(&owner, &[&member]).await;
    let path = format!("/guilds/{}/channels", g["id"].as_str().unwrap());
    let extra = app
        .post(&path, &owner, json!({"name": "extra"}))
        .await
        .ok(201);
    let eid = extra["id"].as_str().unwrap();
    let m = app.say(&member, eid, "soon gone").await;
    app.delete(&format!("/channels/{eid}"), &member)
        .await
        .assert_error(403, 50013);
    let deleted = app
        .delete(&format!("/channels/{eid}"), &owner)
        .await
        .ok(200);
    assert_eq!(deleted["id"], eid);
    app.get(&format!("/channels/{eid}"), &owner)
        .await
        .assert_error(404, 10003);
    app.get(
        &format!("/channels/{eid}/messages/{}", m["id"].as_str().unwrap()),
        &owner,
    )
    .await
    .assert_error(404, 10003);
    app.delete(&format!("/channels/{eid}"), &owner)
        .await
        .assert_error(404, 10003);
    // Deleting the system channel clears the guild's pointer to it.
    app.delete(&format!("/channels/{general}"), &owner)
        .await
        .ok(200);
    let guild = app
        .get(&format!("/guilds/{}", g["id"].as_str().unwrap()), &owner)
        .await
        .ok(200);
    assert!(guild["system_channel_id"].is_null());
}

async fn channels_are_visible_to_guild_members_only(app: &TestApp) {
    let owner = app.register("owner").await;
    let stranger = app.register("stranger").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    app.get(&format!("/channels/{general}"), &stranger)
        .await
        .assert_error(403, 50001);
    app.patch(
        &format!("/channels/{general}"),
        &stranger,
        json!({"name": "x"}),
    )
    .await
    .assert_error(403, 50001);
    app.delete(&format!("/channels/{general}"), &stranger)
        .await
        .assert_error(403, 50001);
    app.get("/channels/99", &owner)
        .await
        .assert_error(404, 10003);
    app.get("/channels/nine", &owner)
        .await
        .assert_field_error("channel_id", "NUMBER_TYPE_COERCE");
}

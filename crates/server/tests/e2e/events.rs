//! Every committed change is published on the bus, after the commit, in order; refused
//! requests publish nothing.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use hearth_core::Snowflake;
use hearth_protocol::events::Audience;
use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

both!(
    every_change_publishes_its_event_with_its_audience,
    refused_requests_publish_nothing,
    messages_of_a_channel_are_published_in_commit_order,
);

fn sf(v: &serde_json::Value) -> Snowflake {
    v.as_str().unwrap().parse().unwrap()
}

async fn every_change_publishes_its_event_with_its_audience(app: &TestApp) {
    let owner = app.register("owner").await;
    let owner_id = app.user_id(&owner).await;
    let bob = app.register("bob").await;
    let bob_id = app.user_id(&bob).await;

    let g = app.guild(&owner, "Events").await;
    let gid = sf(&g["id"]);
    let e = app.event("GUILD_CREATE").await;
    assert_eq!(
        e.audience,
        Audience::User {
            user_id: owner_id.parse().unwrap()
        }
    );
    assert_eq!(e.data["id"], g["id"]);
    let general = g["system_channel_id"].as_str().unwrap().to_owned();

    let c = app
        .post(
            &format!("/guilds/{gid}/channels"),
            &owner,
            json!({"name": "extra"}),
        )
        .await
        .ok(201);
    let e = app.event("CHANNEL_CREATE").await;
    assert_eq!(
        e.audience,
        Audience::Channel {
            guild_id: gid.into(),
            channel_id: sf(&c["id"]).into()
        }
    );
    assert_eq!(e.data, c);
    let cid = c["id"].as_str().unwrap();
    app.patch(&format!("/channels/{cid}"), &owner, json!({"topic": "t"}))
        .await
        .ok(200);
    assert_eq!(app.event("CHANNEL_UPDATE").await.data["topic"], "t");
    app.call(
        Method::PATCH,
        &format!("/guilds/{gid}/channels"),
        Some(&owner),
        Some(json!([{"id": cid, "position": 9}])),
    )
    .await
    .ok(204);
    assert_eq!(app.event("CHANNEL_UPDATE").await.data["position"], 9);

    let invite = app
        .post(&format!("/channels/{general}/invites"), &owner, json!({}))
        .await
        .ok(200);
    let e = app.event("INVITE_CREATE").await;
    assert_eq!(
        (e.data["code"].clone(), e.data["guild_id"].clone()),
        (invite["code"].clone(), g["id"].clone())
    );
    let code = invite["code"].as_str().unwrap();
    app.post(&format!("/invites/{code}"), &bob, json!({}))
        .await
        .ok(200);
    let e = app.event("GUILD_MEMBER_ADD").await;
    assert_eq!(
        e.audience,
        Audience::Guild {
            guild_id: gid.into()
        }
    );
    assert_eq!(
        (e.data["user"]["id"].as_str(), e.data["guild_id"].clone()),
        (Some(bob_id.as_str()), g["id"].clone())
    );
    let e = app.event("GUILD_CREATE").await;
    assert_eq!(
        e.audience,
        Audience::User {
            user_id: bob_id.parse().unwrap()
        }
    );

    // Bob's join message in the system channel, then what he says.
    let e = app.event("MESSAGE_CREATE").await;
    assert_eq!(
        (e.data["type"].as_i64(), e.data["author"]["id"].as_str()),
        (Some(7), Some(bob_id.as_str()))
    );
    let m = app.say(&bob, &general, "hello").await;
    let e = app.event("MESSAGE_CREATE").await;
    assert_eq!(
        e.audience,
        Audience::Channel {
            guild_id: gid.into(),
            channel_id: general.parse().unwrap()
        }
    );
    assert_eq!(e.data["content"], "hello");
    assert_eq!(e.data["id"], m["id"]);
    assert_eq!(e.data["guild_id"], g["id"]);
    assert!(
        e.data["member"]["roles"].is_array() && e.data["member"].get("user").is_none(),
        "{}",
        e.data
    );
    let mid = m["id"].as_str().unwrap();
    app.patch(
        &format!("/channels/{general}/messages/{mid}"),
        &bob,
        json!({"content": "hello!"}),
    )
    .await
    .ok(200);
    let e = app.event("MESSAGE_UPDATE").await;
    assert_eq!(
        (e.data["content"].as_str(), e.data["author"]["id"].as_str()),
        (Some("hello!"), Some(bob_id.as_str()))
    );
    assert!(e.data["edited_timestamp"].is_string());
    app.call(
        Method::POST,
        &format!("/channels/{general}/typing"),
        Some(&bob),
        None,
    )
    .await
    .ok(204);
    let e = app.event("TYPING_START").await;
    assert_eq!(e.data["user_id"], bob_id.as_str());
    assert!(e.data["timestamp"].is_i64());
    assert_eq!(e.data["member"]["user"]["id"], bob_id.as_str());
    app.delete(&format!("/channels/{general}/messages/{mid}"), &bob)
        .await
        .ok(204);
    assert_eq!(
        app.event("MESSAGE_DELETE").await.data,
        json!({"id": mid, "channel_id": general, "guild_id": g["id"]})
    );

    app.patch(
        &format!("/guilds/{gid}"),
        &owner,
        json!({"name": "Renamed"}),
    )
    .await
    .ok(200);
    let e = app.event("GUILD_UPDATE").await;
    assert_eq!(
        (
            e.data["name"].as_str(),
            e.data["roles"].as_array().map(Vec::len)
        ),
        (Some("Renamed"), Some(1))
    );
    app.patch("/users/@me", &bob, json!({"global_name": "Bobby"}))
        .await
        .ok(200);
    let e = app.event("USER_UPDATE").await;
    assert_eq!(e.data["global_name"], "Bobby");

    let (app_id, _) = app.bot(&owner, "eventful").await;
    let path = format!("/oauth2/authorize?client_id={app_id}&scope=bot&permissions=2048");
    app.post(&path, &owner, json!({"guild_id": gid, "authorize": true}))
        .await
        .ok(200);
    assert_eq!(
        app.event("GUILD_ROLE_CREATE").await.data["role"]["permissions"],
        "2048"
    );
    assert_eq!(
        app.event("GUILD_MEMBER_ADD").await.data["user"]["bot"],
        true
    );
    let e = app.event("GUILD_CREATE").await;
    assert_eq!(
        e.audience,
        Audience::User {
            user_id: app_id.parse().unwrap()
        }
    );

    app.delete(&format!("/users/@me/guilds/{gid}"), &bob)
        .await
        .ok(204);
    assert_eq!(
        app.event("GUILD_MEMBER_REMOVE").await.data["user"]["id"],
        bob_id.as_str()
    );
    let e = app.event("GUILD_DELETE").await;
    assert_eq!(
        e.audience,
        Audience::User {
            user_id: bob_id.parse().unwrap()
        }
    );
    assert_eq!(e.data, json!({"id": g["id"], "unavailable": false}));

    app.delete(&format!("/invites/{code}"), &owner)
        .await
        .ok(200);
    assert_eq!(app.event("INVITE_DELETE").await.data["code"], code);
    let cat = app
        .post(
            &format!("/guilds/{gid}/channels"),
            &owner,
            json!({"name": "cat", "type": 4}),
        )
        .await
        .ok(201);
    app.event("CHANNEL_CREATE").await;
    app.patch(
        &format!("/channels/{cid}"),
        &owner,
        json!({"parent_id": cat["id"]}),
    )
    .await
    .ok(200);
    app.event("CHANNEL_UPDATE").await;
    app.delete(
        &format!("/channels/{}", cat["id"].as_str().unwrap()),
        &owner,
    )
    .await
    .ok(200);
    assert_eq!(app.event("CHANNEL_DELETE").await.data["id"], cat["id"]);
    let orphan = app.event("CHANNEL_UPDATE").await;
    assert_eq!(
        (orphan.data["id"].as_str(), orphan.data["parent_id"].clone()),
        (Some(cid), json!(null))
    );
    app.delete(&format!("/channels/{cid}"), &owner)
        .await
        .ok(200);
    assert_eq!(app.event("CHANNEL_DELETE").await.data["id"], cid);
    app.delete(&format!("/guilds/{gid}"), &owner).await.ok(204);
    let e = app.event("GUILD_DELETE").await;
    assert_eq!(
        e.audience,
        Audience::Guild {
            guild_id: gid.into()
        }
    );
    assert!(app.drain_events().await.is_empty());
}

async fn refused_requests_publish_nothing(app: &TestApp) {
    let owner = app.register("owner").await;
    let stranger = app.register("stranger").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let gid = g["id"].as_str().unwrap();
    app.post(&format!("/channels/{general}/invites"), &owner, json!({}))
        .await
        .ok(200);
    app.drain_events().await;
    app.post(
        &format!("/channels/{general}/messages"),
        &stranger,
        json!({"content": "x"}),
    )
    .await
    .assert_error(403, 50001);
    app.post(
        &format!("/channels/{general}/messages"),
        &owner,
        json!({"content": ""}),
    )
    .await
    .assert_error(400, 50006);
    app.patch(
        &format!("/guilds/{gid}"),
        &stranger,
        json!({"name": "mine"}),
    )
    .await
    .assert_error(403, 50001);
    app.post(
        &format!("/guilds/{gid}/channels"),
        &owner,
        json!({"name": ""}),
    )
    .await
    .assert_error(400, 50035);
    app.delete(&format!("/guilds/{gid}"), &stranger)
        .await
        .assert_error(403, 50001);
    // The same invite again is the existing one: nothing changed.
    app.post(&format!("/channels/{general}/invites"), &owner, json!({}))
        .await
        .ok(200);
    assert_eq!(app.drain_events().await, Vec::<String>::new());
}

async fn messages_of_a_channel_are_published_in_commit_order(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (_, general) = app.guild_with(&owner, &[&bob]).await;
    app.drain_events().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (client, base) = (app.client.clone(), app.base.clone());
        let token = if i % 2 == 0 {
            owner.clone()
        } else {
            bob.clone()
        };
        let url = format!("{base}/api/v10/channels/{general}/messages");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("Authorization", token)
                .json(&json!({"content": format!("m{i}")}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().as_u16(), 200);
    }
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(
            app.event("MESSAGE_CREATE").await.data["id"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap(),
        );
    }
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "published out of order: {ids:?}"
    );
}

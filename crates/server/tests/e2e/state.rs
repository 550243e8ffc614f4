//! The node's guild state and token cache answer REST's checks: each change is seen by the very
//! next request (the request that made it is answered only once the state has it), whatever
//! was cached before.

use serde_json::json;

use crate::helpers::TestApp;

both!(
    a_renamed_user_posts_under_the_new_name_at_once,
    every_kind_of_change_is_enforced_by_the_next_request,
    a_logged_out_token_is_refused_although_it_was_cached,
);

async fn a_renamed_user_posts_under_the_new_name_at_once(app: &TestApp) {
    let jane = app.register("jane").await;
    let (_, general) = app.guild_with(&jane, &[]).await;
    assert_eq!(
        app.say(&jane, &general, "one").await["author"]["username"],
        "jane"
    );
    app.patch("/users/@me", &jane, json!({"username": "janet"}))
        .await
        .ok(200);
    assert_eq!(
        app.say(&jane, &general, "two").await["author"]["username"],
        "janet"
    );
    assert_eq!(
        app.get("/users/@me", &jane).await.ok(200)["username"],
        "janet"
    );
}

async fn every_kind_of_change_is_enforced_by_the_next_request(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (guild, general) = app.guild_with(&owner, &[&bob]).await;
    let g = guild["id"].as_str().unwrap();
    let bob_id = app.user_id(&bob).await;
    let post = |content: &'static str| {
        let (bob, general) = (&bob, &general);
        async move {
            app.post(
                &format!("/channels/{general}/messages"),
                bob,
                json!({ "content": content }),
            )
            .await
        }
    };
    // Cached: Bob may post.
    post("cached").await.ok(200);
    // An overwrite takes SEND_MESSAGES away, and gives it back.
    let send = (1u64 << 11).to_string();
    app.call(
        reqwest::Method::PUT,
        &format!("/channels/{general}/permissions/{bob_id}"),
        Some(&owner),
        Some(json!({"type": 1, "deny": send})),
    )
    .await
    .ok(204);
    post("denied").await.assert_error(403, 50013);
    app.delete(&format!("/channels/{general}/permissions/{bob_id}"), &owner)
        .await
        .ok(204);
    post("allowed").await.ok(200);
    // @everyone loses SEND_MESSAGES; a role gives it back to Bob alone.
    let everyone = app
        .patch(
            &format!("/guilds/{g}/roles/{g}"),
            &owner,
            json!({"permissions": (1u64 << 10).to_string()}),
        )
        .await
        .ok(200);
    assert_eq!(everyone["id"], g);
    post("no role").await.assert_error(403, 50013);
    let role = app
        .post(
            &format!("/guilds/{g}/roles"),
            &owner,
            json!({"name": "talker", "permissions": send}),
        )
        .await
        .ok(200);
    let role_id = role["id"].as_str().unwrap();
    app.call(
        reqwest::Method::PUT,
        &format!("/guilds/{g}/members/{bob_id}/roles/{role_id}"),
        Some(&owner),
        None,
    )
    .await
    .ok(204);
    post("with role").await.ok(200);
    app.delete(&format!("/guilds/{g}/roles/{role_id}"), &owner)
        .await
        .ok(204);
    post("role deleted").await.assert_error(403, 50013);
    // A timeout, then a kick: the member is gone for the next request.
    app.patch(
        &format!("/guilds/{g}/roles/{g}"),
        &owner,
        json!({"permissions": ((1u64 << 10) | (1u64 << 11)).to_string()}),
    )
    .await
    .ok(200);
    post("back").await.ok(200);
    let until = hearth_core::Timestamp(hearth_core::Timestamp::now().0 + 3_600_000_000);
    app.patch(
        &format!("/guilds/{g}/members/{bob_id}"),
        &owner,
        json!({"communication_disabled_until": until}),
    )
    .await
    .ok(200);
    post("timed out").await.assert_error(403, 50013);
    app.delete(&format!("/guilds/{g}/members/{bob_id}"), &owner)
        .await
        .ok(204);
    post("kicked").await.assert_error(403, 50001);
}

async fn a_logged_out_token_is_refused_although_it_was_cached(app: &TestApp) {
    let jane = app.register("jane").await;
    app.get("/users/@me", &jane).await.ok(200);
    app.call(reqwest::Method::POST, "/auth/logout", Some(&jane), None)
        .await
        .ok(204);
    app.get("/users/@me", &jane).await.assert_error(401, 0);
}

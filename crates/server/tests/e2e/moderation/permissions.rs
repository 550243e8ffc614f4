//! Who may kick, ban and bulk delete: the permissions, the member hierarchy, strangers and
//! unknown ids.

use serde_json::json;

use super::{give, id, put, role, MODERATOR};
use crate::helpers::TestApp;

both!(moderation_follows_permissions_and_rank);

async fn moderation_follows_permissions_and_rank(app: &TestApp) {
    let owner = app.register("owner").await;
    let names = ["alice", "carol", "dave", "eve", "bob"];
    let mut t = Vec::new();
    for n in names {
        t.push(app.register(n).await);
    }
    let members: Vec<&str> = t.iter().map(String::as_str).collect();
    let (g, general) = app.guild_with(&owner, &members).await;
    let gid = id(&g);
    let mut uid = Vec::new();
    for token in &t {
        uid.push(app.user_id(token).await);
    }
    let owner_id = app.user_id(&owner).await;
    // Positions: top 3 > mods 2 > low 1.
    let top = role(app, &gid, &owner, "top", "0").await;
    let mods = role(app, &gid, &owner, "mods", MODERATOR).await;
    let low = role(app, &gid, &owner, "low", "0").await;
    let (alice, dave, eve, bob) = (&t[0], &t[2], &t[3], &t[4]);
    give(app, &gid, &owner, &uid[0], &mods).await;
    give(app, &gid, &owner, &uid[1], &mods).await;
    give(app, &gid, &owner, &uid[2], &top).await;
    give(app, &gid, &owner, &uid[4], &low).await;
    let (alice_id, carol_id, dave_id, bob_id) = (&uid[0], &uid[1], &uid[2], &uid[4]);
    let m1 = id(&app.say(bob, &general, "one").await);
    let m2 = id(&app.say(bob, &general, "two").await);
    let kick = |u: &str| format!("/guilds/{gid}/members/{u}");
    let ban = |u: &str| format!("/guilds/{gid}/bans/{u}");
    let bulk = format!("/channels/{general}/messages/bulk-delete");
    let messages = json!({"messages": [m1, m2]});
    put(app, &ban("12345"), &owner, None)
        .await
        .assert_error(404, 10013);

    // Eve holds none of the permissions.
    app.delete(&kick(bob_id), eve)
        .await
        .assert_error(403, 50013);
    put(app, &ban(bob_id), eve, None)
        .await
        .assert_error(403, 50013);
    app.delete(&ban(bob_id), eve).await.assert_error(403, 50013);
    app.get(&format!("/guilds/{gid}/bans"), eve)
        .await
        .assert_error(403, 50013);
    app.get(&ban(bob_id), eve).await.assert_error(403, 50013);
    app.post(&bulk, eve, messages.clone())
        .await
        .assert_error(403, 50013);
    // Alice holds them, but not over her equal (Carol), her better (Dave), the owner or herself.
    for target in [carol_id, dave_id, &owner_id, alice_id] {
        app.delete(&kick(target), alice)
            .await
            .assert_error(403, 50013);
        put(app, &ban(target), alice, None)
            .await
            .assert_error(403, 50013);
    }
    // Nobody acts on the owner, the owner included.
    app.delete(&kick(&owner_id), dave)
        .await
        .assert_error(403, 50013);
    app.delete(&kick(&owner_id), &owner)
        .await
        .assert_error(403, 50013);
    put(app, &ban(&owner_id), &owner, None)
        .await
        .assert_error(403, 50013);
    // Strangers see nothing; unknown things are unknown.
    let stranger = app.register("stranger").await;
    let stranger_id = app.user_id(&stranger).await;
    app.delete(&kick(bob_id), &stranger)
        .await
        .assert_error(403, 50001);
    put(app, &ban(bob_id), &stranger, None)
        .await
        .assert_error(403, 50001);
    app.delete(&ban(bob_id), &stranger)
        .await
        .assert_error(403, 50001);
    app.get(&format!("/guilds/{gid}/bans"), &stranger)
        .await
        .assert_error(403, 50001);
    app.get(&ban(bob_id), &stranger)
        .await
        .assert_error(403, 50001);
    app.post(&bulk, &stranger, messages.clone())
        .await
        .assert_error(403, 50001);
    app.delete(&format!("/guilds/1234/members/{bob_id}"), alice)
        .await
        .assert_error(404, 10004);
    put(app, &format!("/guilds/1234/bans/{bob_id}"), alice, None)
        .await
        .assert_error(404, 10004);
    app.get("/guilds/1234/bans", alice)
        .await
        .assert_error(404, 10004);
    app.post(
        "/channels/1234/messages/bulk-delete",
        alice,
        messages.clone(),
    )
    .await
    .assert_error(404, 10003);
    app.delete(&kick(&stranger_id), alice)
        .await
        .assert_error(404, 10007);
    app.delete(&kick("12345"), alice)
        .await
        .assert_error(404, 10007);
    app.delete(&ban(&stranger_id), alice)
        .await
        .assert_error(404, 10026);
    app.get(&ban(&stranger_id), alice)
        .await
        .assert_error(404, 10026);
    // Nothing above changed anything.
    assert_eq!(
        app.get(&format!("/guilds/{gid}/bans"), &owner)
            .await
            .ok(200),
        json!([])
    );
    for u in [alice_id, carol_id, dave_id, bob_id] {
        app.get(&kick(u), &owner).await.ok(200);
    }

    // Below her: allowed.
    app.post(&bulk, alice, messages).await.ok(204);
    app.delete(&kick(bob_id), alice).await.ok(204);
    put(app, &ban(&uid[3]), alice, None).await.ok(204);
    put(app, &ban(&stranger_id), alice, None).await.ok(204);
    app.get(&ban(&stranger_id), alice).await.ok(200);
    app.delete(&ban(&stranger_id), alice).await.ok(204);
    // Dave (above Alice, without permissions) still may not.
    app.delete(&kick(alice_id), dave)
        .await
        .assert_error(403, 50013);
}

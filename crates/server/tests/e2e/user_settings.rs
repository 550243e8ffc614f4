//! User settings over HTTP and the gateway: the defaults at version 0, each change one version
//! up and told to every session of the user (the writer's own included), a stale version
//! answered 409 with the current settings, bad settings refused key by key, bots refused, and
//! READY carrying a person's settings.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use hearth_protocol::events::Audience;
use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::{Res, TestApp};

both!(
    the_defaults_are_answered_at_version_zero_and_a_change_is_one_version_up,
    a_change_reaches_every_session_of_the_user_and_no_one_else,
    a_stale_version_is_answered_409_with_the_current_settings,
    of_two_changes_from_the_same_version_one_is_made,
    bad_settings_are_refused_key_by_key_and_change_nothing,
    bots_have_no_settings,
    ready_carries_a_persons_settings,
);

const PATH: &str = "/users/@me/settings";

/// Every setting at its default, at `version`.
fn defaults(version: i64) -> Value {
    json!({"version": version, "theme": "system", "locale": "en-US",
           "message_display_compact": false, "inline_embed_media": true,
           "show_current_game": true, "status": "online", "custom_status": null,
           "developer_mode": false, "timezone_offset": 0})
}

/// `base` with the keys of `changes` replaced.
fn with(mut base: Value, changes: Value) -> Value {
    for (key, value) in changes.as_object().unwrap() {
        base[key] = value.clone();
    }
    base
}

async fn patch(app: &TestApp, token: &str, body: Value) -> Res {
    app.patch(PATH, token, body).await
}

async fn the_defaults_are_answered_at_version_zero_and_a_change_is_one_version_up(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    assert_eq!(app.get(PATH, &alice).await.ok(200), defaults(0));

    // Act
    let first = patch(
        app,
        &alice,
        json!({"version": 0, "theme": "dark", "timezone_offset": -300,
               "custom_status": {"text": "on holiday", "emoji_name": "🌴",
                                 "expires_at": "2030-01-01T00:00:00Z"}}),
    )
    .await
    .ok(200);

    // Assert
    let expected = with(
        defaults(1),
        json!({"theme": "dark", "timezone_offset": -300,
               "custom_status": {"text": "on holiday", "emoji_name": "🌴",
                                 "expires_at": "2030-01-01T00:00:00.000000+00:00"}}),
    );
    assert_eq!(first, expected);
    assert_eq!(app.get(PATH, &alice).await.ok(200), expected);

    // Act: null puts a setting back to its default; the others stay.
    let second = patch(
        app,
        &alice,
        json!({"version": 1, "custom_status": null, "theme": null, "locale": "fr"}),
    )
    .await
    .ok(200);

    // Assert
    let expected = with(
        defaults(2),
        json!({"locale": "fr", "timezone_offset": -300}),
    );
    assert_eq!(second, expected);
    assert_eq!(app.get(PATH, &alice).await.ok(200), expected);
    // Another person's settings are their own.
    let bob = app.register("bob").await;
    assert_eq!(app.get(PATH, &bob).await.ok(200), defaults(0));
}

async fn a_change_reaches_every_session_of_the_user_and_no_one_else(app: &TestApp) {
    // Arrange: alice on two devices, bob on one.
    let alice = app.register("alice").await;
    let alice_id = app.user_id(&alice).await;
    let bob = app.register("bob").await;
    let (mut phone, _) = Gw::identify(app, &alice, None).await;
    let (mut laptop, _) = Gw::identify(app, &alice, None).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob, None).await;
    app.drain_events().await;

    // Act
    let answered = patch(app, &alice, json!({"version": 0, "developer_mode": true}))
        .await
        .ok(200);

    // Assert: the whole document, to each of alice's sessions (the writer's own too: a REST
    // call does not say which session made it), and to no one else.
    assert_eq!(answered, with(defaults(1), json!({"developer_mode": true})));
    assert_eq!(phone.event("USER_SETTINGS_UPDATE").await, answered);
    assert_eq!(laptop.event("USER_SETTINGS_UPDATE").await, answered);
    let published = app.event("USER_SETTINGS_UPDATE").await;
    assert_eq!(
        published.audience,
        Audience::User {
            user_id: alice_id.parse().unwrap()
        }
    );
    bob_gw.quiet(300).await;

    // Act: a change that changes nothing.
    let same = patch(app, &alice, json!({"version": 1, "developer_mode": true}))
        .await
        .ok(200);

    // Assert: answered as it is, nothing written or told.
    assert_eq!(same, answered);
    assert!(app.drain_events().await.is_empty());
    phone.quiet(300).await;
}

async fn a_stale_version_is_answered_409_with_the_current_settings(app: &TestApp) {
    // Arrange: version 2 is stored.
    let alice = app.register("alice").await;
    patch(app, &alice, json!({"version": 0, "theme": "light"}))
        .await
        .ok(200);
    let current = patch(app, &alice, json!({"version": 1, "status": "dnd"}))
        .await
        .ok(200);
    app.drain_events().await;

    // Act and assert: an old version, the first, one from the future: each 409 with the
    // settings as they are (their body, not an error), and nothing changes.
    for version in [1, 0, 3, 99] {
        let res = patch(app, &alice, json!({"version": version, "theme": "dark"})).await;
        assert_eq!(res.status.as_u16(), 409, "version {version}: {}", res.body);
        assert_eq!(res.body, current, "version {version}");
    }
    assert!(app.drain_events().await.is_empty());
    assert_eq!(app.get(PATH, &alice).await.ok(200), current);
    // Before any change, the current settings are the defaults at version 0.
    let bob = app.register("bob").await;
    let res = patch(app, &bob, json!({"version": 1, "theme": "dark"})).await;
    assert_eq!((res.status.as_u16(), res.body), (409, defaults(0)));
    // With the version just read, the change is made.
    patch(app, &alice, json!({"version": 2, "theme": "dark"}))
        .await
        .ok(200);
}

async fn of_two_changes_from_the_same_version_one_is_made(app: &TestApp) {
    let alice = app.register("alice").await;
    for version in [0, 1, 2] {
        // Act: two devices change the settings they both read at `version`.
        let (a, b) = tokio::join!(
            patch(
                app,
                &alice,
                json!({"version": version, "locale": format!("a{version}")})
            ),
            patch(
                app,
                &alice,
                json!({"version": version, "locale": format!("b{version}")})
            )
        );

        // Assert: one is made; the other is told what it lost to.
        let (won, lost) = match (a.status.as_u16(), b.status.as_u16()) {
            (200, 409) => (a.body, b.body),
            (409, 200) => (b.body, a.body),
            other => panic!("expected one 200 and one 409, got {other:?}"),
        };
        assert_eq!(won["version"], version + 1);
        assert_eq!(lost, won);
        assert_eq!(app.get(PATH, &alice).await.ok(200), won);
    }
}

async fn bad_settings_are_refused_key_by_key_and_change_nothing(app: &TestApp) {
    let alice = app.register("alice").await;
    patch(app, &alice, json!({"version": 0, "locale": "de"}))
        .await
        .ok(200);
    app.drain_events().await;

    // Each bad key is named, all at once.
    let res = patch(
        app,
        &alice,
        json!({"version": 1, "theme": "purple", "message_display_compact": "yes",
               "timezone_offset": 900, "locale": "a-locale-too-long", "colour": "red",
               "custom_status": {"text": "x".repeat(129), "mood": "ok"}}),
    )
    .await;
    res.assert_error(400, 50035);
    for (path, code) in [
        ("theme", "BASE_TYPE_CHOICES"),
        ("message_display_compact", "BASE_TYPE_BOOLEAN"),
        ("timezone_offset", "NUMBER_TYPE_MAX"),
        ("locale", "BASE_TYPE_BAD_LENGTH"),
        ("colour", "UNKNOWN_FIELD"),
        ("custom_status.text", "BASE_TYPE_MAX_LENGTH"),
        ("custom_status.mood", "UNKNOWN_FIELD"),
    ] {
        let mut node = &res.body["errors"];
        for p in path.split('.') {
            node = &node[p];
        }
        assert_eq!(node["_errors"][0]["code"], code, "{path}: {}", res.body);
    }
    // One at a time, with the code of each rule.
    for (body, path, code) in [
        (json!({"theme": "dark"}), "version", "BASE_TYPE_REQUIRED"),
        (
            json!({"version": "1", "theme": "dark"}),
            "version",
            "NUMBER_TYPE_COERCE",
        ),
        (json!({"version": -1}), "version", "NUMBER_TYPE_MIN"),
        (
            json!({"version": 1, "status": "busy"}),
            "status",
            "BASE_TYPE_CHOICES",
        ),
        (
            json!({"version": 1, "locale": 5}),
            "locale",
            "BASE_TYPE_STRING",
        ),
        (
            json!({"version": 1, "timezone_offset": 1.5}),
            "timezone_offset",
            "NUMBER_TYPE_COERCE",
        ),
        (
            json!({"version": 1, "custom_status": "away"}),
            "custom_status",
            "MODEL_TYPE_CONVERT",
        ),
        (
            json!({"version": 1, "custom_status": {"text": "a", "expires_at": "soon"}}),
            "custom_status.expires_at",
            "DATE_TIME_TYPE_PARSE",
        ),
        (json!({"version": 1, "nsfw": true}), "nsfw", "UNKNOWN_FIELD"),
    ] {
        patch(app, &alice, body)
            .await
            .assert_field_error(path, code);
    }
    // More than 16 KiB of settings: refused as a whole.
    let res = patch(
        app,
        &alice,
        json!({"version": 1, "locale": "x".repeat(17_000)}),
    )
    .await;
    res.assert_error(400, 50035);
    assert_eq!(
        res.body["errors"]["_errors"][0]["code"], "BASE_TYPE_MAX_LENGTH",
        "{}",
        res.body
    );
    // Not an object, not JSON.
    app.raw(
        reqwest::Method::PATCH,
        &format!("/api/v10{PATH}"),
        Some(&alice),
        b"[1]".to_vec(),
    )
    .await
    .assert_error(400, 50035);
    app.raw(
        reqwest::Method::PATCH,
        &format!("/api/v10{PATH}"),
        Some(&alice),
        b"{\"version\": ".to_vec(),
    )
    .await
    .assert_error(400, 50109);

    // Nothing changed, nothing was told.
    assert!(app.drain_events().await.is_empty());
    assert_eq!(
        app.get(PATH, &alice).await.ok(200),
        with(defaults(1), json!({"locale": "de"}))
    );
}

async fn bots_have_no_settings(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, bot) = app.bot(&owner, "helper").await;

    app.get(PATH, &bot).await.assert_error(403, 20001);
    patch(app, &bot, json!({"version": 0, "theme": "dark"}))
        .await
        .assert_error(403, 20001);

    let (_gw, ready) = Gw::identify(app, &bot, Some(1)).await;
    assert_eq!(ready["user_settings"], json!({}));
    assert!(app.drain_events().await.is_empty());
}

async fn ready_carries_a_persons_settings(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let (_first, ready) = Gw::identify(app, &alice, None).await;
    assert_eq!(ready["user_settings"], defaults(0));

    // Act
    let changed = patch(
        app,
        &alice,
        json!({"version": 0, "status": "idle", "inline_embed_media": false}),
    )
    .await
    .ok(200);

    // Assert: a session starting now reads them, with the version to change them from.
    let (_second, ready) = Gw::identify(app, &alice, None).await;
    assert_eq!(ready["user_settings"], changed);
    assert_eq!(ready["user_settings"]["version"], 1);
}

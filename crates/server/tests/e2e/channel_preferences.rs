//! Notification settings and channel preferences over HTTP and the gateway: the defaults at
//! version 0, a partial PATCH answered with the whole entry and told to every session of the
//! user (and no one else), channel overrides keyed by channel id with hearth's favourite, a
//! timed mute that reads as over once it ends, the DMs' entry (`@me`), the last access, every
//! refusal (bad keys and values, unknown guild, not a member, a channel of another guild or not
//! visible, bots), and READY carrying the entries.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use hearth_protocol::events::Audience;
use serde_json::{json, Map, Value};

use crate::gateway::Gw;
use crate::helpers::{Res, TestApp};

both!(
    the_defaults_are_answered_at_version_zero_and_a_change_is_the_whole_entry_one_version_up,
    a_change_reaches_every_session_of_the_user_and_no_one_else,
    a_timed_mute_reads_as_over_once_it_ends_and_unmuting_clears_it,
    the_dms_have_an_entry_of_their_own,
    the_last_access_is_recorded_for_channels_the_user_may_view,
    bad_settings_are_refused_key_by_key_and_change_nothing,
    guilds_and_channels_out_of_reach_are_refused,
    bots_have_no_guild_settings,
    ready_carries_the_entries_of_the_guilds_the_user_is_in,
);

fn path(guild: &str) -> String {
    format!("/users/@me/guilds/{guild}/settings")
}

/// `{"<channel>": changes}`.
fn overrides(channel: &str, changes: Value) -> Value {
    let mut m = Map::new();
    m.insert(channel.to_owned(), changes);
    Value::Object(m)
}

/// The entry of a guild (or `null`) without settings, at `version`, with `channel_overrides`.
fn defaults(guild: Value, version: i64, channel_overrides: Value) -> Value {
    json!({"guild_id": guild, "muted": false, "mute_config": null, "message_notifications": 3,
           "suppress_everyone": false, "suppress_roles": false, "mobile_push": true,
           "hide_muted_channels": false, "notify_highlights": 0, "flags": 0,
           "version": version, "channel_overrides": channel_overrides})
}

/// A channel override with the defaults and `changes`.
fn channel_override(channel: &str, changes: Value) -> Value {
    let mut base = json!({"channel_id": channel, "muted": false, "mute_config": null,
                          "message_notifications": 3, "collapsed": false, "favorite": false,
                          "last_accessed_at": null});
    for (k, v) in changes.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

async fn patch(app: &TestApp, token: &str, guild: &str, body: Value) -> Res {
    app.patch(&path(guild), token, body).await
}

async fn the_defaults_are_answered_at_version_zero_and_a_change_is_the_whole_entry_one_version_up(
    app: &TestApp,
) {
    // Arrange
    let alice = app.register("alice").await;
    let (guild, general) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();
    assert_eq!(
        app.get(&path(g), &alice).await.ok(200),
        defaults(json!(g), 0, json!([]))
    );

    // Act
    let first = patch(
        app,
        &alice,
        g,
        json!({"message_notifications": 1, "suppress_everyone": true,
               "channel_overrides": overrides(&general, json!({"favorite": true, "message_notifications": 2}))}),
    )
    .await
    .ok(200);

    // Assert
    let mut expected = defaults(
        json!(g),
        1,
        json!([channel_override(
            &general,
            json!({"favorite": true, "message_notifications": 2})
        )]),
    );
    expected["message_notifications"] = json!(1);
    expected["suppress_everyone"] = json!(true);
    assert_eq!(first, expected);
    assert_eq!(app.get(&path(g), &alice).await.ok(200), expected);

    // Act: keys left out stay; a channel's other keys too.
    let second = patch(
        app,
        &alice,
        g,
        json!({"mobile_push": false,
               "channel_overrides": overrides(&general, json!({"channel_id": general, "collapsed": true}))}),
    )
    .await
    .ok(200);

    // Assert
    expected["version"] = json!(2);
    expected["mobile_push"] = json!(false);
    expected["channel_overrides"][0]["collapsed"] = json!(true);
    assert_eq!(second, expected);
    // An empty change is a write too (Discord's clients send one to read the entry).
    assert_eq!(patch(app, &alice, g, json!({})).await.ok(200)["version"], 3);
}

async fn a_change_reaches_every_session_of_the_user_and_no_one_else(app: &TestApp) {
    // Arrange: alice on two devices, bob (in the same guild) on one.
    let alice = app.register("alice").await;
    let alice_id = app.user_id(&alice).await;
    let bob = app.register("bob").await;
    let (guild, general) = app.guild_with(&alice, &[&bob]).await;
    let g = guild["id"].as_str().unwrap();
    let (mut phone, _) = Gw::identify(app, &alice, None).await;
    let (mut laptop, _) = Gw::identify(app, &alice, None).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob, None).await;
    app.drain_events().await;

    // Act
    let answered = patch(
        app,
        &alice,
        g,
        json!({"channel_overrides": overrides(&general, json!({"favorite": true}))}),
    )
    .await
    .ok(200);

    // Assert: the whole entry to each of alice's sessions, as one event for her alone.
    assert_eq!(phone.event("USER_GUILD_SETTINGS_UPDATE").await, answered);
    assert_eq!(laptop.event("USER_GUILD_SETTINGS_UPDATE").await, answered);
    let published = app.event("USER_GUILD_SETTINGS_UPDATE").await;
    assert_eq!(
        published.audience,
        Audience::User {
            user_id: alice_id.parse().unwrap()
        }
    );
    assert_eq!(published.data, answered);
    // Bob: nothing of it before a message sent after it.
    app.say(&alice, &general, "marker").await;
    loop {
        let frame = bob_gw.recv().await;
        assert_ne!(frame["t"], "USER_GUILD_SETTINGS_UPDATE", "{frame}");
        if frame["t"] == "MESSAGE_CREATE" {
            break;
        }
    }
    // Bob's settings are his own.
    assert_eq!(
        app.get(&path(g), &bob).await.ok(200),
        defaults(json!(g), 0, json!([]))
    );
}

async fn a_timed_mute_reads_as_over_once_it_ends_and_unmuting_clears_it(app: &TestApp) {
    let alice = app.register("alice").await;
    let (guild, general) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();

    // Muted for an hour, and a channel until turned back on.
    let muted = patch(
        app,
        &alice,
        g,
        json!({"muted": true,
               "mute_config": {"end_time": "2100-01-01T00:00:00Z", "selected_time_window": 3600},
               "channel_overrides": overrides(&general, json!({"muted": true, "mute_config": null}))}),
    )
    .await
    .ok(200);
    assert_eq!(muted["muted"], true);
    assert_eq!(
        muted["mute_config"],
        json!({"end_time": "2100-01-01T00:00:00.000000+00:00", "selected_time_window": 3600})
    );
    assert_eq!(muted["channel_overrides"][0]["muted"], true);
    assert_eq!(muted["channel_overrides"][0]["mute_config"], Value::Null);

    // A mute that ended reads as none.
    let ended = patch(
        app,
        &alice,
        g,
        json!({"mute_config": {"end_time": "2001-01-01T00:00:00Z", "selected_time_window": 900}}),
    )
    .await
    .ok(200);
    assert_eq!(
        (&ended["muted"], &ended["mute_config"]),
        (&json!(false), &Value::Null)
    );
    assert_eq!(app.get(&path(g), &alice).await.ok(200)["muted"], false);

    // Unmuting the channel clears its mute.
    let unmuted = patch(
        app,
        &alice,
        g,
        json!({"channel_overrides": overrides(&general, json!({"muted": false}))}),
    )
    .await
    .ok(200);
    assert_eq!(unmuted["channel_overrides"][0]["muted"], false);
    // "Until turned off": a window of -1 without an end.
    let forever = patch(
        app,
        &alice,
        g,
        json!({"muted": true, "mute_config": {"end_time": null, "selected_time_window": -1}}),
    )
    .await
    .ok(200);
    assert_eq!(
        (&forever["muted"], &forever["mute_config"]),
        (
            &json!(true),
            &json!({"end_time": null, "selected_time_window": -1})
        )
    );
}

async fn the_dms_have_an_entry_of_their_own(app: &TestApp) {
    // Arrange: a DM between alice and bob; carol's DM with bob is not alice's.
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let bob_id = app.user_id(&bob).await;
    let carol = app.register("carol").await;
    let dm = app
        .post(
            "/users/@me/channels",
            &alice,
            json!({"recipient_id": bob_id}),
        )
        .await
        .ok(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let carols = app
        .post(
            "/users/@me/channels",
            &carol,
            json!({"recipient_id": bob_id}),
        )
        .await
        .ok(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (guild, general) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();

    // Act
    let entry = patch(
        app,
        &alice,
        "@me",
        json!({"channel_overrides": overrides(&dm, json!({"muted": true}))}),
    )
    .await
    .ok(200);

    // Assert
    assert_eq!(
        entry,
        defaults(
            Value::Null,
            1,
            json!([channel_override(&dm, json!({"muted": true}))])
        )
    );
    assert_eq!(app.get(&path("@me"), &alice).await.ok(200), entry);
    assert_eq!(app.get(&path(g), &alice).await.ok(200)["version"], 0);
    // Another's DM, and a guild channel, are not of this entry; a DM is not of a guild's.
    patch(
        app,
        &alice,
        "@me",
        json!({"channel_overrides": overrides(&carols, json!({"muted": true}))}),
    )
    .await
    .assert_error(403, 50001);
    patch(
        app,
        &alice,
        "@me",
        json!({"channel_overrides": overrides(&general, json!({"muted": true}))}),
    )
    .await
    .assert_error(404, 10003);
    patch(
        app,
        &alice,
        g,
        json!({"channel_overrides": overrides(&dm, json!({"muted": true}))}),
    )
    .await
    .assert_error(404, 10003);
}

async fn the_last_access_is_recorded_for_channels_the_user_may_view(app: &TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let bob_id = app.user_id(&bob).await;
    let (guild, general) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();
    let dm = app
        .post(
            "/users/@me/channels",
            &alice,
            json!({"recipient_id": bob_id}),
        )
        .await
        .ok(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.drain_events().await;

    // Act
    let access = |c: &str| format!("/users/@me/channels/{c}/access");
    app.post(&access(&general), &alice, json!({})).await.ok(204);
    app.post(&access(&dm), &alice, json!({})).await.ok(204);

    // Assert: in the entries, as an override's last access, with no version or event.
    let entry = app.get(&path(g), &alice).await.ok(200);
    assert_eq!(entry["version"], 0);
    let first = entry["channel_overrides"][0].clone();
    assert_eq!(first["channel_id"], general.as_str());
    assert!(first["last_accessed_at"].is_string(), "{entry}");
    let dms = app.get(&path("@me"), &alice).await.ok(200);
    assert!(dms["channel_overrides"][0]["last_accessed_at"].is_string());
    assert!(app.drain_events().await.is_empty());
    // Within the minute, again: nothing changes.
    app.post(&access(&general), &alice, json!({})).await.ok(204);
    let again = app.get(&path(g), &alice).await.ok(200);
    assert_eq!(again["channel_overrides"][0], first);
    // A later change of the override keeps it.
    let changed = patch(
        app,
        &alice,
        g,
        json!({"channel_overrides": overrides(&general, json!({"favorite": true}))}),
    )
    .await
    .ok(200);
    assert_eq!(
        changed["channel_overrides"][0]["last_accessed_at"],
        first["last_accessed_at"]
    );
    // Refused: an unknown channel, one not the caller's, a bad id.
    app.post(&access("1234567890"), &alice, json!({}))
        .await
        .assert_error(404, 10003);
    app.post(&access(&dm), &app.register("carol").await, json!({}))
        .await
        .assert_error(403, 50001);
    app.post(&access(&general), &bob, json!({}))
        .await
        .assert_error(403, 50001);
    app.post(&access("nope"), &alice, json!({}))
        .await
        .assert_field_error("channel_id", "NUMBER_TYPE_COERCE");
}

async fn bad_settings_are_refused_key_by_key_and_change_nothing(app: &TestApp) {
    let alice = app.register("alice").await;
    let (guild, general) = app.guild_with(&alice, &[]).await;
    let g = guild["id"].as_str().unwrap();
    app.drain_events().await;

    // Each bad key is named, all at once.
    let res = patch(
        app,
        &alice,
        g,
        json!({"muted": "yes", "message_notifications": 4, "notify_highlights": -1,
               "flags": 1.5, "colour": "red",
               "mute_config": {"end_time": "soon", "selected_time_window": -2, "x": 1},
               "channel_overrides": overrides(&general, json!({"favorite": 1, "collapsed": null,
                                                              "message_notifications": 9, "pinned": true}))}),
    )
    .await;
    res.assert_error(400, 50035);
    let chan = |k: &str| format!("channel_overrides.{general}.{k}");
    for (path, code) in [
        ("muted".to_owned(), "BASE_TYPE_BOOLEAN"),
        ("message_notifications".to_owned(), "NUMBER_TYPE_MAX"),
        ("notify_highlights".to_owned(), "NUMBER_TYPE_MIN"),
        ("flags".to_owned(), "NUMBER_TYPE_COERCE"),
        ("colour".to_owned(), "UNKNOWN_FIELD"),
        ("mute_config.end_time".to_owned(), "DATE_TIME_TYPE_PARSE"),
        (
            "mute_config.selected_time_window".to_owned(),
            "NUMBER_TYPE_MIN",
        ),
        ("mute_config.x".to_owned(), "UNKNOWN_FIELD"),
        (chan("favorite"), "BASE_TYPE_BOOLEAN"),
        (chan("collapsed"), "BASE_TYPE_BOOLEAN"),
        (chan("message_notifications"), "NUMBER_TYPE_MAX"),
        (chan("pinned"), "UNKNOWN_FIELD"),
    ] {
        let mut node = &res.body["errors"];
        for p in path.split('.') {
            node = &node[p];
        }
        assert_eq!(node["_errors"][0]["code"], code, "{path}: {}", res.body);
    }
    // One at a time.
    for (body, path, code) in [
        (
            json!({"mute_config": 5}),
            "mute_config".to_owned(),
            "MODEL_TYPE_CONVERT",
        ),
        (
            json!({"channel_overrides": []}),
            "channel_overrides".to_owned(),
            "MODEL_TYPE_CONVERT",
        ),
        (
            json!({"channel_overrides": {"abc": {"muted": true}}}),
            "channel_overrides.abc".to_owned(),
            "NUMBER_TYPE_COERCE",
        ),
        (
            json!({"channel_overrides": overrides(&general, json!(true))}),
            format!("channel_overrides.{general}"),
            "MODEL_TYPE_CONVERT",
        ),
        (
            json!({"channel_overrides": overrides(&general, json!({"channel_id": "1"}))}),
            format!("channel_overrides.{general}.channel_id"),
            "BASE_TYPE_CHOICES",
        ),
        (
            json!({"flags": 4_294_967_296_i64}),
            "flags".to_owned(),
            "NUMBER_TYPE_MAX",
        ),
    ] {
        patch(app, &alice, g, body)
            .await
            .assert_field_error(&path, code);
    }
    // Not an object, not JSON, a bad guild id.
    let url = format!("/api/v10{}", path(g));
    app.raw(reqwest::Method::PATCH, &url, Some(&alice), b"[1]".to_vec())
        .await
        .assert_error(400, 50035);
    app.raw(
        reqwest::Method::PATCH,
        &url,
        Some(&alice),
        b"{\"muted\": ".to_vec(),
    )
    .await
    .assert_error(400, 50109);
    app.get(&path("someone"), &alice)
        .await
        .assert_field_error("guild_id", "NUMBER_TYPE_COERCE");

    // Nothing changed, nothing was told.
    assert!(app.drain_events().await.is_empty());
    assert_eq!(app.get(&path(g), &alice).await.ok(200)["version"], 0);
}

async fn guilds_and_channels_out_of_reach_are_refused(app: &TestApp) {
    // Arrange: alice's guild with a channel bob may not view; carol's guild bob is not in.
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let (guild, _) = app.guild_with(&alice, &[&bob]).await;
    let g = guild["id"].as_str().unwrap();
    let hidden = app
        .post(
            &format!("/guilds/{g}/channels"),
            &alice,
            json!({"name": "hidden", "permission_overwrites": [
                {"id": g, "type": 0, "deny": (1u64 << 10).to_string()}]}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (other, elsewhere) = app.guild_with(&carol, &[]).await;
    let o = other["id"].as_str().unwrap();
    app.drain_events().await;
    let muted = |c: &str| json!({"channel_overrides": overrides(c, json!({"muted": true}))});

    // Assert
    app.get(&path("1234567890"), &bob)
        .await
        .assert_error(404, 10004);
    patch(app, &bob, "1234567890", json!({}))
        .await
        .assert_error(404, 10004);
    app.get(&path(o), &bob).await.assert_error(403, 50001);
    patch(app, &bob, o, json!({"muted": true}))
        .await
        .assert_error(403, 50001);
    patch(app, &bob, g, muted(&hidden))
        .await
        .assert_error(403, 50001);
    patch(app, &bob, g, muted(&elsewhere))
        .await
        .assert_error(404, 10003);
    patch(app, &bob, g, muted("1234567890"))
        .await
        .assert_error(404, 10003);
    // Alice may view it.
    patch(app, &alice, g, muted(&hidden)).await.ok(200);
    // The refusals wrote and told nothing.
    assert_eq!(app.get(&path(g), &bob).await.ok(200)["version"], 0);
    assert_eq!(
        app.drain_events().await,
        vec!["USER_GUILD_SETTINGS_UPDATE".to_owned()]
    );
}

async fn bots_have_no_guild_settings(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, bot) = app.bot(&owner, "helper").await;

    app.get(&path("@me"), &bot).await.assert_error(403, 20001);
    patch(app, &bot, "@me", json!({"muted": true}))
        .await
        .assert_error(403, 20001);

    let (_gw, ready) = Gw::identify(app, &bot, Some(1)).await;
    assert_eq!(
        ready["user_guild_settings"],
        json!({"entries": [], "partial": false, "version": 0})
    );
}

async fn ready_carries_the_entries_of_the_guilds_the_user_is_in(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (guild, general) = app.guild_with(&alice, &[&bob]).await;
    let g = guild["id"].as_str().unwrap();
    let (_first, ready) = Gw::identify(app, &bob, None).await;
    assert_eq!(
        ready["user_guild_settings"],
        json!({"entries": [], "partial": false, "version": 0})
    );

    // Act
    patch(app, &bob, g, json!({"message_notifications": 2}))
        .await
        .ok(200);
    let entry = patch(
        app,
        &bob,
        g,
        json!({"channel_overrides": overrides(&general, json!({"favorite": true}))}),
    )
    .await
    .ok(200);

    // Assert: a session starting now reads them.
    let (_second, ready) = Gw::identify(app, &bob, None).await;
    assert_eq!(
        ready["user_guild_settings"],
        json!({"entries": [entry], "partial": false, "version": 2})
    );
    // Once bob leaves, the entry is not listed (it is kept for his return).
    app.delete(&format!("/users/@me/guilds/{g}"), &bob)
        .await
        .ok(204);
    let (_third, ready) = Gw::identify(app, &bob, None).await;
    assert_eq!(ready["user_guild_settings"]["entries"], json!([]));
}

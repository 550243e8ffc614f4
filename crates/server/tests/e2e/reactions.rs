//! Reactions over HTTP and the gateway: adding (once per user and emoji), counting in fetched
//! messages with the caller's own marked, listing who reacted, removing one's own, moderating
//! others' (MANAGE_MESSAGES), ADD_REACTIONS for a new emoji only, the limit of 20 emoji, custom
//! emoji refused, a deleted message taking its reactions, the four events reaching only who may
//! view the channel (and hold the intent), and reactions in a DM.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use hearth_protocol::events::Audience;
use reqwest::Method;
use serde_json::{json, Value};

use crate::gateway::Gw;
use crate::helpers::{Res, TestApp};

both!(
    reactions_are_added_once_counted_in_fetched_messages_listed_and_removed,
    reaction_events_reach_only_sessions_that_may_view_the_channel_and_hold_the_intent,
    others_reactions_are_moderated_with_manage_messages_and_new_emoji_need_add_reactions,
    custom_emoji_unknown_messages_bad_queries_and_the_twenty_first_emoji_are_refused,
    a_deleted_message_takes_its_reactions,
    reactions_work_in_a_dm_and_reach_both_recipients,
);

/// The emoji percent-encoded, as clients put it in the path.
fn enc(emoji: &str) -> String {
    emoji.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn reactions(channel: &str, message: &str) -> String {
    format!("/channels/{channel}/messages/{message}/reactions")
}

fn me(channel: &str, message: &str, emoji: &str) -> String {
    format!("{}/{}/@me", reactions(channel, message), enc(emoji))
}

async fn put(app: &TestApp, path: &str, token: &str) -> Res {
    app.call(Method::PUT, path, Some(token), None).await
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// A fetched message's reactions as `(emoji, count, me)`.
fn summary(message: &Value) -> Vec<(String, i64, bool)> {
    message
        .get("reactions")
        .and_then(Value::as_array)
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    assert_eq!(r["count_details"]["normal"], r["count"]);
                    assert_eq!(r["count_details"]["burst"], 0);
                    assert_eq!(r["burst_colors"], json!([]));
                    assert_eq!(r["me_burst"], false);
                    assert_eq!(r["emoji"]["id"], Value::Null);
                    (
                        r["emoji"]["name"].as_str().unwrap().to_owned(),
                        r["count"].as_i64().unwrap(),
                        r["me"].as_bool().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn s(e: &str, n: i64, me: bool) -> (String, i64, bool) {
    (e.to_owned(), n, me)
}

async fn reactions_are_added_once_counted_in_fetched_messages_listed_and_removed(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (guild, general) = app.guild_with(&alice, &[&bob]).await;
    let gid = id(&guild);
    let (alice_id, bob_id) = (app.user_id(&alice).await, app.user_id(&bob).await);
    let m = id(&app.say(&alice, &general, "react to me").await);
    let plain = id(&app.say(&alice, &general, "no reactions").await);
    app.drain_events().await;

    // Act
    put(app, &me(&general, &m, "👍"), &bob).await.ok(204);
    let added = app.event("MESSAGE_REACTION_ADD").await;
    put(app, &me(&general, &m, "👍"), &bob).await.ok(204);
    put(app, &me(&general, &m, "🎉"), &alice).await.ok(204);
    put(app, &me(&general, &m, "👍"), &alice).await.ok(204);

    // Assert: the event, with the member and the message's author.
    assert_eq!(
        added.audience,
        Audience::Channel {
            guild_id: hearth_core::Snowflake(gid.parse::<u64>().unwrap()).into(),
            channel_id: hearth_core::Snowflake(general.parse::<u64>().unwrap()).into(),
        }
    );
    let d = &added.data;
    assert_eq!(d["user_id"], bob_id.as_str());
    assert_eq!(d["channel_id"], general.as_str());
    assert_eq!(d["message_id"], m.as_str());
    assert_eq!(d["guild_id"], gid.as_str());
    assert_eq!(d["member"]["user"]["id"], bob_id.as_str());
    assert_eq!(d["emoji"], json!({"id": null, "name": "👍"}));
    assert_eq!(d["message_author_id"], alice_id.as_str());
    assert_eq!((&d["type"], &d["burst"]), (&json!(0), &json!(false)));
    // The repeat published nothing: the next two adds are alice's.
    assert_eq!(
        app.event("MESSAGE_REACTION_ADD").await.data["user_id"],
        alice_id.as_str()
    );

    // Counted in history and in a single fetch, in the order of first reaction, `me` per caller.
    let history = app
        .get(&format!("/channels/{general}/messages"), &bob)
        .await
        .ok(200);
    let by_id = |list: &Value, want: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == want)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        summary(&by_id(&history, &m)),
        vec![s("👍", 2, true), s("🎉", 1, false)]
    );
    assert!(by_id(&history, &plain).get("reactions").is_none());
    let single = app
        .get(&format!("/channels/{general}/messages/{m}"), &alice)
        .await
        .ok(200);
    assert_eq!(summary(&single), vec![s("👍", 2, true), s("🎉", 1, true)]);

    // Who reacted, by id, with `after` and `limit`.
    let mut ids = vec![alice_id.clone(), bob_id.clone()];
    ids.sort_by_key(|i| i.parse::<u64>().unwrap());
    let users_path = format!("{}/{}", reactions(&general, &m), enc("👍"));
    let all = app.get(&users_path, &bob).await.ok(200);
    assert_eq!(crate::helpers::ids(&all), ids);
    assert!(all[0]["username"].is_string());
    let page = app
        .get(&format!("{users_path}?after={}&limit=1", ids[0]), &bob)
        .await
        .ok(200);
    assert_eq!(crate::helpers::ids(&page), vec![ids[1].clone()]);
    let burst = app.get(&format!("{users_path}?type=1"), &bob).await.ok(200);
    assert_eq!(burst, json!([]));

    // Removing one's own reaction, twice (the second is no error and publishes nothing).
    app.drain_events().await;
    app.delete(&me(&general, &m, "👍"), &bob).await.ok(204);
    let removed = app.event("MESSAGE_REACTION_REMOVE").await.data;
    assert_eq!(removed["user_id"], bob_id.as_str());
    assert_eq!(removed["emoji"]["name"], "👍");
    assert!(removed.get("member").is_none());
    app.delete(&me(&general, &m, "👍"), &bob).await.ok(204);
    assert!(app.drain_events().await.is_empty());
    let single = app
        .get(&format!("/channels/{general}/messages/{m}"), &bob)
        .await
        .ok(200);
    // 👍 now dates from alice's reaction, after 🎉.
    assert_eq!(summary(&single), vec![s("🎉", 1, false), s("👍", 1, false)]);
}

async fn reaction_events_reach_only_sessions_that_may_view_the_channel_and_hold_the_intent(
    app: &TestApp,
) {
    // Arrange: carol may not view `hidden`; dave's session has no reaction intent.
    let alice = app.register("alice").await;
    let carol = app.register("carol").await;
    let dave = app.register("dave").await;
    let (guild, general) = app.guild_with(&alice, &[&carol, &dave]).await;
    let gid = id(&guild);
    let hidden = id(&app
        .post(
            &format!("/guilds/{gid}/channels"),
            &alice,
            json!({"name": "hidden", "permission_overwrites": [
                {"id": gid, "type": 0, "deny": (1u64 << 10).to_string()}]}),
        )
        .await
        .ok(201));
    let secret = id(&app.say(&alice, &hidden, "secret").await);
    let open = id(&app.say(&alice, &general, "open").await);
    let (mut carol_gw, _) = Gw::identify(app, &carol, Some(1 | (1 << 9) | (1 << 10))).await;
    let (mut dave_gw, _) = Gw::identify(app, &dave, Some(1 | (1 << 9))).await;

    // Act
    put(app, &me(&hidden, &secret, "👀"), &alice).await.ok(204);
    put(app, &me(&general, &open, "👋"), &alice).await.ok(204);
    app.say(&alice, &general, "after").await;

    // Assert: carol's first reaction event is the one she may see; dave gets none.
    let seen = carol_gw.event("MESSAGE_REACTION_ADD").await;
    assert_eq!(seen["message_id"], open.as_str());
    assert_eq!(seen["emoji"]["name"], "👋");
    loop {
        let v = dave_gw.recv().await;
        assert_ne!(v["t"], "MESSAGE_REACTION_ADD", "{v}");
        if v["t"] == "MESSAGE_CREATE" && v["d"]["content"] == "after" {
            break;
        }
    }
    // Carol cannot react in, or list the reactions of, the hidden channel.
    put(app, &me(&hidden, &secret, "👀"), &carol)
        .await
        .assert_error(403, 50001);
    app.get(
        &format!("{}/{}", reactions(&hidden, &secret), enc("👀")),
        &carol,
    )
    .await
    .assert_error(403, 50001);
}

async fn others_reactions_are_moderated_with_manage_messages_and_new_emoji_need_add_reactions(
    app: &TestApp,
) {
    // Arrange: bob may not add reactions in general (a member overwrite denies ADD_REACTIONS).
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (_, general) = app.guild_with(&alice, &[&bob]).await;
    let bob_id = app.user_id(&bob).await;
    let alice_id = app.user_id(&alice).await;
    let m = id(&app.say(&alice, &general, "hi").await);
    put(app, &me(&general, &m, "👍"), &alice).await.ok(204);
    put(app, &me(&general, &m, "🎉"), &alice).await.ok(204);
    app.call(
        Method::PUT,
        &format!("/channels/{general}/permissions/{bob_id}"),
        Some(&alice),
        Some(json!({"type": 1, "deny": (1u64 << 6).to_string()})),
    )
    .await
    .ok(204);

    // Act / Assert: a new emoji is refused, an existing one is taken.
    put(app, &me(&general, &m, "🔥"), &bob)
        .await
        .assert_error(403, 50013);
    put(app, &me(&general, &m, "👍"), &bob).await.ok(204);

    // Bob may not remove alice's reaction nor clear; alice (the owner) may.
    let alice_thumb = format!("{}/{}/{alice_id}", reactions(&general, &m), enc("👍"));
    app.delete(&alice_thumb, &bob)
        .await
        .assert_error(403, 50013);
    app.delete(&format!("{}/{}", reactions(&general, &m), enc("👍")), &bob)
        .await
        .assert_error(403, 50013);
    app.delete(&reactions(&general, &m), &bob)
        .await
        .assert_error(403, 50013);
    app.drain_events().await;
    let bob_thumb = format!("{}/{}/{bob_id}", reactions(&general, &m), enc("👍"));
    app.delete(&bob_thumb, &alice).await.ok(204);
    assert_eq!(
        app.event("MESSAGE_REACTION_REMOVE").await.data["user_id"],
        bob_id.as_str()
    );
    app.delete(
        &format!("{}/{}", reactions(&general, &m), enc("👍")),
        &alice,
    )
    .await
    .ok(204);
    let one = app.event("MESSAGE_REACTION_REMOVE_EMOJI").await.data;
    assert_eq!(one["emoji"]["name"], "👍");
    assert_eq!(one["message_id"], m.as_str());
    app.delete(&reactions(&general, &m), &alice).await.ok(204);
    let all = app.event("MESSAGE_REACTION_REMOVE_ALL").await.data;
    assert_eq!(all["message_id"], m.as_str());
    assert_eq!(all["channel_id"], general.as_str());
    let single = app
        .get(&format!("/channels/{general}/messages/{m}"), &alice)
        .await
        .ok(200);
    assert!(single.get("reactions").is_none(), "{single}");
}

async fn custom_emoji_unknown_messages_bad_queries_and_the_twenty_first_emoji_are_refused(
    app: &TestApp,
) {
    let alice = app.register("alice").await;
    let (_, general) = app.guild_with(&alice, &[]).await;
    let m = id(&app.say(&alice, &general, "hi").await);
    let base = reactions(&general, &m);
    for custom in ["blob%3A123", ":blob:123", "a:blob:123", "abc"] {
        put(app, &format!("{base}/{custom}/@me"), &alice)
            .await
            .assert_error(400, 10014);
    }
    put(app, &me(&general, "1", "👍"), &alice)
        .await
        .assert_error(404, 10008);
    app.get(&format!("{base}/{}?limit=0", enc("👍")), &alice)
        .await
        .assert_field_error("limit", "NUMBER_TYPE_MAX");
    app.get(&format!("{base}/{}?limit=101", enc("👍")), &alice)
        .await
        .assert_error(400, 50035);
    // Twenty distinct emoji, then the limit; a reaction with one already there still counts.
    let emoji: Vec<String> = (0..21)
        .map(|i| char::from_u32(0x1F600 + i).unwrap().to_string())
        .collect();
    for e in &emoji[..20] {
        put(app, &me(&general, &m, e), &alice).await.ok(204);
    }
    put(app, &me(&general, &m, &emoji[20]), &alice)
        .await
        .assert_error(400, 30010);
    let single = app
        .get(&format!("/channels/{general}/messages/{m}"), &alice)
        .await
        .ok(200);
    assert_eq!(summary(&single).len(), 20);
}

async fn a_deleted_message_takes_its_reactions(app: &TestApp) {
    let alice = app.register("alice").await;
    let (_, general) = app.guild_with(&alice, &[]).await;
    let m = id(&app.say(&alice, &general, "bye").await);
    put(app, &me(&general, &m, "👍"), &alice).await.ok(204);

    app.delete(&format!("/channels/{general}/messages/{m}"), &alice)
        .await
        .ok(204);

    app.get(
        &format!("{}/{}", reactions(&general, &m), enc("👍")),
        &alice,
    )
    .await
    .assert_error(404, 10008);
    put(app, &me(&general, &m, "👍"), &alice)
        .await
        .assert_error(404, 10008);
    let store = app.store().await;
    let left = store
        .fetch_reaction_emoji(
            hearth_core::Snowflake(general.parse::<u64>().unwrap()).into(),
            hearth_core::Snowflake(m.parse::<u64>().unwrap()).into(),
        )
        .await
        .unwrap();
    assert!(left.is_empty());
}

async fn reactions_work_in_a_dm_and_reach_both_recipients(app: &TestApp) {
    // Arrange
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let (ann_id, bob_id) = (app.user_id(&ann).await, app.user_id(&bob).await);
    let dm = app
        .post("/users/@me/channels", &ann, json!({"recipient_id": bob_id}))
        .await
        .ok(200);
    let c = id(&dm);
    let m = id(&app.say(&ann, &c, "hello").await);
    let (mut ann_gw, _) = Gw::identify(app, &ann, Some(1 << 13)).await;
    let (mut bob_gw, _) = Gw::identify(app, &bob, Some(1 << 13)).await;

    // Act
    put(app, &me(&c, &m, "❤️"), &bob).await.ok(204);

    // Assert
    for gw in [&mut ann_gw, &mut bob_gw] {
        let d = gw.event("MESSAGE_REACTION_ADD").await;
        assert_eq!(d["user_id"], bob_id.as_str());
        assert_eq!(d["channel_id"], c.as_str());
        assert_eq!(d["message_author_id"], ann_id.as_str());
        assert!(
            d.get("guild_id").is_none() && d.get("member").is_none(),
            "{d}"
        );
    }
    let history = app
        .get(&format!("/channels/{c}/messages"), &ann)
        .await
        .ok(200);
    assert_eq!(summary(&history[0]), vec![s("❤️", 1, false)]);
    // No moderators in a DM: ann cannot remove bob's reaction nor clear them.
    app.delete(
        &format!("{}/{}/{bob_id}", reactions(&c, &m), enc("❤️")),
        &ann,
    )
    .await
    .assert_error(403, 50003);
    app.delete(&reactions(&c, &m), &ann)
        .await
        .assert_error(403, 50003);
    // Bob takes his own back; both are told.
    app.delete(&me(&c, &m, "❤️"), &bob).await.ok(204);
    for gw in [&mut ann_gw, &mut bob_gw] {
        let d = gw.event("MESSAGE_REACTION_REMOVE").await;
        assert_eq!(d["user_id"], bob_id.as_str());
    }
}

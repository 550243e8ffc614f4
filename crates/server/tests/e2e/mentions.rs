//! Mentions over HTTP and the gateway: user, role, @everyone and @here mentions listed in the
//! POST answer, MESSAGE_CREATE, history and edits; `allowed_mentions` narrowing them (with its
//! validation errors); roles that are not mentionable and @everyone needing MENTION_EVERYONE;
//! a reply mentioning the replied-to author unless told not to; in DMs and group DMs, user
//! mentions only, and the channel's `last_message_id` kept as in guild channels.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use serde_json::{json, Value};

use crate::helpers::{ids, TestApp};

both!(
    mentions_are_listed_in_the_answer_the_event_history_and_edits,
    allowed_mentions_narrows_what_counts,
    bad_allowed_mentions_are_refused_field_by_field,
    roles_and_everyone_need_mentionable_or_mention_everyone,
    a_reply_mentions_its_author_unless_told_not_to,
    private_channels_list_user_mentions_and_their_last_message,
);

/// The @everyone default permissions without MENTION_EVERYONE.
const EVERYONE_WITHOUT_MENTION_EVERYONE: &str = "104193601";

fn messages(channel: &str) -> String {
    format!("/channels/{channel}/messages")
}

/// Creates a role; returns its id.
async fn role(app: &TestApp, owner: &str, guild: &str, mentionable: bool) -> String {
    app.post(
        &format!("/guilds/{guild}/roles"),
        owner,
        json!({"name": "crew", "mentionable": mentionable}),
    )
    .await
    .ok(200)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn roles_of(m: &Value) -> Vec<String> {
    m["mention_roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

async fn mentions_are_listed_in_the_answer_the_event_history_and_edits(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let bob_id = app.user_id(&bob).await;
    let (guild, general) = app.guild_with(&alice, &[&bob]).await;
    let g = guild["id"].as_str().unwrap();
    let crew = role(app, &alice, g, true).await;
    app.drain_events().await;

    // Act
    let content = format!("hey <@!{bob_id}> and <@&{crew}>, also <@{bob_id}> @here");
    let posted = app
        .post(&messages(&general), &alice, json!({"content": content}))
        .await
        .ok(200);

    // Assert
    assert_eq!(ids(&posted["mentions"]), vec![bob_id.clone()]);
    assert_eq!(roles_of(&posted), vec![crew.clone()]);
    assert_eq!(posted["mention_everyone"], true);
    let event = app.event("MESSAGE_CREATE").await.data;
    assert_eq!(ids(&event["mentions"]), vec![bob_id.clone()]);
    assert_eq!(roles_of(&event), vec![crew.clone()]);
    assert_eq!(event["mention_everyone"], true);
    let history = app.get(&messages(&general), &bob).await.ok(200);
    assert_eq!(ids(&history[0]["mentions"]), vec![bob_id.clone()]);
    assert_eq!(history[0]["mentions"][0]["username"], "bob");
    assert_eq!(roles_of(&history[0]), vec![crew.clone()]);
    assert_eq!(history[0]["mention_everyone"], true);

    // Act: an edit works them out again
    let id = posted["id"].as_str().unwrap();
    let edited = app
        .patch(
            &format!("/channels/{general}/messages/{id}"),
            &alice,
            json!({"content": "never mind"}),
        )
        .await
        .ok(200);

    // Assert
    assert_eq!(edited["mentions"], json!([]));
    assert_eq!(edited["mention_roles"], json!([]));
    assert_eq!(edited["mention_everyone"], false);
    let event = app.event("MESSAGE_UPDATE").await.data;
    assert_eq!(event["mentions"], json!([]));
    let again = app
        .patch(
            &format!("/channels/{general}/messages/{id}"),
            &alice,
            json!({"content": format!("<@{bob_id}>")}),
        )
        .await
        .ok(200);
    assert_eq!(ids(&again["mentions"]), vec![bob_id.clone()]);
    let one = app
        .get(&format!("/channels/{general}/messages/{id}"), &bob)
        .await
        .ok(200);
    assert_eq!(ids(&one["mentions"]), vec![bob_id]);

    // Assert: an unknown user is not listed
    let ghost = app
        .post(
            &messages(&general),
            &alice,
            json!({"content": "<@12345678901234567>"}),
        )
        .await
        .ok(200);
    assert_eq!(ghost["mentions"], json!([]));
}

async fn allowed_mentions_narrows_what_counts(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let bob_id = app.user_id(&bob).await;
    let carol_id = app.user_id(&carol).await;
    let (guild, general) = app.guild_with(&alice, &[&bob, &carol]).await;
    let g = guild["id"].as_str().unwrap();
    let crew = role(app, &alice, g, true).await;
    let content = format!("<@{bob_id}> <@{carol_id}> <@&{crew}> @everyone");
    let send = |allowed: Value| {
        let content = content.clone();
        let general = general.clone();
        let alice = alice.clone();
        async move {
            app.post(
                &messages(&general),
                &alice,
                json!({"content": content, "allowed_mentions": allowed}),
            )
            .await
            .ok(200)
        }
    };

    // Act
    let none = send(json!({"parse": []})).await;
    let listed = send(json!({"users": [carol_id], "roles": [crew]})).await;
    let parsed = send(json!({"parse": ["users", "everyone"]})).await;

    // Assert
    assert_eq!(none["mentions"], json!([]));
    assert_eq!(none["mention_roles"], json!([]));
    assert_eq!(none["mention_everyone"], false);
    assert_eq!(ids(&listed["mentions"]), vec![carol_id.clone()]);
    assert_eq!(roles_of(&listed), vec![crew.clone()]);
    assert_eq!(listed["mention_everyone"], false);
    assert_eq!(ids(&parsed["mentions"]), vec![bob_id, carol_id]);
    assert_eq!(parsed["mention_roles"], json!([]));
    assert_eq!(parsed["mention_everyone"], true);
}

async fn bad_allowed_mentions_are_refused_field_by_field(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let alice_id = app.user_id(&alice).await;
    let (_, general) = app.guild_with(&alice, &[]).await;
    let post = |allowed: Value| {
        let general = general.clone();
        let alice = alice.clone();
        async move {
            app.post(
                &messages(&general),
                &alice,
                json!({"content": "hi", "allowed_mentions": allowed}),
            )
            .await
        }
    };

    // Act / Assert
    post(json!({"parse": ["users", "channels"]}))
        .await
        .assert_field_error("allowed_mentions.parse.1", "BASE_TYPE_CHOICES");
    post(json!({"parse": ["users"], "users": [alice_id]}))
        .await
        .assert_field_error(
            "allowed_mentions",
            "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
        );
    let many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    post(json!({"roles": many}))
        .await
        .assert_field_error("allowed_mentions.roles", "BASE_TYPE_MAX_LENGTH");
    post(json!({"parse": "users"}))
        .await
        .assert_error(400, 50035);
    let posted = app.get(&messages(&general), &alice).await.ok(200);
    assert_eq!(posted, json!([]));
}

async fn roles_and_everyone_need_mentionable_or_mention_everyone(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (guild, general) = app.guild_with(&alice, &[&bob]).await;
    let g = guild["id"].as_str().unwrap();
    let open = role(app, &alice, g, true).await;
    let closed = role(app, &alice, g, false).await;
    app.patch(
        &format!("/guilds/{g}/roles/{g}"),
        &alice,
        json!({"permissions": EVERYONE_WITHOUT_MENTION_EVERYONE}),
    )
    .await
    .ok(200);
    let content = format!("<@&{open}> <@&{closed}> <@&{g}> @everyone @here");

    // Act
    let by_bob = app.say(&bob, &general, &content).await;
    let by_owner = app.say(&alice, &general, &content).await;

    // Assert: bob lacks MENTION_EVERYONE; the owner holds every permission
    assert_eq!(roles_of(&by_bob), vec![open.clone()]);
    assert_eq!(by_bob["mention_everyone"], false);
    assert_eq!(roles_of(&by_owner), vec![open, closed]);
    assert_eq!(by_owner["mention_everyone"], true);
}

async fn a_reply_mentions_its_author_unless_told_not_to(app: &TestApp) {
    // Arrange
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let bob_id = app.user_id(&bob).await;
    let (_, general) = app.guild_with(&alice, &[&bob]).await;
    let first = app.say(&bob, &general, "question").await;
    let reference = json!({"message_id": first["id"]});

    // Act
    let pinging = app
        .post(
            &messages(&general),
            &alice,
            json!({"content": "answer", "message_reference": reference}),
        )
        .await
        .ok(200);
    let quiet = app
        .post(
            &messages(&general),
            &alice,
            json!({"content": "answer", "message_reference": reference,
                   "allowed_mentions": {"parse": ["users"], "replied_user": false}}),
        )
        .await
        .ok(200);
    let edited = app
        .patch(
            &format!(
                "/channels/{general}/messages/{}",
                pinging["id"].as_str().unwrap()
            ),
            &alice,
            json!({"content": "better answer"}),
        )
        .await
        .ok(200);

    // Assert
    assert_eq!(ids(&pinging["mentions"]), vec![bob_id.clone()]);
    assert_eq!(quiet["mentions"], json!([]));
    assert_eq!(ids(&edited["mentions"]), vec![bob_id]);
}

async fn private_channels_list_user_mentions_and_their_last_message(app: &TestApp) {
    // Arrange
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let cat = app.register("cat").await;
    let (bob_id, cat_id) = (app.user_id(&bob).await, app.user_id(&cat).await);
    let dm = app
        .post("/users/@me/channels", &ann, json!({"recipient_id": bob_id}))
        .await
        .ok(200);
    let dm = dm["id"].as_str().unwrap();
    let group = app
        .post(
            "/users/@me/channels",
            &ann,
            json!({"recipients": [bob_id, cat_id], "name": "trip"}),
        )
        .await
        .ok(200);
    let group = group["id"].as_str().unwrap();

    // Act
    let in_dm = app
        .say(&ann, dm, &format!("<@{bob_id}> @everyone <@&{dm}>"))
        .await;
    let in_group = app.say(&bob, group, &format!("<@{cat_id}> @here")).await;

    // Assert: no roles and no MENTION_EVERYONE in private channels
    assert_eq!(ids(&in_dm["mentions"]), vec![bob_id]);
    assert_eq!(in_dm["mention_roles"], json!([]));
    assert_eq!(in_dm["mention_everyone"], false);
    assert_eq!(ids(&in_group["mentions"]), vec![cat_id]);
    assert_eq!(in_group["mention_everyone"], false);
    let channel = app.get(&format!("/channels/{dm}"), &bob).await.ok(200);
    assert_eq!(channel["last_message_id"], in_dm["id"]);
    let listed = app.get("/users/@me/channels", &cat).await.ok(200);
    let found = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == group)
        .expect("the group DM is listed");
    assert_eq!(found["last_message_id"], in_group["id"]);
}

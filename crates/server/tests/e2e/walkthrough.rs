//! The whole foundation in one story: two people, a guild, an invite, a conversation.

use serde_json::json;

use crate::helpers::{ids, said, TestApp};

both!(two_people_meet_in_a_guild_and_talk);

async fn two_people_meet_in_a_guild_and_talk(app: &TestApp) {
    // Arrange: two accounts.
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    // Alice makes a guild and an invite; Bob looks at the invite and joins.
    let guild = app.guild(&alice, "Tea Room").await;
    let guild_id = guild["id"].as_str().unwrap();
    let general = guild["system_channel_id"].as_str().unwrap().to_owned();
    let invite = app
        .post(
            &format!("/channels/{general}/invites"),
            &alice,
            json!({"max_age": 3600, "max_uses": 5}),
        )
        .await
        .ok(200);
    let code = invite["code"].as_str().unwrap();
    assert_eq!(code.len(), 8);
    let seen = app
        .get(&format!("/invites/{code}?with_counts=true"), &bob)
        .await
        .ok(200);
    assert_eq!(seen["guild"]["name"], "Tea Room");
    assert_eq!(seen["approximate_member_count"], 1);
    app.post(&format!("/invites/{code}"), &bob, json!({}))
        .await
        .ok(200);
    let counted = app
        .get(&format!("/guilds/{guild_id}?with_counts=1"), &bob)
        .await
        .ok(200);
    assert_eq!(counted["approximate_member_count"], 2);

    // They talk: 30 messages, alternating.
    let mut sent = Vec::new();
    for i in 0..30 {
        let who = if i % 2 == 0 { &alice } else { &bob };
        let m = app.say(who, &general, &format!("message {i}")).await;
        assert_eq!(m["content"], format!("message {i}"));
        assert_eq!(m["guild_id"], guild_id);
        sent.push(m["id"].as_str().unwrap().to_owned());
    }

    // History pages backwards with `before`, newest first.
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let path = match &before {
            Some(b) => format!("/channels/{general}/messages?limit=7&before={b}"),
            None => format!("/channels/{general}/messages?limit=7"),
        };
        let all = app.get(&path, &bob).await.ok(200);
        let page = ids(&all);
        if page.is_empty() {
            break;
        }
        before = page.last().cloned();
        // Bob's join message is in the history too; only what they wrote is compared.
        seen.extend(said(&all));
    }
    let newest_first: Vec<String> = sent.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);

    // ... and forwards with `after` (each page is also newest first, as the clients expect).
    let mut forward = Vec::new();
    let mut after = "0".to_owned();
    loop {
        let all = app
            .get(
                &format!("/channels/{general}/messages?limit=8&after={after}"),
                &alice,
            )
            .await
            .ok(200);
        let page = ids(&all);
        if page.is_empty() {
            break;
        }
        let mut sorted = page.clone();
        sorted.sort_by_key(|id| std::cmp::Reverse(id.parse::<u64>().unwrap()));
        assert_eq!(page, sorted, "pages are newest first");
        after = page[0].clone();
        forward.extend(said(&all).into_iter().rev());
    }
    assert_eq!(forward, sent);

    // Bob edits his message; Alice deletes hers.
    let edited = app
        .patch(
            &format!("/channels/{general}/messages/{}", sent[1]),
            &bob,
            json!({"content": "edited"}),
        )
        .await
        .ok(200);
    assert_eq!(edited["content"], "edited");
    assert!(edited["edited_timestamp"].is_string());
    app.delete(&format!("/channels/{general}/messages/{}", sent[0]), &alice)
        .await
        .ok(204);
    app.get(&format!("/channels/{general}/messages/{}", sent[0]), &bob)
        .await
        .assert_error(404, 10008);
    let latest = said(
        &app.get(&format!("/channels/{general}/messages?limit=100"), &bob)
            .await
            .ok(200),
    );
    assert_eq!(latest.len(), 29);
    assert!(!latest.contains(&sent[0]));
}

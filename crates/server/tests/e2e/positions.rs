//! Positions are bounded (0..=2^31-1; roles from 1): out-of-range requests answer 50035, and
//! nothing hearth computes from positions wraps or reorders the role hierarchy.

use serde_json::{json, Value};

use crate::helpers::TestApp;

both!(
    channel_positions_out_of_range_are_refused_and_creation_never_wraps,
    role_positions_out_of_range_are_refused_and_the_hierarchy_holds_at_the_top,
);

const MAX: i64 = 2_147_483_647;

async fn channel_positions_out_of_range_are_refused_and_creation_never_wraps(app: &TestApp) {
    let owner = app.register("owner").await;
    let guild = app.guild(&owner, "Home").await;
    let gid = guild["id"].as_str().unwrap();
    let channels = format!("/guilds/{gid}/channels");
    let general = app.get(&channels, &owner).await.ok(200)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for (position, code) in [
        (i64::MAX, "NUMBER_TYPE_MAX"),
        (MAX + 1, "NUMBER_TYPE_MAX"),
        (-1, "NUMBER_TYPE_MIN"),
    ] {
        app.patch(
            &channels,
            &owner,
            json!([{"id": general, "position": position}]),
        )
        .await
        .assert_field_error("0.position", code);
        app.patch(
            &format!("/channels/{general}"),
            &owner,
            json!({"position": position}),
        )
        .await
        .assert_field_error("position", code);
        app.post(
            &channels,
            &owner,
            json!({"name": "x", "position": position}),
        )
        .await
        .assert_field_error("position", code);
    }
    // A number no 64-bit integer holds is a wrong type.
    let res = app
        .raw(
            reqwest::Method::PATCH,
            &format!("/api/v10/channels/{general}"),
            Some(&owner),
            br#"{"position": 99999999999999999999}"#.to_vec(),
        )
        .await;
    res.assert_error(400, 50035);

    // At the top, a new channel takes the top too (never a wrapped, negative position) and still
    // lists after the others.
    app.patch(&channels, &owner, json!([{"id": general, "position": MAX}]))
        .await
        .ok(204);
    let second = app
        .post(&channels, &owner, json!({"name": "second"}))
        .await
        .ok(201);
    assert_eq!(second["position"], MAX);
    let third = app
        .post(&channels, &owner, json!({"name": "third"}))
        .await
        .ok(201);
    assert_eq!(third["position"], MAX);
    let listed: Vec<Value> = app
        .get(&channels, &owner)
        .await
        .ok(200)
        .as_array()
        .unwrap()
        .clone();
    let names: Vec<&str> = listed.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["general", "second", "third"]);
}

async fn role_positions_out_of_range_are_refused_and_the_hierarchy_holds_at_the_top(app: &TestApp) {
    let owner = app.register("owner").await;
    let guild = app.guild(&owner, "Home").await;
    let gid = guild["id"].as_str().unwrap().to_owned();
    let roles = format!("/guilds/{gid}/roles");
    let a = app.post(&roles, &owner, json!({"name": "a"})).await.ok(200);
    let b = app.post(&roles, &owner, json!({"name": "b"})).await.ok(200);
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());

    for (position, code) in [
        (i64::MAX, "NUMBER_TYPE_MAX"),
        (MAX + 1, "NUMBER_TYPE_MAX"),
        (0, "INVALID_ROLE"),
        (i64::MIN, "INVALID_ROLE"),
    ] {
        app.patch(&roles, &owner, json!([{"id": a, "position": position}]))
            .await
            .assert_field_error("0.position", code);
    }
    // `a` to the very top and `b` just under it; then two more roles are created at the bottom.
    app.patch(
        &roles,
        &owner,
        json!([{"id": a, "position": MAX}, {"id": b, "position": MAX - 1}]),
    )
    .await
    .ok(200);
    app.post(&roles, &owner, json!({"name": "c"})).await.ok(200);
    app.post(&roles, &owner, json!({"name": "d"})).await.ok(200);
    let listed = app.get(&roles, &owner).await.ok(200);
    let mut by_position: Vec<(i64, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["position"].as_i64().unwrap(),
                r["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    by_position.sort();
    let names: Vec<&str> = by_position.iter().map(|(_, n)| n.as_str()).collect();
    // @everyone alone at 0; nothing wrapped below it; a stays above b.
    assert_eq!(names, ["@everyone", "d", "c", "b", "a"]);
    assert_eq!(by_position[0].0, 0);
    assert!(
        by_position[1..].iter().all(|(p, _)| (1..=MAX).contains(p)),
        "{by_position:?}"
    );
    let distinct: std::collections::BTreeSet<i64> = by_position.iter().map(|(p, _)| *p).collect();
    assert_eq!(distinct.len(), 5, "{by_position:?}");
}

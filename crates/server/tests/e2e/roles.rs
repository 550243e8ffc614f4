//! Roles: create, change, reorder, delete, give and take, under MANAGE_ROLES and the role
//! hierarchy, with their events and audit log entries.
#![allow(clippy::too_many_lines)] // end-to-end scenarios read top to bottom

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

both!(
    roles_live_through_create_change_reorder_and_delete_with_events_and_audit,
    the_role_hierarchy_bounds_what_a_manager_may_do,
    role_bodies_and_reasons_are_checked,
    members_are_changed_within_permissions_and_rank,
);

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// A call with an `X-Audit-Log-Reason` header.
async fn with_reason(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    reason: &str,
    body: Option<Value>,
) -> crate::helpers::Res {
    app.call_with_reason(method, path, token, reason, body)
        .await
}

async fn put(app: &TestApp, path: &str, token: &str) -> crate::helpers::Res {
    app.call(Method::PUT, path, Some(token), None).await
}

async fn roles_live_through_create_change_reorder_and_delete_with_events_and_audit(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g, _) = app.guild_with(&owner, &[]).await;
    let gid = id(&g);
    let owner_id = app.user_id(&owner).await;
    app.drain_events().await;

    let body = json!({"name": "mods", "permissions": "8192", "colors": {"primary_color": 255}, "hoist": true});
    let mods = with_reason(
        app,
        Method::POST,
        &format!("/guilds/{gid}/roles"),
        &owner,
        "new%20team",
        Some(body),
    )
    .await
    .ok(200);
    assert_eq!(
        (
            mods["name"].as_str(),
            mods["permissions"].as_str(),
            mods["color"].as_u64(),
            mods["hoist"].as_bool(),
            mods["position"].as_i64()
        ),
        (Some("mods"), Some("8192"), Some(255), Some(true), Some(1))
    );
    let e = app.event("GUILD_ROLE_CREATE").await;
    assert_eq!(e.data["role"]["id"], mods["id"]);
    assert_eq!(e.data["guild_id"], gid.as_str());

    // A second role is created at the bottom: the first moves up.
    let helpers = app
        .post(
            &format!("/guilds/{gid}/roles"),
            &owner,
            json!({"name": "helpers"}),
        )
        .await
        .ok(200);
    assert_eq!(helpers["position"], 1);
    let list = app
        .get(&format!("/guilds/{gid}/roles"), &owner)
        .await
        .ok(200);
    let names: Vec<(&str, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["position"].as_i64().unwrap()))
        .collect();
    assert_eq!(names, vec![("@everyone", 0), ("helpers", 1), ("mods", 2)]);

    app.drain_events().await;
    let renamed = app
        .patch(
            &format!("/guilds/{gid}/roles/{}", id(&mods)),
            &owner,
            json!({"name": "moderators", "mentionable": true}),
        )
        .await
        .ok(200);
    assert_eq!(
        (renamed["name"].as_str(), renamed["mentionable"].as_bool()),
        (Some("moderators"), Some(true))
    );
    assert_eq!(
        app.event("GUILD_ROLE_UPDATE").await.data["role"]["name"],
        "moderators"
    );

    // Reordering answers every role; moved roles are announced.
    let reordered = app
        .call(
            Method::PATCH,
            &format!("/guilds/{gid}/roles"),
            Some(&owner),
            Some(json!([{"id": id(&helpers), "position": 3}])),
        )
        .await
        .ok(200);
    let helpers_now = reordered
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == helpers["id"])
        .unwrap()
        .clone();
    assert_eq!(helpers_now["position"], 3);
    app.drain_events().await;

    // Given to and taken from a member (the owner here), announced as GUILD_MEMBER_UPDATE.
    put(
        app,
        &format!("/guilds/{gid}/members/{owner_id}/roles/{}", id(&mods)),
        &owner,
    )
    .await
    .ok(204);
    let e = app.event("GUILD_MEMBER_UPDATE").await;
    assert_eq!(e.data["roles"], json!([mods["id"]]));
    assert_eq!(e.data["user"]["id"], owner_id.as_str());
    let member = app
        .get(&format!("/guilds/{gid}/members/{owner_id}"), &owner)
        .await
        .ok(200);
    assert_eq!(member["roles"], json!([mods["id"]]));
    app.delete(
        &format!("/guilds/{gid}/members/{owner_id}/roles/{}", id(&mods)),
        &owner,
    )
    .await
    .ok(204);
    assert_eq!(
        app.event("GUILD_MEMBER_UPDATE").await.data["roles"],
        json!([])
    );

    with_reason(
        app,
        Method::DELETE,
        &format!("/guilds/{gid}/roles/{}", id(&mods)),
        &owner,
        "cleanup",
        None,
    )
    .await
    .ok(204);
    let e = app.event("GUILD_ROLE_DELETE").await;
    assert_eq!(e.data["role_id"], mods["id"]);
    app.get(&format!("/guilds/{gid}/roles/{}", id(&mods)), &owner)
        .await
        .assert_error(404, 10011);

    // The audit log has every change, newest first, with actors and reasons.
    let store = app.store().await;
    let guild_id: i64 = gid.parse().unwrap();
    let query = hearth_store::AuditQuery {
        user_id: None,
        action_type: None,
        before: None,
        after: None,
        limit: 100,
    };
    let entries = store
        .fetch_audit_entries(hearth_core::Snowflake::from_i64(guild_id).into(), &query)
        .await
        .unwrap();
    let kinds: Vec<i64> = entries.iter().map(|e| e.action_type).collect();
    assert_eq!(kinds, vec![32, 25, 25, 31, 31, 30, 30], "{entries:?}");
    assert_eq!(entries[0].reason.as_deref(), Some("cleanup"));
    assert_eq!(entries.last().unwrap().reason.as_deref(), Some("new team"));
    assert!(entries
        .iter()
        .all(|e| e.user_id == Some(owner_id.parse().unwrap())));
    let created: Value = serde_json::from_str(&entries.last().unwrap().changes).unwrap();
    assert!(
        created
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "name" && c["new_value"] == "mods"),
        "{created}"
    );
    assert!(
        created
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("old_value").is_none()),
        "a new role has no old values: {created}"
    );
    let added: Value = serde_json::from_str(&entries[2].changes).unwrap();
    assert_eq!(added[0]["key"], "$add");

    // Read over HTTP: newest first, filtered, with the users they name.
    let log = app
        .get(&format!("/guilds/{gid}/audit-logs"), &owner)
        .await
        .ok(200);
    let listed: Vec<i64> = log["audit_log_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action_type"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, kinds);
    assert_eq!(log["audit_log_entries"][0]["reason"], "cleanup");
    assert_eq!(log["audit_log_entries"][0]["target_id"], mods["id"]);
    assert_eq!(log["users"][0]["id"], owner_id.as_str());
    let created = app
        .get(
            &format!("/guilds/{gid}/audit-logs?action_type=30&limit=1"),
            &owner,
        )
        .await
        .ok(200);
    let only: Vec<&Value> = created["audit_log_entries"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        (only.len(), only[0]["target_id"].clone()),
        (1, helpers["id"].clone())
    );
    let newest = log["audit_log_entries"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let older = app
        .get(&format!("/guilds/{gid}/audit-logs?before={newest}"), &owner)
        .await
        .ok(200);
    assert_eq!(
        older["audit_log_entries"].as_array().unwrap().len(),
        kinds.len() - 1
    );
    app.get(&format!("/guilds/{gid}/audit-logs?limit=0"), &owner)
        .await
        .assert_error(400, 50035);
    let member = app.register("member").await;
    let code = app
        .post(
            &format!(
                "/channels/{}/invites",
                g["system_channel_id"].as_str().unwrap()
            ),
            &owner,
            json!({}),
        )
        .await
        .ok(200);
    app.post(
        &format!("/invites/{}", code["code"].as_str().unwrap()),
        &member,
        json!({}),
    )
    .await
    .ok(200);
    app.get(&format!("/guilds/{gid}/audit-logs"), &member)
        .await
        .assert_error(403, 50013);
}

async fn the_role_hierarchy_bounds_what_a_manager_may_do(app: &TestApp) {
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (g, _) = app.guild_with(&owner, &[&alice, &bob]).await;
    let gid = id(&g);
    let (alice_id, bob_id) = (app.user_id(&alice).await, app.user_id(&bob).await);
    let roles = format!("/guilds/{gid}/roles");
    // Created in this order, they end up top (3) > manager (2) > low (1).
    let top = app
        .post(&roles, &owner, json!({"name": "top"}))
        .await
        .ok(200);
    let manager = app
        .post(
            &roles,
            &owner,
            json!({"name": "manager", "permissions": "268435456"}),
        )
        .await
        .ok(200);
    let low = app
        .post(&roles, &owner, json!({"name": "low"}))
        .await
        .ok(200);
    put(
        app,
        &format!("/guilds/{gid}/members/{alice_id}/roles/{}", id(&manager)),
        &owner,
    )
    .await
    .ok(204);

    // Below her highest role: allowed.
    app.patch(
        &format!("{roles}/{}", id(&low)),
        &alice,
        json!({"name": "lower"}),
    )
    .await
    .ok(200);
    put(
        app,
        &format!("/guilds/{gid}/members/{bob_id}/roles/{}", id(&low)),
        &alice,
    )
    .await
    .ok(204);
    // Her own highest role and anything above it: refused.
    for r in [&top, &manager] {
        app.patch(
            &format!("{roles}/{}", id(r)),
            &alice,
            json!({"name": "mine"}),
        )
        .await
        .assert_error(403, 50013);
        app.delete(&format!("{roles}/{}", id(r)), &alice)
            .await
            .assert_error(403, 50013);
        put(
            app,
            &format!("/guilds/{gid}/members/{bob_id}/roles/{}", id(r)),
            &alice,
        )
        .await
        .assert_error(403, 50013);
    }
    // Moving a role up to her level: refused.
    app.call(
        Method::PATCH,
        &roles,
        Some(&alice),
        Some(json!([{"id": id(&low), "position": 2}])),
    )
    .await
    .assert_error(403, 50013);
    // Granting what she does not hold: refused; what she holds: allowed.
    app.patch(
        &format!("{roles}/{}", id(&low)),
        &alice,
        json!({"permissions": "8"}),
    )
    .await
    .assert_error(403, 50013);
    app.post(
        &roles,
        &alice,
        json!({"name": "admins", "permissions": "8"}),
    )
    .await
    .assert_error(403, 50013);
    app.post(
        &roles,
        &alice,
        json!({"name": "sub", "permissions": "268435456"}),
    )
    .await
    .ok(200);
    // @everyone: editable, not deletable, not renamable.
    app.patch(
        &format!("{roles}/{gid}"),
        &alice,
        json!({"permissions": "1024"}),
    )
    .await
    .ok(200);
    app.delete(&format!("{roles}/{gid}"), &alice)
        .await
        .assert_error(400, 50035);
    app.patch(&format!("{roles}/{gid}"), &owner, json!({"name": "all"}))
        .await
        .assert_field_error("name", "INVALID_ROLE");

    // Without MANAGE_ROLES: reading only.
    app.get(&roles, &bob).await.ok(200);
    app.post(&roles, &bob, json!({"name": "x"}))
        .await
        .assert_error(403, 50013);
    app.delete(
        &format!("/guilds/{gid}/members/{bob_id}/roles/{}", id(&low)),
        &bob,
    )
    .await
    .assert_error(403, 50013);
    // Strangers and unknown things.
    let stranger = app.register("stranger").await;
    app.get(&roles, &stranger).await.assert_error(403, 50001);
    app.get(&format!("{roles}/1234"), &owner)
        .await
        .assert_error(404, 10011);
    put(
        app,
        &format!(
            "/guilds/{gid}/members/{}/roles/{}",
            app.user_id(&stranger).await,
            id(&low)
        ),
        &owner,
    )
    .await
    .assert_error(404, 10007);
}

async fn role_bodies_and_reasons_are_checked(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g, _) = app.guild_with(&owner, &[]).await;
    let roles = format!("/guilds/{}/roles", id(&g));
    app.post(&roles, &owner, json!({"name": "x".repeat(101)}))
        .await
        .assert_field_error("name", "BASE_TYPE_BAD_LENGTH");
    app.post(
        &roles,
        &owner,
        json!({"permissions": (1u64 << 47).to_string()}),
    )
    .await
    .assert_field_error("permissions", "INVALID_PERMISSIONS");
    app.post(&roles, &owner, json!({"color": 16_777_216}))
        .await
        .assert_field_error("color", "NUMBER_TYPE_MAX");
    // Both colour fields are checked, also the legacy one that `colors` overrides.
    let both = json!({"color": 16_777_216, "colors": {"primary_color": 255}});
    app.post(&roles, &owner, both)
        .await
        .assert_field_error("color", "NUMBER_TYPE_MAX");
    app.post(
        &roles,
        &owner,
        json!({"colors": {"primary_color": 16_777_216}}),
    )
    .await
    .assert_field_error("colors.primary_color", "NUMBER_TYPE_MAX");
    app.post(&roles, &owner, json!({"hoist": "yes"}))
        .await
        .assert_error(400, 50035);
    app.call(
        Method::PATCH,
        &roles,
        Some(&owner),
        Some(json!({"id": "1"})),
    )
    .await
    .assert_error(400, 50035);
    with_reason(
        app,
        Method::POST,
        &roles,
        &owner,
        &"r".repeat(513),
        Some(json!({})),
    )
    .await
    .assert_error(400, 50035);
    // A role with defaults.
    let r = app.post(&roles, &owner, json!({})).await.ok(200);
    assert_eq!(
        (r["name"].as_str(), r["permissions"].as_str()),
        (Some("new role"), Some("0"))
    );
}

async fn members_are_changed_within_permissions_and_rank(app: &TestApp) {
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (g, _) = app.guild_with(&owner, &[&alice, &bob]).await;
    let gid = id(&g);
    let (owner_id, alice_id, bob_id) = (
        app.user_id(&owner).await,
        app.user_id(&alice).await,
        app.user_id(&bob).await,
    );
    let roles = format!("/guilds/{gid}/roles");
    let top = app
        .post(&roles, &owner, json!({"name": "top"}))
        .await
        .ok(200);
    // MANAGE_NICKNAMES | MANAGE_ROLES | MODERATE_MEMBERS
    let bits = ((1u64 << 27) | (1u64 << 28) | (1u64 << 40)).to_string();
    let manager = app
        .post(
            &roles,
            &owner,
            json!({"name": "manager", "permissions": bits}),
        )
        .await
        .ok(200);
    let low = app
        .post(&roles, &owner, json!({"name": "low"}))
        .await
        .ok(200);
    let member = |u: &str| format!("/guilds/{gid}/members/{u}");
    app.patch(&member(&alice_id), &owner, json!({"roles": [id(&manager)]}))
        .await
        .ok(200);
    app.drain_events().await;

    // Nicknames: others' with MANAGE_NICKNAMES and a higher rank; one's own with CHANGE_NICKNAME.
    let m = app
        .patch(&member(&bob_id), &alice, json!({"nick": "bobby"}))
        .await
        .ok(200);
    assert_eq!(m["nick"], "bobby");
    let e = app.event("GUILD_MEMBER_UPDATE").await;
    assert_eq!(
        (e.data["nick"].as_str(), e.data["user"]["id"].as_str()),
        (Some("bobby"), Some(bob_id.as_str()))
    );
    app.patch(
        &format!("/guilds/{gid}/members/@me"),
        &bob,
        json!({"nick": "rob"}),
    )
    .await
    .ok(200);
    app.patch(&member(&owner_id), &alice, json!({"nick": "boss"}))
        .await
        .assert_error(403, 50013);
    app.patch(&member(&alice_id), &bob, json!({"nick": "al"}))
        .await
        .assert_error(403, 50013);
    app.patch(&member(&bob_id), &alice, json!({"nick": "x".repeat(33)}))
        .await
        .assert_field_error("nick", "BASE_TYPE_BAD_LENGTH");
    let cleared = app
        .patch(&member(&bob_id), &alice, json!({"nick": null}))
        .await
        .ok(200);
    assert!(cleared["nick"].is_null());

    // Roles as a set: only roles below her highest.
    let m = app
        .patch(&member(&bob_id), &alice, json!({"roles": [id(&low)]}))
        .await
        .ok(200);
    assert_eq!(m["roles"], json!([low["id"]]));
    app.patch(
        &member(&bob_id),
        &alice,
        json!({"roles": [id(&low), id(&top)]}),
    )
    .await
    .assert_error(403, 50013);
    app.patch(&member(&bob_id), &alice, json!({"roles": ["1234"]}))
        .await
        .assert_field_error("roles", "INVALID_ROLE");

    // Timeouts: a higher rank, at most 28 days, null ends it; never the owner.
    let hour = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let iso = hour
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let m = app
        .patch(
            &member(&bob_id),
            &alice,
            json!({"communication_disabled_until": iso}),
        )
        .await
        .ok(200);
    assert!(m["communication_disabled_until"].is_string(), "{m}");
    // A timed-out member reads but does not send.
    let general = g["system_channel_id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/channels/{general}/messages"),
        &bob,
        json!({"content": "hi"}),
    )
    .await
    .assert_error(403, 50013);
    app.get(&format!("/channels/{general}/messages"), &bob)
        .await
        .ok(200);
    let far = (time::OffsetDateTime::now_utc() + time::Duration::days(29))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    app.patch(
        &member(&bob_id),
        &alice,
        json!({"communication_disabled_until": far}),
    )
    .await
    .assert_field_error(
        "communication_disabled_until",
        "COMMUNICATION_DISABLED_TIMESTAMP_TOO_FAR",
    );
    app.patch(
        &member(&owner_id),
        &alice,
        json!({"communication_disabled_until": iso}),
    )
    .await
    .assert_error(403, 50013);
    app.patch(
        &member(&alice_id),
        &bob,
        json!({"communication_disabled_until": iso}),
    )
    .await
    .assert_error(403, 50013);
    let m = app
        .patch(
            &member(&bob_id),
            &alice,
            json!({"communication_disabled_until": null}),
        )
        .await
        .ok(200);
    assert!(m["communication_disabled_until"].is_null());
    app.say(&bob, &general, "back").await;
    app.patch(&member("1234"), &alice, json!({"nick": "x"}))
        .await
        .assert_error(404, 10007);

    // Recorded: nick and timeout changes (24), role changes (25).
    let store = app.store().await;
    let q = hearth_store::AuditQuery {
        user_id: Some(alice_id.parse().unwrap()),
        action_type: None,
        before: None,
        after: None,
        limit: 100,
    };
    let kinds: Vec<i64> = store
        .fetch_audit_entries(
            hearth_core::Snowflake::from_i64(gid.parse().unwrap()).into(),
            &q,
        )
        .await
        .unwrap()
        .iter()
        .map(|e| e.action_type)
        .collect();
    assert_eq!(kinds, vec![24, 24, 25, 24, 24], "{kinds:?}");
}

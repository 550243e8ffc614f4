//! A node's place among others, on one database: node ids are leased, never shared, and given
//! back at shutdown; a node's presence outlives neither its sessions nor its life.

use hearth::config::{Config, DatabaseConfig};
use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

both!(
    node_ids_are_leased_and_never_shared_by_live_nodes,
    the_health_check_names_the_bus_and_the_node,
    presence_left_by_an_earlier_life_of_a_node_id_is_cleared,
);

fn config_for(app: &TestApp, node_id: Option<u16>) -> Config {
    Config {
        node_id,
        data_dir: std::env::temp_dir(),
        database: DatabaseConfig {
            url: Some(app.db.url.clone()),
        },
        ..Config::default()
    }
}

async fn node_ids_are_leased_and_never_shared_by_live_nodes(app: &TestApp) {
    // The running app leased the lowest free id, 0.
    let health = app
        .raw(Method::GET, "/healthz", None, Vec::new())
        .await
        .ok(200);
    assert_eq!(health["node_id"], 0);
    let taken = hearth::prepare(&config_for(app, Some(0)))
        .await
        .unwrap_err();
    assert!(
        format!("{taken:#}").contains("node_id 0 is held by another live node"),
        "{taken:#}"
    );
    let second = hearth::prepare(&config_for(app, None))
        .await
        .expect("a free id");
    assert_eq!(second.lease.node_id, 1);
    let third = hearth::prepare(&config_for(app, Some(7)))
        .await
        .expect("a wanted free id");
    assert_eq!(third.lease.node_id, 7);
    // Given back, an id is free at once.
    third.lease.release().await;
    let again = hearth::prepare(&config_for(app, Some(7)))
        .await
        .expect("released id");
    assert_eq!(again.lease.node_id, 7);
}

async fn the_health_check_names_the_bus_and_the_node(app: &TestApp) {
    let health = app
        .raw(Method::GET, "/healthz", None, Vec::new())
        .await
        .ok(200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["bus"], "local");
    assert!(health["node_id"].is_u64(), "{health}");
}

async fn presence_left_by_an_earlier_life_of_a_node_id_is_cleared(app: &TestApp) {
    // A crashed node 5 left alice online; a node that leases 5 again takes her offline.
    let alice = app.register("alice").await;
    let alice_id = app.user_id(&alice).await;
    let owner = app.register("owner").await;
    app.guild_with(&owner, &[&alice]).await;
    let store = hearth_store::connect(&app.db.url).await.expect("store");
    let now = hearth_core::Timestamp::now();
    let leased = store
        .lease_node("crashed", Some(5), None, now, now)
        .await
        .expect("lease");
    assert_eq!(leased, Some(5));
    let row = hearth_store::PresenceRow {
        user_id: alice_id.parse().expect("id"),
        node_id: 5,
        status: "online".into(),
        activities: "[]".into(),
        client_status: json!({"desktop": "online"}).to_string(),
        updated_at: 0,
    };
    store.put_presences(5, &[row], &[]).await.expect("presence");
    drop(app.drain_events().await);
    let restarted = hearth::prepare(&config_for(app, Some(5)))
        .await
        .expect("the expired lease is taken over");
    assert_eq!(restarted.lease.node_id, 5);
    let users = [alice_id.parse::<hearth_core::UserId>().expect("id")];
    let left = store
        .fetch_presences(&users, hearth_core::Timestamp::now())
        .await
        .expect("presences");
    assert!(left.is_empty(), "{left:?}");
    store.close().await;
}

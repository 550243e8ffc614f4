//! Where clients connect and what READY tells them: the gateway answers at `/gateway` and
//! `/gateway/` (libraries that append `/?v=10&...` to the published URL), and READY carries
//! every key Discord always sends.

use serde_json::json;

use super::Gw;
use crate::helpers::TestApp;

both!(
    the_gateway_answers_at_its_url_with_a_trailing_slash_too,
    ready_carries_the_arrays_discord_always_sends,
);

async fn the_gateway_answers_at_its_url_with_a_trailing_slash_too(app: &TestApp) {
    let owner = app.register("owner").await;
    let published = app
        .call(reqwest::Method::GET, "/gateway", None, None)
        .await
        .ok(200)["url"]
        .as_str()
        .expect("a gateway url")
        .to_owned();

    let mut gw = Gw::connect_to(&format!("{published}/?v=10&encoding=json")).await;
    assert_eq!(gw.recv().await["op"], 10);
    gw.send(json!({"op": 2, "d": {"token": owner, "properties": {}}}))
        .await;
    let ready = gw.recv().await;
    assert_eq!(ready["t"], "READY", "{ready}");
    let (session, resume_url) = (
        ready["d"]["session_id"].clone(),
        ready["d"]["resume_gateway_url"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let seq = gw.seq;
    gw.drop_connection().await;

    // The resume URL takes the slash too, compressed or not.
    let mut again = Gw::connect_to(&format!(
        "{resume_url}/?v=10&encoding=json&compress=zlib-stream"
    ))
    .await;
    assert_eq!(again.recv().await["op"], 10);
    again.seq = seq;
    again
        .send(json!({"op": 6, "d": {"token": owner, "session_id": session, "seq": seq}}))
        .await;
    assert_eq!(again.recv().await["t"], "RESUMED");

    // Without an upgrade, `/gateway/` answers as `/gateway` does.
    for path in ["/gateway", "/gateway/"] {
        app.raw(reqwest::Method::GET, path, None, Vec::new())
            .await
            .assert_error(400, 0);
    }
}

async fn ready_carries_the_arrays_discord_always_sends(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g, _) = app.guild_with(&owner, &[]).await;
    let (bot_id, bot) = app.bot(&owner, "readybot").await;

    for (token, intents) in [(owner.as_str(), None), (bot.as_str(), Some(1))] {
        let (_gw, ready) = Gw::identify(app, token, intents).await;
        // No direct messages, friends, join requests or voice regions exist in hearth: each
        // list is there, and empty.
        for key in [
            "private_channels",
            "relationships",
            "presences",
            "guild_join_requests",
            "geo_ordered_rtc_regions",
        ] {
            assert_eq!(ready[key], json!([]), "{key} in {ready}");
        }
        assert_eq!(ready["v"], 10);
        assert!(ready["user"]["id"].is_string() && ready["guilds"].is_array());
        assert!(ready["session_id"].is_string() && ready["resume_gateway_url"].is_string());
        assert_eq!(
            (&ready["session_type"], &ready["_trace"]),
            (&json!("normal"), &json!(["hearth"]))
        );
        // A person's settings (the defaults, none changed yet); `{}` for a bot.
        if intents.is_some() {
            assert_eq!(ready["user_settings"], json!({}));
        } else {
            assert_eq!(ready["user_settings"]["version"], 0, "{ready}");
        }
        if intents.is_some() {
            assert_eq!(ready["application"], json!({"id": bot_id, "flags": 0}));
            assert_eq!(ready["guilds"], json!([]));
        } else {
            assert!(ready.get("application").is_none());
            assert_eq!(
                ready["guilds"],
                json!([{"id": g["id"], "unavailable": true}])
            );
        }
    }
}

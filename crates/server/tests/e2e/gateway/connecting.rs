//! Where clients connect: the gateway answers at `/gateway` and `/gateway/` (libraries that
//! append `/?v=10&...` to the published URL).

use serde_json::json;

use super::Gw;
use crate::helpers::TestApp;

both!(the_gateway_answers_at_its_url_with_a_trailing_slash_too);

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

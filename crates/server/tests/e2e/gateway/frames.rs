//! What clients may send: payloads up to `gateway.max_payload_bytes`, text or binary messages
//! of UTF-8, JSON objects. Each refusal is a close frame with its code, never a dropped
//! connection.

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

use super::Gw;
use crate::helpers::TestApp;

both!(
    a_payload_over_the_limit_is_closed_with_4002_and_its_session_resumes,
    a_text_frame_that_is_not_utf8_is_closed_with_1007,
    payloads_that_are_not_json_objects_are_closed_with_4002,
    a_binary_message_holding_json_is_a_payload_like_a_text_message,
    binary_messages_that_are_not_payloads_close_as_text_messages_would,
);

/// The default `gateway.max_payload_bytes`.
const LIMIT: usize = 64 * 1024;

/// A heartbeat padded to exactly `len` bytes.
fn heartbeat_of(len: usize) -> String {
    let bare = r#"{"op":1,"d":""}"#.len();
    format!(r#"{{"op":1,"d":"{}"}}"#, "x".repeat(len - bare))
}

/// One text frame of `text`; `last` says whether it ends its message.
fn text_frame(text: &str, opcode: Data, last: bool) -> Message {
    Message::Frame(Frame::message(text.to_owned(), OpCode::Data(opcode), last))
}

impl Gw {
    /// Sends a payload the server may refuse while it is still being sent: a failed send is
    /// left for [`Gw::closed`] to explain.
    async fn send_refused(&mut self, m: Message) {
        let _ = self.ws.send(m).await;
    }
}

async fn a_payload_over_the_limit_is_closed_with_4002_and_its_session_resumes(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let (mut gw, ready) = Gw::identify(app, &owner, None).await;
    gw.event("GUILD_CREATE").await;

    // Exactly the limit is a payload like any other.
    gw.send_raw(Message::Text(heartbeat_of(LIMIT).into())).await;
    assert_eq!(gw.recv().await, json!({"op": 11, "d": null}));
    // One byte more is refused with a close frame.
    gw.send_refused(Message::Text(heartbeat_of(LIMIT + 1).into()))
        .await;
    assert_eq!(gw.closed().await, Some(4002));

    // The session was kept: what happened meanwhile is replayed.
    let m = app.say(&owner, &general, "while refused").await;
    let mut again = Gw::connect(app, "v=10&encoding=json").await;
    again.recv().await;
    again.seq = gw.seq;
    again
        .send(json!({"op": 6, "d": {"token": owner, "session_id": ready["session_id"], "seq": gw.seq}}))
        .await;
    assert_eq!(again.event("MESSAGE_CREATE").await["id"], m["id"]);
    assert_eq!(again.recv().await["t"], "RESUMED");

    // A message whose frames are each under the limit but together over it.
    let mut gw = Gw::connect(app, "v=10&encoding=json").await;
    gw.recv().await;
    let half = "x".repeat(LIMIT / 2 + 1);
    gw.send_raw(text_frame(
        &format!(r#"{{"op":1,"d":"{half}"#),
        Data::Text,
        false,
    ))
    .await;
    gw.send_refused(text_frame(&format!(r#"{half}"}}"#), Data::Continue, true))
        .await;
    assert_eq!(gw.closed().await, Some(4002));

    // Far over the limit (the server stops reading at the frame's header).
    let mut gw = Gw::connect(app, "v=10&encoding=json").await;
    gw.recv().await;
    gw.send_refused(Message::Text(heartbeat_of(16 * LIMIT).into()))
        .await;
    assert_eq!(gw.closed().await, Some(4002));
}

async fn a_text_frame_that_is_not_utf8_is_closed_with_1007(app: &TestApp) {
    let mut gw = Gw::connect(app, "v=10&encoding=json").await;
    gw.recv().await;
    let bytes = vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'];
    gw.send_raw(Message::Frame(Frame::message(
        bytes,
        OpCode::Data(Data::Text),
        true,
    )))
    .await;
    assert_eq!(gw.closed().await, Some(1007));

    // Split over two frames, the same bytes are refused as well.
    let mut gw = Gw::connect(app, "v=10&encoding=json").await;
    gw.recv().await;
    let first = Frame::message(vec![b'{', b'"', 0xc3], OpCode::Data(Data::Text), false);
    let second = Frame::message(vec![b'(', b'"', b'}'], OpCode::Data(Data::Continue), true);
    gw.send_raw(Message::Frame(first)).await;
    gw.send_raw(Message::Frame(second)).await;
    assert_eq!(gw.closed().await, Some(1007));

    // A character split between frames is fine.
    let mut gw = Gw::connect(app, "v=10&encoding=json").await;
    gw.recv().await;
    let first = Frame::message(
        br#"{"op":1,"d":""#.iter().copied().chain([0xc3]).collect::<Vec<u8>>(),
        OpCode::Data(Data::Text),
        false,
    );
    let second = Frame::message(vec![0xa9, b'"', b'}'], OpCode::Data(Data::Continue), true);
    gw.send_raw(Message::Frame(first)).await;
    gw.send_raw(Message::Frame(second)).await;
    assert_eq!(gw.recv().await, json!({"op": 11, "d": null}));
}

async fn payloads_that_are_not_json_objects_are_closed_with_4002(app: &TestApp) {
    let owner = app.register("owner").await;
    let cases = [
        json!([1, null]),
        json!([2, {"token": owner}]),
        json!(1),
        json!("op"),
        json!(null),
        json!(true),
    ];
    for payload in cases {
        let mut gw = Gw::connect(app, "v=10&encoding=json").await;
        gw.recv().await;
        gw.send(payload.clone()).await;
        assert_eq!(gw.closed().await, Some(4002), "{payload}");
    }
}

#[tokio::test]
async fn the_payload_limit_is_a_setting() {
    let db = hearth_store::testing::TestDatabase::sqlite();
    let app = TestApp::spawn_with(db, |c| c.gateway.max_payload_bytes = 4096).await;
    let mut gw = Gw::connect(&app, "v=10&encoding=json").await;
    gw.recv().await;
    gw.send_raw(Message::Text(heartbeat_of(4096).into())).await;
    assert_eq!(gw.recv().await, json!({"op": 11, "d": null}));
    gw.send_refused(Message::Text(heartbeat_of(4097).into()))
        .await;
    assert_eq!(gw.closed().await, Some(4002));
    app.stop().await;
}

async fn a_binary_message_holding_json_is_a_payload_like_a_text_message(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let binary = |v: serde_json::Value| Message::Binary(v.to_string().into_bytes().into());
    let mut gw = Gw::connect(app, "v=10&encoding=json").await;
    assert_eq!(gw.recv().await["op"], 10);

    gw.send_raw(binary(json!({"op": 1, "d": null}))).await;
    assert_eq!(gw.recv().await, json!({"op": 11, "d": null}));
    gw.send_raw(binary(
        json!({"op": 2, "d": {"token": owner, "properties": {}}}),
    ))
    .await;
    let ready = gw.recv().await;
    assert_eq!(ready["t"], "READY", "{ready}");
    gw.event("GUILD_CREATE").await;
    gw.send_raw(binary(json!({"op": 1, "d": 1}))).await;
    assert_eq!(gw.recv().await, json!({"op": 11, "d": null}));
    // The session is a session like any other: events arrive, and it resumes by binary too.
    let m = app.say(&owner, &general, "over binary").await;
    assert_eq!(gw.event("MESSAGE_CREATE").await["id"], m["id"]);
    let seq = gw.seq;
    gw.drop_connection().await;
    let mut again = Gw::connect(app, "v=10&encoding=json").await;
    again.recv().await;
    again.seq = seq;
    again
        .send_raw(binary(
            json!({"op": 6, "d": {"token": owner, "session_id": ready["d"]["session_id"], "seq": seq}}),
        ))
        .await;
    assert_eq!(again.recv().await["t"], "RESUMED");
}

async fn binary_messages_that_are_not_payloads_close_as_text_messages_would(app: &TestApp) {
    let binary = |b: &[u8]| Message::Binary(b.to_vec().into());
    let cases: Vec<(Message, u16)> = vec![
        (binary(&[b'{', b'"', 0xff, 0xfe, b'"', b'}']), 1007),
        (binary(b"{not json"), 4002),
        (binary(b"[1, null]"), 4002),
        (binary(b"null"), 4002),
        (binary(br#"{"op": "1"}"#), 4002),
        (binary(heartbeat_of(LIMIT + 1).as_bytes()), 4002),
    ];
    for (i, (msg, code)) in cases.into_iter().enumerate() {
        let mut gw = Gw::connect(app, "v=10&encoding=json").await;
        gw.recv().await;
        gw.send_refused(msg).await;
        assert_eq!(gw.closed().await, Some(code), "case {i}");
    }
    // Exactly the limit is a payload.
    let mut gw = Gw::connect(app, "v=10&encoding=json").await;
    gw.recv().await;
    gw.send_raw(binary(heartbeat_of(LIMIT).as_bytes())).await;
    assert_eq!(gw.recv().await, json!({"op": 11, "d": null}));
}

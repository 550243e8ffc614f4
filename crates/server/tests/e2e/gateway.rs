//! The gateway over a real WebSocket: lifecycle, dispatch, intents, visibility, resume, close
//! codes; what clients may send is in `frames`.

use std::time::Duration;

use flate2::{Decompress, FlushDecompress};
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::TestApp;

mod connecting;
mod frames;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A gateway client for tests.
pub struct Gw {
    ws: Ws,
    inflate: Option<Decompress>,
    unzstd: Option<zstd::stream::raw::Decoder<'static>>,
    pub seq: u64,
}

/// Intents: guilds, members, messages, message content, typing, invites.
pub const ALL_USEFUL: u64 = 1 | 2 | 64 | 512 | 2048 | 32768;

impl Gw {
    pub async fn connect(app: &TestApp, query: &str) -> Gw {
        Gw::connect_to(&format!("ws://{}/gateway?{query}", app.addr)).await
    }

    /// Connects to `url` as given (path and query), as a library building its own URL would.
    pub async fn connect_to(url: &str) -> Gw {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("gateway connects");
        let inflate = query
            .contains("compress=zlib-stream")
            .then(|| Decompress::new(true));
        let unzstd = query
            .contains("compress=zstd-stream")
            .then(|| zstd::stream::raw::Decoder::new().expect("decoder"));
        Gw {
            ws,
            inflate,
            unzstd,
            seq: 0,
        }
    }

    /// The next payload (5 s at most); panics on a close.
    pub async fn recv(&mut self) -> Value {
        match self.next().await {
            Ok(v) => v,
            Err(code) => panic!("closed with {code:?} while waiting for a payload"),
        }
    }

    /// The next payload, or the close code.
    pub async fn next(&mut self) -> Result<Value, Option<u16>> {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("a frame within 5 s");
            let v: Value = match msg {
                Some(Ok(Message::Text(t))) => serde_json::from_str(&t).expect("json"),
                Some(Ok(Message::Binary(b))) if self.unzstd.is_some() => {
                    use zstd::stream::raw::Operation;
                    let d = self.unzstd.as_mut().expect("decoder");
                    let mut out = vec![0u8; b.len() * 8 + 4096];
                    let (mut read, mut written) = (0, 0);
                    while read < b.len() {
                        if written == out.len() {
                            out.resize(out.len() * 2, 0);
                        }
                        let st = d
                            .run_on_buffers(&b[read..], &mut out[written..])
                            .expect("decodes");
                        read += st.bytes_read;
                        written += st.bytes_written;
                    }
                    serde_json::from_slice(&out[..written]).expect("json")
                }
                Some(Ok(Message::Binary(b))) => {
                    let z = self.inflate.as_mut().expect("binary only with compression");
                    assert!(b.ends_with(&[0, 0, 0xff, 0xff]));
                    let mut out = Vec::with_capacity(b.len() * 4 + 1024);
                    let start = z.total_in();
                    loop {
                        let used = (z.total_in() - start) as usize;
                        z.decompress_vec(&b[used..], &mut out, FlushDecompress::Sync)
                            .expect("inflates");
                        if (z.total_in() - start) as usize == b.len() && out.len() < out.capacity()
                        {
                            break;
                        }
                        out.reserve(out.capacity());
                    }
                    serde_json::from_slice(&out).expect("json")
                }
                Some(Ok(Message::Close(frame))) => return Err(frame.map(|f| u16::from(f.code))),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(None),
            };
            if let Some(s) = v["s"].as_u64() {
                assert_eq!(s, self.seq + 1, "sequence numbers have no gaps: {v}");
                self.seq = s;
            }
            return Ok(v);
        }
    }

    /// The close code the server ends with (skipping payloads).
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            match self.next().await {
                Ok(_) => continue,
                Err(code) => return code,
            }
        }
    }

    pub async fn send(&mut self, v: Value) {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send_raw(&mut self, m: Message) {
        self.ws.send(m).await.expect("send");
    }

    /// The next dispatch named `name`, skipping other dispatches.
    pub async fn event(&mut self, name: &str) -> Value {
        loop {
            let v = self.recv().await;
            if v["op"] == 0 && v["t"] == name {
                return v["d"].clone();
            }
        }
    }

    /// Connects, identifies and reads READY.
    pub async fn identify(app: &TestApp, token: &str, intents: Option<u64>) -> (Gw, Value) {
        let mut gw = Gw::connect(app, "v=10&encoding=json").await;
        let hello = gw.recv().await;
        assert_eq!(hello["op"], 10);
        let mut d = json!({"token": token.trim_start_matches("Bot "), "properties": {"os": "linux", "browser": "test", "device": "test"}});
        if let Some(i) = intents {
            d["intents"] = json!(i);
        }
        gw.send(json!({"op": 2, "d": d})).await;
        let ready = gw.recv().await;
        assert_eq!(
            (ready["op"].as_u64(), ready["t"].as_str()),
            (Some(0), Some("READY")),
            "{ready}"
        );
        (gw, ready["d"].clone())
    }

    /// Closes abruptly (no close frame), as a dropped network does.
    pub async fn drop_connection(self) {
        drop(self.ws);
    }

    /// The next PRESENCE_UPDATE about `user`, skipping others.
    pub async fn presence_of(&mut self, user: &str) -> Value {
        loop {
            let p = self.event("PRESENCE_UPDATE").await;
            if p["user"]["id"] == user {
                return p;
            }
        }
    }

    /// Asserts nothing arrives for `ms` milliseconds.
    #[allow(dead_code)]
    pub async fn quiet(&mut self, ms: u64) {
        if let Ok(Some(Ok(m))) =
            tokio::time::timeout(Duration::from_millis(ms), self.ws.next()).await
        {
            panic!("expected silence, got {m:?}");
        }
    }
}

both!(
    identify_answers_ready_then_a_guild_create_per_guild,
    heartbeats_are_acknowledged_before_and_after_identify,
    rest_changes_reach_sessions_as_dispatches,
    intents_and_message_content_filter_what_bots_receive,
    only_members_receive_a_guilds_events_and_joining_starts_them,
    resume_replays_what_was_missed_without_gaps_or_duplicates,
    bad_resumes_get_invalid_session,
    protocol_errors_close_with_the_specs_codes,
    compressed_streams_inflate_with_one_context,
    zstd_streams_decode_with_one_context,
    presence_reaches_those_who_share_a_guild_coalesced_and_invisible_as_offline,
    member_requests_answer_in_chunks_echoing_the_nonce,
    a_joined_guild_arrives_with_the_presences_of_its_members_online,
);

async fn identify_answers_ready_then_a_guild_create_per_guild(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g1, _) = app.guild_with(&owner, &[]).await;
    let (g2, _) = app.guild_with(&owner, &[]).await;
    let (bot_id, bot) = app.bot(&owner, "gwbot").await;
    let path = format!("/oauth2/authorize?client_id={bot_id}&scope=bot&permissions=0");
    app.post(
        &path,
        &owner,
        json!({"guild_id": g1["id"], "authorize": true}),
    )
    .await
    .ok(200);

    let (mut gw, ready) = Gw::identify(app, &bot, Some(ALL_USEFUL)).await;
    assert_eq!(ready["v"], 10);
    assert_eq!(ready["user"]["id"], bot_id.as_str());
    assert_eq!(ready["user"]["bot"], true);
    assert_eq!(
        ready["guilds"],
        json!([{"id": g1["id"], "unavailable": true}])
    );
    assert_eq!(ready["application"]["id"], bot_id.as_str());
    assert!(ready["session_id"].as_str().unwrap().len() >= 16);
    assert_eq!(
        ready["resume_gateway_url"],
        format!("ws://{}/gateway", app.addr)
    );
    let gc = gw.event("GUILD_CREATE").await;
    assert_eq!(gc["id"], g1["id"]);
    assert_eq!(gc["unavailable"], false);
    assert_eq!(gc["member_count"], 2);
    assert_eq!(
        gc["members"].as_array().unwrap().len(),
        2,
        "every member of a small guild"
    );
    assert!(gc["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["user"]["id"] == bot_id.as_str()));
    assert_eq!(gc["channels"][0]["name"], "general");
    assert_eq!(gc["roles"][0]["id"], g1["id"]);
    assert!(gc["joined_at"].is_string() && gc["presences"].is_array() && gc["threads"].is_array());

    // A person's session sees both guilds.
    let (mut user, ready) = Gw::identify(app, &owner, None).await;
    assert_eq!(ready["guilds"].as_array().unwrap().len(), 2);
    assert!(ready.get("application").is_none());
    let a = user.event("GUILD_CREATE").await["id"].clone();
    let b = user.event("GUILD_CREATE").await["id"].clone();
    assert_eq!(vec![a, b], vec![g1["id"].clone(), g2["id"].clone()]);
}

async fn heartbeats_are_acknowledged_before_and_after_identify(app: &TestApp) {
    let owner = app.register("owner").await;
    let mut gw = Gw::connect(app, "v=10&encoding=json").await;
    let hello = gw.recv().await;
    assert_eq!(hello["d"]["heartbeat_interval"], 41250);
    gw.send(json!({"op": 1, "d": null})).await;
    assert_eq!(gw.recv().await, json!({"op": 11, "d": null}));
    gw.send(json!({"op": 2, "d": {"token": owner, "properties": {}}}))
        .await;
    assert_eq!(gw.recv().await["t"], "READY");
    gw.send(json!({"op": 1, "d": 1})).await;
    assert_eq!(gw.recv().await["op"], 11);
}

async fn rest_changes_reach_sessions_as_dispatches(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (g, general) = app.guild_with(&owner, &[&bob]).await;
    let gid = g["id"].as_str().unwrap();
    let (mut gw, _) = Gw::identify(app, &bob, None).await;
    gw.event("GUILD_CREATE").await;

    let m = app.say(&owner, &general, "hi bob").await;
    let d = gw.event("MESSAGE_CREATE").await;
    assert_eq!(
        (
            d["id"].clone(),
            d["content"].as_str(),
            d["guild_id"].as_str()
        ),
        (m["id"].clone(), Some("hi bob"), Some(gid))
    );
    assert_eq!(d["author"]["username"], "owner");
    assert!(d["member"]["roles"].is_array());
    let mid = m["id"].as_str().unwrap();
    app.patch(
        &format!("/channels/{general}/messages/{mid}"),
        &owner,
        json!({"content": "hi, bob"}),
    )
    .await
    .ok(200);
    assert_eq!(gw.event("MESSAGE_UPDATE").await["content"], "hi, bob");
    app.call(
        Method::POST,
        &format!("/channels/{general}/typing"),
        Some(&owner),
        None,
    )
    .await
    .ok(204);
    assert_eq!(
        gw.event("TYPING_START").await["channel_id"],
        general.as_str()
    );
    app.delete(&format!("/channels/{general}/messages/{mid}"), &owner)
        .await
        .ok(204);
    assert_eq!(gw.event("MESSAGE_DELETE").await["id"], mid);
    let c = app
        .post(
            &format!("/guilds/{gid}/channels"),
            &owner,
            json!({"name": "new"}),
        )
        .await
        .ok(201);
    assert_eq!(gw.event("CHANNEL_CREATE").await["id"], c["id"]);
    app.patch(
        &format!("/guilds/{gid}"),
        &owner,
        json!({"name": "Renamed"}),
    )
    .await
    .ok(200);
    assert_eq!(gw.event("GUILD_UPDATE").await["name"], "Renamed");
    // The sender's own sessions receive their messages too.
    let own = app.say(&bob, &general, "mine").await;
    assert_eq!(gw.event("MESSAGE_CREATE").await["id"], own["id"]);
    let own_id = own["id"].as_str().unwrap();
    app.patch(
        &format!("/channels/{general}/messages/{own_id}"),
        &bob,
        json!({"content": "mine!"}),
    )
    .await
    .ok(200);
    let d = gw.event("MESSAGE_UPDATE").await;
    assert!(
        d["member"]["roles"].is_array() && d["edited_timestamp"].is_string(),
        "{d}"
    );
}

async fn intents_and_message_content_filter_what_bots_receive(app: &TestApp) {
    let owner = app.register("owner").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let mut bots = Vec::new();
    for (name, intents) in [
        ("content", 1 | 512 | 32768),
        ("nocontent", 1 | 512),
        ("nomessages", 1),
    ] {
        let (id, token) = app.bot(&owner, name).await;
        let path = format!("/oauth2/authorize?client_id={id}&scope=bot");
        app.post(
            &path,
            &owner,
            json!({"guild_id": g["id"], "authorize": true}),
        )
        .await
        .ok(200);
        let (mut gw, _) = Gw::identify(app, &token, Some(intents)).await;
        gw.event("GUILD_CREATE").await;
        bots.push((token, gw));
    }
    app.say(&owner, &general, "secret sauce").await;
    assert_eq!(
        bots[0].1.event("MESSAGE_CREATE").await["content"],
        "secret sauce"
    );
    let d = bots[1].1.event("MESSAGE_CREATE").await;
    assert_eq!(
        (d["content"].as_str(), d["embeds"].clone()),
        (Some(""), json!([]))
    );
    // The bot without content still sees its own messages in full.
    let own = app.say(&bots[1].0, &general, "my own words").await;
    let d = bots[1].1.event("MESSAGE_CREATE").await;
    assert_eq!(
        (d["id"].clone(), d["content"].as_str()),
        (own["id"].clone(), Some("my own words"))
    );
    // Without GUILD_MESSAGES, no message events at all; GUILD_UPDATE still arrives.
    app.patch(
        &format!("/guilds/{}", g["id"].as_str().unwrap()),
        &owner,
        json!({"name": "Next"}),
    )
    .await
    .ok(200);
    let next = bots[2].1.recv().await;
    assert_eq!(
        next["t"], "GUILD_UPDATE",
        "no message events before it: {next}"
    );
}

async fn only_members_receive_a_guilds_events_and_joining_starts_them(app: &TestApp) {
    let owner = app.register("owner").await;
    let carol = app.register("carol").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let (mut gw, ready) = Gw::identify(app, &carol, None).await;
    assert_eq!(ready["guilds"], json!([]));
    app.say(&owner, &general, "before carol").await;
    let code = app
        .post(&format!("/channels/{general}/invites"), &owner, json!({}))
        .await
        .ok(200)["code"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/invites/{code}"), &carol, json!({}))
        .await
        .ok(200);
    // The first thing Carol's session hears of the guild is its GUILD_CREATE.
    let first = gw.recv().await;
    assert_eq!(
        (first["t"].as_str(), first["d"]["id"].clone()),
        (Some("GUILD_CREATE"), g["id"].clone()),
        "{first}"
    );
    assert_eq!(first["d"]["member_count"], 2);
    // Then her own join message, in the system channel.
    let joined = gw.event("MESSAGE_CREATE").await;
    assert_eq!(joined["type"], 7);
    app.say(&owner, &general, "after carol").await;
    assert_eq!(gw.event("MESSAGE_CREATE").await["content"], "after carol");
    // Leaving ends it.
    app.delete(
        &format!("/users/@me/guilds/{}", g["id"].as_str().unwrap()),
        &carol,
    )
    .await
    .ok(204);
    assert_eq!(gw.event("GUILD_DELETE").await["id"], g["id"]);
    app.say(&owner, &general, "after leaving").await;
    gw.quiet(300).await;
}

async fn resume_replays_what_was_missed_without_gaps_or_duplicates(app: &TestApp) {
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let (_, general) = app.guild_with(&owner, &[&bob]).await;
    let (mut gw, ready) = Gw::identify(app, &bob, None).await;
    let session_id = ready["session_id"].as_str().unwrap().to_owned();
    gw.event("GUILD_CREATE").await;
    app.say(&owner, &general, "seen").await;
    gw.event("MESSAGE_CREATE").await;
    let last_seen = gw.seq;
    gw.drop_connection().await;
    let mut missed = Vec::new();
    for i in 0..5 {
        missed.push(app.say(&owner, &general, &format!("missed {i}")).await["id"].clone());
    }
    let mut again = Gw::connect(app, "v=10&encoding=json").await;
    again.seq = last_seen;
    assert_eq!(again.recv().await["op"], 10);
    again
        .send(json!({"op": 6, "d": {"token": bob, "session_id": session_id, "seq": last_seen}}))
        .await;
    let mut replayed = Vec::new();
    loop {
        let v = again.recv().await;
        match v["t"].as_str() {
            Some("MESSAGE_CREATE") => replayed.push(v["d"]["id"].clone()),
            Some("RESUMED") => break,
            other => panic!("unexpected {other:?}: {v}"),
        }
    }
    assert_eq!(replayed, missed);
    app.say(&owner, &general, "live again").await;
    assert_eq!(again.event("MESSAGE_CREATE").await["content"], "live again");
}

async fn bad_resumes_get_invalid_session(app: &TestApp) {
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let (gw, ready) = Gw::identify(app, &bob, None).await;
    let sid = ready["session_id"].as_str().unwrap().to_owned();
    gw.drop_connection().await;
    for (token, session, seq) in [
        (&bob, "nope", 1),
        (&eve, sid.as_str(), 1),
        (&bob, sid.as_str(), 999),
    ] {
        let mut c = Gw::connect(app, "v=10").await;
        c.recv().await;
        c.send(json!({"op": 6, "d": {"token": token, "session_id": session, "seq": seq}}))
            .await;
        assert_eq!(c.recv().await, json!({"op": 9, "d": false}));
    }
}

async fn protocol_errors_close_with_the_specs_codes(app: &TestApp) {
    let owner = app.register("owner").await;
    let cases: Vec<(Message, u16)> = vec![
        (Message::Text("{not json".into()), 4002),
        (Message::Binary(vec![1, 2, 3].into()), 4002),
        (
            Message::Text(json!({"op": 99, "d": null}).to_string().into()),
            4001,
        ),
        (
            Message::Text(json!({"op": 3, "d": {"status": "idle"}}).to_string().into()),
            4003,
        ),
        (
            Message::Text(json!({"op": 2, "d": {"token": "bad"}}).to_string().into()),
            4004,
        ),
        (
            Message::Text(
                json!({"op": 2, "d": {"token": owner, "intents": 1u64 << 40}})
                    .to_string()
                    .into(),
            ),
            4013,
        ),
        (
            Message::Text(
                json!({"op": 2, "d": {"token": owner, "shard": [1, 2]}})
                    .to_string()
                    .into(),
            ),
            4010,
        ),
        (Message::Text(json!({"op": "two"}).to_string().into()), 4002),
    ];
    for (msg, code) in cases {
        let mut gw = Gw::connect(app, "v=10&encoding=json").await;
        gw.recv().await;
        gw.send_raw(msg.clone()).await;
        assert_eq!(gw.closed().await, Some(code), "{msg:?}");
    }
    // A second IDENTIFY.
    let (mut gw, _) = Gw::identify(app, &owner, None).await;
    gw.send(json!({"op": 2, "d": {"token": owner}})).await;
    assert_eq!(gw.closed().await, Some(4005));
    // A version other than 10.
    let mut gw = Gw::connect(app, "v=9&encoding=json").await;
    assert_eq!(gw.closed().await, Some(4012));
    // Too many commands.
    let (mut gw, _) = Gw::identify(app, &owner, None).await;
    for _ in 0..125 {
        gw.send(json!({"op": 4, "d": {"guild_id": "1", "channel_id": null, "self_mute": false, "self_deaf": false}})).await;
    }
    assert_eq!(gw.closed().await, Some(4008));
    // The server is fine afterwards.
    let (_, ready) = Gw::identify(app, &owner, None).await;
    assert!(ready["session_id"].is_string());
    let _ = CloseCode::Normal;
}

async fn compressed_streams_inflate_with_one_context(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let mut gw = Gw::connect(app, "v=10&encoding=json&compress=zlib-stream").await;
    assert_eq!(gw.recv().await["op"], 10);
    gw.send(json!({"op": 2, "d": {"token": owner, "properties": {}}}))
        .await;
    assert_eq!(gw.recv().await["t"], "READY");
    gw.event("GUILD_CREATE").await;
    for i in 0..20 {
        app.say(
            &owner,
            &general,
            &format!("compressed {i} {}", "z".repeat(i * 50)),
        )
        .await;
        assert!(gw.event("MESSAGE_CREATE").await["content"]
            .as_str()
            .unwrap()
            .starts_with(&format!("compressed {i} ")));
    }
}

async fn presence_reaches_those_who_share_a_guild_coalesced_and_invisible_as_offline(
    app: &TestApp,
) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let stranger = app.register("stranger").await;
    let (g, _) = app.guild_with(&bob, &[&alice]).await;
    let gid = g["id"].as_str().unwrap();
    let alice_id = app.user_id(&alice).await;
    let (bot_id, bot) = app.bot(&bob, "nopresence").await;
    let path = format!("/oauth2/authorize?client_id={bot_id}&scope=bot");
    app.post(&path, &bob, json!({"guild_id": gid, "authorize": true}))
        .await
        .ok(200);
    let (mut watcher, _) = Gw::identify(app, &bob, None).await;
    watcher.event("GUILD_CREATE").await;
    let (mut other, _) = Gw::identify(app, &stranger, None).await;
    let (mut quiet_bot, _) = Gw::identify(app, &bot, Some(1 | 512)).await;
    quiet_bot.event("GUILD_CREATE").await;

    // Alice comes online as dnd with a custom status.
    let mut a = Gw::connect(app, "v=10&encoding=json").await;
    a.recv().await;
    let presence = json!({"status": "dnd", "since": 0, "afk": false, "activities": [{"name": "Custom Status", "type": 4, "state": "reading"}]});
    a.send(json!({"op": 2, "d": {"token": alice, "properties": {"os": "linux", "browser": "Firefox"}, "presence": presence}})).await;
    assert_eq!(a.recv().await["t"], "READY");
    let p = watcher.presence_of(&alice_id).await;
    assert_eq!(
        (
            p["user"]["id"].as_str(),
            p["guild_id"].as_str(),
            p["status"].as_str()
        ),
        (Some(alice_id.as_str()), Some(gid), Some("dnd"))
    );
    assert_eq!(p["client_status"], json!({"web": "dnd"}));
    assert_eq!(p["activities"][0]["state"], "reading");
    let counted = app
        .get(&format!("/guilds/{gid}?with_counts=true"), &bob)
        .await
        .ok(200);
    assert_eq!(
        counted["approximate_presence_count"], 3,
        "bob, alice and the bot are online"
    );
    // A burst of changes arrives as one update with the last state.
    for status in ["idle", "online", "idle"] {
        a.send(json!({"op": 3, "d": {"status": status, "since": null, "activities": [], "afk": false}})).await;
    }
    let p = watcher.presence_of(&alice_id).await;
    assert_eq!(p["status"], "idle");
    watcher.quiet(600).await;
    // Invisible looks offline to others.
    a.send(json!({"op": 3, "d": {"status": "invisible", "since": null, "activities": [], "afk": false}})).await;
    let p = watcher.presence_of(&alice_id).await;
    assert_eq!(
        (p["status"].as_str(), p["client_status"].clone()),
        (Some("offline"), json!({}))
    );
    // A bad status closes the connection.
    a.send(json!({"op": 3, "d": {"status": "asleep"}})).await;
    assert_eq!(a.closed().await, Some(4002));
    // Nobody outside the guild, and no bot without the intent, heard any of it.
    other.quiet(300).await;
    quiet_bot.quiet(300).await;
}

async fn zstd_streams_decode_with_one_context(app: &TestApp) {
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let mut gw = Gw::connect(app, "v=10&encoding=json&compress=zstd-stream").await;
    assert_eq!(gw.recv().await["op"], 10);
    gw.send(json!({"op": 2, "d": {"token": owner, "properties": {}}}))
        .await;
    assert_eq!(gw.recv().await["t"], "READY");
    gw.event("GUILD_CREATE").await;
    for i in 0..20 {
        app.say(
            &owner,
            &general,
            &format!("zstd {i} {}", "q".repeat(i * 70)),
        )
        .await;
        let content = gw.event("MESSAGE_CREATE").await["content"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(content.starts_with(&format!("zstd {i} ")));
    }
}

async fn a_joined_guild_arrives_with_the_presences_of_its_members_online(app: &TestApp) {
    let owner = app.register("owner").await;
    let carol = app.register("carol").await;
    let (g, general) = app.guild_with(&owner, &[]).await;
    let owner_id = app.user_id(&owner).await;
    let (mut o, _) = Gw::identify(app, &owner, None).await;
    o.event("GUILD_CREATE").await;
    let (mut c, _) = Gw::identify(app, &carol, None).await;
    let code = app
        .post(&format!("/channels/{general}/invites"), &owner, json!({}))
        .await
        .ok(200)["code"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/invites/{code}"), &carol, json!({}))
        .await
        .ok(200);
    let gc = c.event("GUILD_CREATE").await;
    assert_eq!(gc["id"], g["id"]);
    let presences = gc["presences"].as_array().unwrap();
    assert!(
        presences
            .iter()
            .any(|p| p["user"]["id"] == owner_id.as_str() && p["status"] == "online"),
        "{gc}"
    );
}

async fn member_requests_answer_in_chunks_echoing_the_nonce(app: &TestApp) {
    let owner = app.register("owner").await;
    let others = [
        app.register("anna").await,
        app.register("andy").await,
        app.register("zoe").await,
    ];
    let refs: Vec<&str> = others.iter().map(String::as_str).collect();
    let (g, _) = app.guild_with(&owner, &refs).await;
    let gid: u64 = g["id"].as_str().unwrap().parse().unwrap();
    let zoe = app.user_id(&others[2]).await;
    let (mut gw, _) = Gw::identify(app, &owner, None).await;
    gw.event("GUILD_CREATE").await;
    // discord.py sends the guild id as a number.
    gw.send(json!({"op": 8, "d": {"guild_id": gid, "query": "", "limit": 0, "presences": false, "nonce": "all"}})).await;
    let c = gw.event("GUILD_MEMBERS_CHUNK").await;
    assert_eq!(
        (
            c["nonce"].as_str(),
            c["chunk_index"].as_u64(),
            c["chunk_count"].as_u64()
        ),
        (Some("all"), Some(0), Some(1))
    );
    assert_eq!(c["members"].as_array().unwrap().len(), 4);
    gw.send(json!({"op": 8, "d": {"guild_id": gid.to_string(), "query": "AN", "limit": 10, "nonce": "an"}})).await;
    let c = gw.event("GUILD_MEMBERS_CHUNK").await;
    let mut names: Vec<String> = c["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["andy", "anna"]);
    gw.send(json!({"op": 8, "d": {"guild_id": gid.to_string(), "user_ids": [zoe, "1"], "nonce": "ids"}})).await;
    let c = gw.event("GUILD_MEMBERS_CHUNK").await;
    assert_eq!(c["members"][0]["user"]["id"], zoe.as_str());
    assert_eq!(c["not_found"], json!(["1"]));
    // A guild the session is not in answers nothing; a bad guild id closes with 4002.
    gw.send(json!({"op": 8, "d": {"guild_id": "1", "query": "", "limit": 0, "nonce": "none"}}))
        .await;
    gw.quiet(300).await;
    gw.send(json!({"op": 8, "d": {"guild_id": "abc", "query": "", "limit": 0}}))
        .await;
    assert_eq!(gw.closed().await, Some(4002));
}

#[tokio::test]
async fn a_normal_close_ends_the_session_sets_offline_and_records_last_seen() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let (_, _) = app.guild_with(&bob, &[&alice]).await;
    let alice_id: hearth_core::Snowflake = app.user_id(&alice).await.parse().unwrap();
    let (mut watcher, _) = Gw::identify(&app, &bob, None).await;
    watcher.event("GUILD_CREATE").await;
    let (mut a, ready) = Gw::identify(&app, &alice, None).await;
    assert_eq!(watcher.event("PRESENCE_UPDATE").await["status"], "online");
    a.send_raw(Message::Close(Some(
        tokio_tungstenite::tungstenite::protocol::CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        },
    )))
    .await;
    let p = watcher.event("PRESENCE_UPDATE").await;
    assert_eq!(p["status"], "offline");
    let store = app.store().await;
    let mut seen = None;
    for _ in 0..50 {
        seen = store.fetch_last_seen(alice_id.into()).await.unwrap();
        if seen.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen.is_some(), "last seen recorded");
    // The session is gone: it cannot be resumed.
    let mut again = Gw::connect(&app, "v=10").await;
    again.recv().await;
    again
        .send(json!({"op": 6, "d": {"token": alice, "session_id": ready["session_id"], "seq": 1}}))
        .await;
    assert_eq!(again.recv().await, json!({"op": 9, "d": false}));
    store.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_silent_connection_times_out_and_its_session_resumes() {
    let db = hearth_store::testing::TestDatabase::sqlite();
    let app = TestApp::spawn_with(db, |c| c.gateway.heartbeat_interval_ms = 300).await;
    let owner = app.register("owner").await;
    let (_, general) = app.guild_with(&owner, &[]).await;
    let (mut gw, ready) = Gw::identify(&app, &owner, None).await;
    gw.event("GUILD_CREATE").await;
    let seq = gw.seq;
    let started = std::time::Instant::now();
    assert_eq!(gw.closed().await, Some(4009));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "closed after {:?}",
        started.elapsed()
    );
    let m = app.say(&owner, &general, "while away").await;
    let mut again = Gw::connect(&app, "v=10").await;
    again.seq = seq;
    assert_eq!(again.recv().await["d"]["heartbeat_interval"], 300);
    again
        .send(
            json!({"op": 6, "d": {"token": owner, "session_id": ready["session_id"], "seq": seq}}),
        )
        .await;
    assert_eq!(again.event("MESSAGE_CREATE").await["id"], m["id"]);
    assert_eq!(again.recv().await["t"], "RESUMED");
    app.stop().await;
}

#[tokio::test]
async fn logging_out_ends_the_gateway_sessions_of_that_token_only() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let first = app.register("dora").await;
    let second = app
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"login": "dora", "password": "correct horse battery"})),
        )
        .await
        .ok(200)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (mut a, ready) = Gw::identify(&app, &first, None).await;
    let (mut b, _) = Gw::identify(&app, &second, None).await;
    app.call(Method::POST, "/auth/logout", Some(&first), None)
        .await
        .ok(204);
    assert_eq!(a.closed().await, Some(4004));
    // The other login's session goes on; the revoked one cannot be resumed.
    b.send(json!({"op": 1, "d": null})).await;
    assert_eq!(b.recv().await["op"], 11);
    let mut again = Gw::connect(&app, "v=10").await;
    again.recv().await;
    again
        .send(json!({"op": 6, "d": {"token": first, "session_id": ready["session_id"], "seq": 1}}))
        .await;
    assert_eq!(again.closed().await, Some(4004));
    app.stop().await;
}

#[tokio::test]
async fn stopping_the_server_asks_clients_to_reconnect() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let owner = app.register("owner").await;
    let (mut gw, _) = Gw::identify(&app, &owner, None).await;
    let stopping = tokio::spawn(app.stop());
    let mut saw_reconnect = false;
    let code = loop {
        match gw.next().await {
            Ok(v) if v["op"] == 7 => saw_reconnect = true,
            Ok(_) => {}
            Err(code) => break code,
        }
    };
    assert!(saw_reconnect, "op 7 before the close");
    assert_eq!(code, Some(4000));
    stopping.await.unwrap();
}

//! A client that stops reading is closed (resumably while its buffer holds what it missed) and
//! costs no more than its own buffer; other sessions keep receiving everything, in order.
//! The sessions here are driven through channels, without HTTP.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{sink, stream, Sink, Stream};
use hearth_bus::{Bus, LocalBus};
use hearth_core::{ChannelId, GuildId, SnowflakeGenerator, Timestamp, UserId};
use hearth_gateway::connection::{serve, ConnectOptions};
use hearth_gateway::{GatewayConfig, Hub, WsError, WsMessage};
use hearth_protocol::events::Event;
use hearth_store::testing::TestDatabase;
use hearth_store::{Guild, Member, NewUser, Session, Store};
use serde_json::{json, Value};
use tokio::sync::mpsc;

struct Client {
    to_server: mpsc::Sender<WsMessage>,
    from_server: mpsc::Receiver<WsMessage>,
    task: tokio::task::JoinHandle<()>,
}

impl Client {
    fn open(hub: &Arc<Hub>) -> Client {
        let (to_server, server_rx) = mpsc::channel::<WsMessage>(16);
        // Capacity 1: a client that stops reading stalls the server's writes at once.
        let (server_tx, from_server) = mpsc::channel::<WsMessage>(1);
        let task = tokio::spawn(serve(
            hub.clone(),
            writer(server_tx),
            reader(server_rx),
            ConnectOptions::default(),
        ));
        Client {
            to_server,
            from_server,
            task,
        }
    }

    async fn recv(&mut self) -> Value {
        match tokio::time::timeout(Duration::from_secs(5), self.from_server.recv()).await {
            Ok(Some(WsMessage::Text(t))) => serde_json::from_str(&t).unwrap(),
            other => panic!("expected a payload, got {other:?}"),
        }
    }

    async fn send(&self, v: Value) {
        self.to_server
            .send(WsMessage::Text(v.to_string()))
            .await
            .unwrap();
    }
}

fn writer(tx: mpsc::Sender<WsMessage>) -> impl Sink<WsMessage> + Unpin + Send + 'static {
    Box::pin(sink::unfold(tx, |tx, msg: WsMessage| async move {
        tx.send(msg).await.map_err(|_| ())?;
        Ok::<_, ()>(tx)
    }))
}

fn reader(
    rx: mpsc::Receiver<WsMessage>,
) -> impl Stream<Item = Result<WsMessage, WsError>> + Unpin + Send {
    Box::pin(stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|m| (Ok(m), rx))
    }))
}

struct World {
    _db: TestDatabase,
    store: Arc<dyn Store>,
    bus: Arc<LocalBus>,
    hub: Arc<Hub>,
    guild: Guild,
    tokens: Vec<String>,
}

/// A user with a login session; returns its id and token.
async fn account(store: &dyn Store, ids: &SnowflakeGenerator, name: &str) -> (UserId, String) {
    let id = UserId(ids.next());
    store
        .insert_user(&NewUser {
            id,
            username: name.into(),
            global_name: None,
            email: None,
            bot: false,
            password_hash: None,
            created_at: 0,
        })
        .await
        .unwrap();
    let token = format!("token-of-{name}");
    let s = Session {
        id: ids.next().into(),
        user_id: id,
        token_hash: hearth_store::token_hash(&token),
        kind: "user".into(),
        created_at: 0,
        last_used_at: 0,
        ip: None,
        user_agent: None,
    };
    store.insert_session(&s).await.unwrap();
    (id, token)
}

async fn world(config: GatewayConfig) -> World {
    let db = TestDatabase::sqlite();
    let store = hearth_store::connect(&db.url).await.unwrap();
    let ids = SnowflakeGenerator::new(3);
    let mut tokens = Vec::new();
    let mut users = Vec::new();
    for name in ["reader", "staller"] {
        let (id, token) = account(store.as_ref(), &ids, name).await;
        tokens.push(token);
        users.push(id);
    }
    let gid = GuildId(ids.next());
    let channel = ChannelId(ids.next());
    hearth_store::testing::seed_guild(store.as_ref(), gid, users[0], channel).await;
    let guild = store.fetch_guild(gid).await.unwrap().expect("guild");
    let member = Member {
        guild_id: gid,
        user_id: users[1],
        nick: None,
        joined_at: Timestamp::now().0,
        temporary: false,
        communication_disabled_until: None,
        roles: vec![],
        kind: hearth_core::MemberKind::Member,
        guest_expires_at: None,
    };
    store.insert_member(&member).await.unwrap();
    let bus = Arc::new(LocalBus::default());
    let hub = Hub::new(store.clone(), bus.clone(), config, 0);
    hub.start();
    World {
        _db: db,
        store,
        bus,
        hub,
        guild,
        tokens,
    }
}

/// Identifies and reads READY and the GUILD_CREATE; returns (session id, last seq).
async fn identify(c: &mut Client, token: &str) -> (String, u64) {
    assert_eq!(c.recv().await["op"], 10);
    c.send(json!({"op": 2, "d": {"token": token, "properties": {}}}))
        .await;
    let ready = c.recv().await;
    assert_eq!(ready["t"], "READY");
    assert_eq!(c.recv().await["t"], "GUILD_CREATE");
    (ready["d"]["session_id"].as_str().unwrap().to_owned(), 2)
}

/// The next GUILD_UPDATE (presence updates of the other user may come in between).
async fn next_update(c: &mut Client) -> Value {
    loop {
        let v = c.recv().await;
        if v["t"] == "GUILD_UPDATE" {
            return v;
        }
    }
}

/// GUILD_UPDATE number `n`: the guild renamed `name {n}`.
fn event(guild: &Guild, n: usize) -> Event {
    let renamed = Guild {
        name: format!("name {n}"),
        ..guild.clone()
    };
    Event::GuildUpdate(Box::new(hearth_gateway::wire::guild(&renamed, &[], None)))
}

/// The number of a GUILD_UPDATE of [`event`].
fn n(dispatch: &Value) -> Option<u64> {
    dispatch["d"]["name"]
        .as_str()?
        .strip_prefix("name ")?
        .parse()
        .ok()
}

fn config() -> GatewayConfig {
    GatewayConfig {
        queue_limit: 32,
        resume_buffer: 128,
        write_timeout_secs: 1,
        ..GatewayConfig::default()
    }
}

#[tokio::test]
async fn a_stalled_client_is_dropped_and_others_receive_everything_in_order() {
    let w = world(config()).await;
    let mut good = Client::open(&w.hub);
    identify(&mut good, &w.tokens[0]).await;
    let mut stalled = Client::open(&w.hub);
    let (stalled_id, _) = identify(&mut stalled, &w.tokens[1]).await;
    assert_eq!(w.hub.session_count(), 2);

    let mut last_seq = 2;
    // The stalled client reads nothing more while 200 events go out, in bursts the healthy
    // client keeps up with.
    for n in 0..200u64 {
        w.bus.publish(event(&w.guild, n as usize));
        if n % 10 != 9 {
            continue;
        }
        for n in n - 9..=n {
            let v = next_update(&mut good).await;
            assert_eq!(self::n(&v), Some(n));
            let seq = v["s"].as_u64().unwrap();
            assert!(seq > last_seq, "sequence numbers increase");
            last_seq = seq;
        }
    }
    // Its connection ends within the write timeout; having missed more than its buffer
    // holds, its session is given up (its memory with it); the healthy one is untouched.
    tokio::time::timeout(Duration::from_secs(5), &mut stalled.task)
        .await
        .expect("stalled connection closed")
        .unwrap();
    assert!(w.hub.find(&stalled_id).is_none());
    assert_eq!(w.hub.session_count(), 1);
    w.hub.check_invariants();
    w.bus.publish(event(&w.guild, 200));
    assert_eq!(n(&next_update(&mut good).await), Some(200));
    w.store.close().await;
}

#[tokio::test]
async fn a_client_closed_for_being_slow_resumes_without_a_gap() {
    let w = world(config()).await;
    let mut slow = Client::open(&w.hub);
    let (sid, seq) = identify(&mut slow, &w.tokens[1]).await;
    // More than the queue limit, less than the resume buffer.
    for n in 0..100 {
        w.bus.publish(event(&w.guild, n));
    }
    tokio::time::timeout(Duration::from_secs(5), &mut slow.task)
        .await
        .expect("slow connection closed")
        .unwrap();
    let session = w.hub.find(&sid).expect("still resumable");
    assert_eq!(session.seq(), seq + 100);
    let mut again = Client::open(&w.hub);
    assert_eq!(again.recv().await["op"], 10);
    again
        .send(json!({"op": 6, "d": {"token": w.tokens[1], "session_id": sid, "seq": seq}}))
        .await;
    for n in 0..100 {
        let v = again.recv().await;
        assert_eq!((self::n(&v), v["s"].as_u64()), (Some(n), Some(seq + 1 + n)));
    }
    assert_eq!(again.recv().await["t"], "RESUMED");
    w.hub.check_invariants();
    w.store.close().await;
}

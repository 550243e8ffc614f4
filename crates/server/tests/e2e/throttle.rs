//! Login and registration throttles (per account, per client address) and the bounded password
//! hashing queue: beyond them a 429 shaped as Discord's, with the wait.

use hearth::Config;
use hearth_api::limits::Rate;
use hearth_store::testing::TestDatabase;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// A server per available database, with `adjust`ed settings.
async fn apps(adjust: impl Fn(&mut Config)) -> Vec<TestApp> {
    let mut dbs = vec![TestDatabase::sqlite()];
    dbs.extend(TestDatabase::postgres().await);
    let mut apps = Vec::new();
    for db in dbs {
        apps.push(TestApp::spawn_with(db, &adjust).await);
    }
    apps
}

fn rate(burst: u32, per_minute: u32) -> Rate {
    Rate { burst, per_minute }
}

/// A request to `/api/v10{path}` with a JSON body and extra headers; (status, Retry-After, body).
async fn send(
    app: &TestApp,
    path: &str,
    body: Value,
    headers: &[(&str, &str)],
) -> (u16, Option<String>, Value) {
    let mut req = app
        .client
        .request(Method::POST, format!("{}/api/v10{path}", app.base))
        .json(&body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, retry, body)
}

async fn login(app: &TestApp, name: &str, password: &str) -> (u16, Option<String>, Value) {
    send(
        app,
        "/auth/login",
        json!({"login": name, "password": password}),
        &[],
    )
    .await
}

/// Asserts a 429 in the shape client libraries wait on.
#[track_caller]
fn assert_throttled((status, retry, body): &(u16, Option<String>, Value)) {
    assert_eq!(*status, 429, "{body}");
    let wait = body["retry_after"].as_f64().expect("retry_after");
    assert!(wait > 0.0, "{body}");
    assert_eq!(body["global"], false);
    assert!(body["message"].is_string());
    let header: u64 = retry.as_deref().expect("Retry-After").parse().unwrap();
    assert!(
        header >= 1 && header as f64 >= wait.floor(),
        "{header} vs {wait}"
    );
}

#[tokio::test]
async fn logins_to_one_account_are_throttled_even_with_the_right_password() {
    for app in apps(|c| c.auth.login_per_account = rate(3, 1)).await {
        app.register("alice").await;
        app.register("bob").await;
        for _ in 0..3 {
            assert_eq!(login(&app, "alice", "wrong password!").await.0, 400);
        }
        // Spent: the right password waits too, whatever the case of the name.
        assert_throttled(&login(&app, "Alice", "correct horse battery").await);
        assert_throttled(&login(&app, "alice", "correct horse battery").await);
        // Other accounts are not held back.
        assert_eq!(login(&app, "bob", "correct horse battery").await.0, 200);
        app.stop().await;
    }
}

#[tokio::test]
async fn logins_and_registrations_are_throttled_per_client_address() {
    let adjust = |c: &mut Config| {
        c.auth.login_per_address = rate(4, 1);
        c.auth.register_per_address = rate(2, 1);
    };
    for app in apps(adjust).await {
        let register = |name: &str| {
            let body = json!({"username": name, "password": "correct horse battery"});
            send(&app, "/auth/register", body, &[])
        };
        assert_eq!(register("alice").await.0, 201);
        assert_eq!(register("bob").await.0, 201);
        assert_throttled(&register("carol").await);
        for name in ["alice", "bob", "alice", "nobody"] {
            let (status, _, _) = login(&app, name, "correct horse battery").await;
            assert!(status == 200 || status == 400, "{status}");
        }
        assert_throttled(&login(&app, "bob", "correct horse battery").await);
        app.stop().await;
    }
}

async fn register_from(app: &TestApp, name: &str, from: &str) -> (u16, Option<String>, Value) {
    let body = json!({"username": name, "password": "correct horse battery"});
    send(app, "/auth/register", body, &[("X-Forwarded-For", from)]).await
}

#[tokio::test]
async fn a_forwarded_address_counts_only_when_the_configuration_trusts_it() {
    for trusted in [true, false] {
        let adjust = move |c: &mut Config| {
            c.http.trust_forwarded_for = trusted;
            c.auth.register_per_address = rate(1, 1);
        };
        for app in apps(adjust).await {
            assert_eq!(register_from(&app, "alice", "10.0.0.1").await.0, 201);
            if trusted {
                assert_throttled(&register_from(&app, "bob", "10.0.0.1").await);
                assert_eq!(register_from(&app, "carol", "10.0.0.2").await.0, 201);
                // The proxy appends the address it saw: the last entry counts.
                assert_throttled(&register_from(&app, "dave", "10.0.0.9, 10.0.0.2").await);
            } else {
                // Without trust the header is the client's word: every request is the peer's.
                assert_throttled(&register_from(&app, "bob", "10.0.0.2").await);
            }
            app.stop().await;
        }
    }
}

#[tokio::test]
async fn a_login_burst_beyond_the_hashing_queue_is_refused_at_once_and_then_served() {
    let adjust = |c: &mut Config| {
        c.auth.hash_concurrency = 1;
        c.auth.hash_queue = 1;
    };
    for app in apps(adjust).await {
        app.register("alice").await;
        let burst = (0..24).map(|_| login(&app, "alice", "wrong password!"));
        let answers = futures_util::future::join_all(burst).await;
        let refused = answers.iter().filter(|a| a.0 == 429).count();
        for a in &answers {
            match a.0 {
                400 => assert_eq!(a.2["code"], 50035),
                429 => assert_throttled(a),
                other => panic!("unexpected {other}: {}", a.2),
            }
        }
        // One hashing, one waiting: most of the burst is refused without being hashed.
        assert!(refused >= 1, "{answers:?}");
        assert_eq!(login(&app, "alice", "correct horse battery").await.0, 200);
        app.stop().await;
    }
}

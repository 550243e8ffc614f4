//! Errors across the API: unknown routes, methods, oversize bodies, content types, the
//! OpenAPI document, health and shutdown.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

both!(
    unknown_routes_and_methods_answer_in_discords_shape,
    oversize_bodies_answer_413_without_harm,
    empty_bodies_with_any_content_type_read_as_empty_objects,
    the_openapi_document_lists_exactly_routes_that_exist,
    every_protected_operation_refuses_callers_without_a_token,
    every_id_in_a_path_is_checked,
    every_body_is_checked_for_syntax_and_shape,
    health_reports_the_database,
);

/// Every documented operation: (method, path template, operation object).
fn operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) {
                out.push((m, path.clone(), op.clone()));
            }
        }
    }
    out
}

/// The path with every parameter replaced by `value`.
fn fill(path: &str, value: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') { value } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether an operation documents an answer with `status`.
fn documents(op: &Value, status: u16) -> bool {
    op["responses"].get(status.to_string()).is_some()
}

/// Whether an operation needs no token (`security: [{}]` in the document).
fn is_public(op: &Value) -> bool {
    op["security"].as_array().is_some_and(|s| {
        s.iter()
            .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
    })
}

async fn unknown_routes_and_methods_answer_in_discords_shape(app: &TestApp) {
    let token = app.register("owner").await;
    let res = app.get("/no/such/route", &token).await;
    res.assert_error(404, 0);
    assert_eq!(res.body, json!({"message": "404: Not Found", "code": 0}));
    app.call(Method::GET, "/webhooks/1", None, None)
        .await
        .assert_error(404, 0);
    let res = app
        .call(Method::PUT, "/users/@me", Some(&token), None)
        .await;
    res.assert_error(405, 0);
    // Outside the API, only the web client's own paths answer (its page; see `web.rs`).
    let res = app
        .raw(Method::GET, "/no-such-page", None, Vec::new())
        .await;
    res.assert_error(404, 0);
}

async fn oversize_bodies_answer_413_without_harm(app: &TestApp) {
    let token = app.register("owner").await;
    let (_, general) = app.guild_with(&token, &[]).await;
    let big = json!({"content": "x".repeat(2 * 1024 * 1024)})
        .to_string()
        .into_bytes();
    let res = app
        .raw(
            Method::POST,
            &format!("/api/v10/channels/{general}/messages"),
            Some(&token),
            big,
        )
        .await;
    res.assert_error(413, 40005);
    // The server is fine afterwards and stored nothing.
    assert_eq!(
        app.get(&format!("/channels/{general}/messages"), &token)
            .await
            .ok(200),
        json!([])
    );
}

async fn empty_bodies_with_any_content_type_read_as_empty_objects(app: &TestApp) {
    let token = app.register("owner").await;
    let (_, general) = app.guild_with(&token, &[]).await;
    let res = app
        .client
        .post(format!("{}/api/v10/channels/{general}/invites", app.base))
        .header("Authorization", &token)
        .header("Content-Type", "application/octet-stream")
        .send()
        .await
        .unwrap();
    let invite = TestApp::read(res).await.ok(200);
    assert_eq!(invite["max_age"], 86400);
    let res = app
        .client
        .post(format!("{}/api/v10/channels/{general}/typing", app.base))
        .header("Authorization", &token)
        .header("Content-Type", "application/octet-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 204);
}

async fn the_openapi_document_lists_exactly_routes_that_exist(app: &TestApp) {
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .ok(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 25, "{} paths", paths.len());
    let mut checked = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            if !["GET", "POST", "PATCH", "PUT", "DELETE"].contains(&m.as_str()) {
                continue;
            }
            // Fill path parameters with an id nobody has; the route must exist (no route-404).
            let concrete = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let res = app.raw(m.clone(), &concrete, None, b"{}".to_vec()).await;
            let route_missing = res.status.as_u16() == 404 && res.body["code"] == json!(0);
            assert!(
                !route_missing && res.status.as_u16() != 405,
                "{method} {path} is documented but not routed: {}",
                res.body
            );
            checked += 1;
        }
    }
    assert!(checked >= 35, "{checked} operations");
    // Operation ids are unique (clients generated from the document name methods after them).
    let mut ids = std::collections::BTreeMap::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"))
            .to_owned();
        if let Some(other) = ids.insert(id.clone(), format!("{method} {path}")) {
            panic!("operationId {id} of {method} {path} is also that of {other}");
        }
    }
    // Every documented operation names its responses; schemas are included.
    assert!(doc["components"]["schemas"]["Message"].is_object());
    let _: &Value = &doc["components"]["securitySchemes"]["token"];
}

async fn every_protected_operation_refuses_callers_without_a_token(app: &TestApp) {
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .ok(200);
    let mut protected = 0;
    for (method, path, op) in operations(&doc) {
        if is_public(&op) {
            continue;
        }
        protected += 1;
        assert!(
            documents(&op, 401),
            "{method} {path} needs a token but does not document 401"
        );
        let target = fill(&path, "1");
        for auth in [None, Some("not-a-token"), Some("Bot not-a-token")] {
            let mut req = app
                .client
                .request(method.clone(), format!("{}{target}", app.base))
                .json(&json!({}));
            if let Some(a) = auth {
                req = req.header("Authorization", a);
            }
            let res = TestApp::read(req.send().await.unwrap()).await;
            assert_eq!(
                res.status.as_u16(),
                401,
                "{method} {path} with {auth:?}: {}",
                res.body
            );
            assert_eq!(res.body, json!({"message": "401: Unauthorized", "code": 0}));
        }
    }
    assert!(protected >= 30, "{protected} protected operations");
    // The public ones are exactly these.
    let public: Vec<String> = operations(&doc)
        .into_iter()
        .filter(|(_, _, op)| is_public(op))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    let mut public = public;
    public.sort();
    assert_eq!(
        public,
        [
            "GET /api/v10/gateway",
            "GET /api/v10/invites/{code}",
            "GET /api/v10/openapi.json",
            "GET /gateway",
            "GET /gateway/",
            "GET /healthz",
            "POST /api/v10/auth/login",
            "POST /api/v10/auth/register"
        ]
    );
}

async fn every_id_in_a_path_is_checked(app: &TestApp) {
    let token = app.register("owner").await;
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .ok(200);
    let mut checked = 0;
    for (method, path, op) in operations(&doc) {
        if !path.contains('{') {
            continue;
        }
        let status = if path.contains("{code}") { 404 } else { 400 };
        assert!(
            documents(&op, status),
            "{method} {path} has path parameters but does not document {status}"
        );
        let res = app
            .raw(
                method.clone(),
                &fill(&path, "12ab"),
                Some(&token),
                b"{}".to_vec(),
            )
            .await;
        if path.contains("{code}") {
            res.assert_error(404, 10006);
        } else {
            assert_eq!(res.status.as_u16(), 400, "{method} {path}: {}", res.body);
            assert_eq!(res.body["code"], 50035, "{method} {path}: {}", res.body);
            let errors = res.body["errors"].as_object().unwrap();
            let (name, detail) = errors.iter().next().unwrap();
            assert!(
                path.contains(&format!("{{{name}}}")),
                "{method} {path} names {name}"
            );
            assert_eq!(detail["_errors"][0]["code"], "NUMBER_TYPE_COERCE");
        }
        checked += 1;
    }
    assert!(checked >= 25, "{checked}");
}

async fn every_body_is_checked_for_syntax_and_shape(app: &TestApp) {
    let token = app.register("owner").await;
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .ok(200);
    let mut checked = 0;
    for (method, path, op) in operations(&doc) {
        if op.get("requestBody").is_none() {
            continue;
        }
        for status in [400, 413] {
            assert!(
                documents(&op, status),
                "{method} {path} takes a body but does not document {status}"
            );
        }
        let mut target = fill(&path, "1");
        if path.ends_with("/oauth2/authorize") {
            target.push_str("?client_id=1&scope=bot");
        }
        for (body, code) in [
            (&b"{\"a\": "[..], 50109),
            (&b"\"text\""[..], 50035),
            (&b"nul"[..], 50109),
            (&b"42"[..], 50035),
        ] {
            let res = app
                .raw(method.clone(), &target, Some(&token), body.to_vec())
                .await;
            assert_eq!(
                res.status.as_u16(),
                400,
                "{method} {path} {:?}: {}",
                String::from_utf8_lossy(body),
                res.body
            );
            assert_eq!(
                res.body["code"],
                code,
                "{method} {path} {:?}: {}",
                String::from_utf8_lossy(body),
                res.body
            );
        }
        checked += 1;
    }
    assert!(checked >= 12, "{checked}");
}

async fn health_reports_the_database(app: &TestApp) {
    let res = app
        .raw(Method::GET, "/healthz", None, Vec::new())
        .await
        .ok(200);
    assert_eq!(res["status"], "ok");
    assert!(["sqlite", "postgres"].contains(&res["database"].as_str().unwrap()));
}

#[tokio::test]
async fn stopping_lets_in_flight_requests_finish_and_refuses_new_ones() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let addr = app.addr;
    // A request whose body is still arriving when the stop is requested.
    let body = json!({"username": "late", "password": "longenough"}).to_string();
    let (first, rest) = body.split_at(10);
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v10/auth/register HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    // Make sure the server has taken the connection before stopping it.
    app.raw(Method::GET, "/healthz", None, Vec::new())
        .await
        .ok(200);
    let stopping = tokio::spawn(app.stop());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(
        !stopping.is_finished(),
        "the server waits for the request in flight"
    );
    conn.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    stopping.await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}

#[tokio::test]
async fn body_limit_follows_the_configuration() {
    let db = hearth_store::testing::TestDatabase::sqlite();
    let app = TestApp::spawn_with(db, |c| c.http.max_body_bytes = 64).await;
    let res = app
        .call(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({"username": "x".repeat(80), "password": "longenough"})),
        )
        .await;
    res.assert_error(413, 40005);
    app.call(
        Method::POST,
        "/auth/register",
        None,
        Some(json!({"username": "short", "password": "longenough"})),
    )
    .await
    .ok(201);
    app.stop().await;
}

//! Registration, login, logout, tokens and the caller's own account.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

both!(
    registration_answers_201_with_a_token_that_authenticates,
    registration_refuses_bad_names_passwords_and_emails_per_field,
    usernames_and_emails_are_unique_without_regard_to_case,
    registration_ignores_fields_other_clients_send,
    login_works_by_username_or_email_and_refuses_wrong_passwords_alike,
    logout_revokes_only_the_token_used,
    bad_tokens_answer_401_in_discords_shape,
    sessions_record_address_agent_and_times,
    the_current_user_can_rename_themself,
    any_user_can_be_looked_up_by_id,
);

async fn registration_answers_201_with_a_token_that_authenticates(app: &TestApp) {
    let res = app
        .call(Method::POST, "/auth/register", None, Some(json!({"username": "Alice", "password": "hunter22hunter", "email": "a@example.org"})))
        .await
        .ok(201);
    let token = res["token"].as_str().unwrap();
    // Discord's token shape: base64(user id) "." secret; the secret carries at least 256 bits.
    let (head, secret) = token.split_once('.').unwrap();
    assert!(secret.len() >= 43, "{token}");
    let me = app.get("/users/@me", token).await.ok(200);
    assert_eq!(me["username"], "Alice");
    // discord.js sends `@` percent-encoded.
    assert_eq!(app.get("/users/%40me", token).await.ok(200), me);
    assert_eq!(me["discriminator"], "0");
    assert_eq!(me["bot"], false);
    assert_eq!(me["email"], "a@example.org");
    assert!(me["avatar"].is_null() && me.get("global_name").is_some());
    let decoded = String::from_utf8(base64_url_decode(head)).unwrap();
    assert_eq!(me["id"], decoded);
}

fn base64_url_decode(s: &str) -> Vec<u8> {
    // Small decoder for the test, independent of the server's encoder.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let v = alphabet.iter().position(|a| *a == c).unwrap() as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

async fn registration_refuses_bad_names_passwords_and_emails_per_field(app: &TestApp) {
    let cases = [
        (
            json!({"username": "a", "password": "longenough"}),
            "username",
            "BASE_TYPE_BAD_LENGTH",
        ),
        (
            json!({"username": "x".repeat(33), "password": "longenough"}),
            "username",
            "BASE_TYPE_BAD_LENGTH",
        ),
        (
            json!({"username": "no spaces", "password": "longenough"}),
            "username",
            "USERNAME_INVALID_CHARACTERS",
        ),
        (
            json!({"username": "a..b", "password": "longenough"}),
            "username",
            "USERNAME_TOO_MANY_PERIODS",
        ),
        (
            json!({"username": "carol", "password": "short"}),
            "password",
            "BASE_TYPE_BAD_LENGTH",
        ),
        (
            json!({"username": "carol", "password": "longenough", "email": "nope"}),
            "email",
            "EMAIL_TYPE_INVALID_EMAIL",
        ),
        (
            json!({"password": "longenough"}),
            "username",
            "BASE_TYPE_REQUIRED",
        ),
        (
            json!({"username": 5, "password": "longenough"}),
            "username",
            "BASE_TYPE_INVALID",
        ),
        (
            json!({"username": "carol", "password": "longenough", "global_name": ""}),
            "global_name",
            "BASE_TYPE_BAD_LENGTH",
        ),
    ];
    for (body, field, code) in cases {
        let res = app
            .call(Method::POST, "/auth/register", None, Some(body.clone()))
            .await;
        res.assert_field_error(field, code);
    }
    // Several bad fields are reported together.
    let res = app
        .call(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({"username": "a", "password": "b"})),
        )
        .await;
    res.assert_field_error("username", "BASE_TYPE_BAD_LENGTH");
    res.assert_field_error("password", "BASE_TYPE_BAD_LENGTH");
    // Nothing was created by any of them.
    let login = app
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"login": "carol", "password": "longenough"})),
        )
        .await;
    login.assert_error(400, 50035);
}

async fn usernames_and_emails_are_unique_without_regard_to_case(app: &TestApp) {
    let body = json!({"username": "dave", "password": "longenough", "email": "dave@example.org"});
    app.call(Method::POST, "/auth/register", None, Some(body))
        .await
        .ok(201);
    let again = json!({"username": "DAVE", "password": "longenough"});
    app.call(Method::POST, "/auth/register", None, Some(again))
        .await
        .assert_field_error("username", "USERNAME_ALREADY_TAKEN");
    let email = json!({"username": "dave2", "password": "longenough", "email": "Dave@Example.org"});
    app.call(Method::POST, "/auth/register", None, Some(email))
        .await
        .assert_field_error("email", "EMAIL_ALREADY_REGISTERED");
}

async fn registration_ignores_fields_other_clients_send(app: &TestApp) {
    let body = json!({
        "username": "erin", "password": "longenough", "consent": true,
        "date_of_birth": "1990-01-01", "global_name": "Erin", "fingerprint": null
    });
    let token = app
        .call(Method::POST, "/auth/register", None, Some(body))
        .await
        .ok(201)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get("/users/@me", &token).await.ok(200)["global_name"],
        "Erin"
    );
}

async fn login_works_by_username_or_email_and_refuses_wrong_passwords_alike(app: &TestApp) {
    let body = json!({"username": "Frank", "password": "longenough", "email": "frank@example.org"});
    app.call(Method::POST, "/auth/register", None, Some(body))
        .await
        .ok(201);
    let id = {
        let r = app
            .call(
                Method::POST,
                "/auth/login",
                None,
                Some(json!({"login": "frank", "password": "longenough"})),
            )
            .await
            .ok(200);
        assert!(r["token"].is_string());
        r["user_id"].as_str().unwrap().to_owned()
    };
    let r = app
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"login": "FRANK@example.org", "password": "longenough"})),
        )
        .await
        .ok(200);
    assert_eq!(r["user_id"], id.as_str());
    assert_eq!(app.user_id(r["token"].as_str().unwrap()).await, id);
    // A wrong password and an unknown login get the same answer.
    let wrong = app
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"login": "frank", "password": "wrongwrong"})),
        )
        .await;
    wrong.assert_field_error("login", "INVALID_LOGIN");
    let unknown = app
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"login": "nobody", "password": "wrongwrong"})),
        )
        .await;
    assert_eq!(unknown.body, wrong.body);
    app.call(
        Method::POST,
        "/auth/login",
        None,
        Some(json!({"login": "frank"})),
    )
    .await
    .assert_field_error("password", "BASE_TYPE_REQUIRED");
}

async fn logout_revokes_only_the_token_used(app: &TestApp) {
    let first = app.register("gina").await;
    let second = app
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"login": "gina", "password": "correct horse battery"})),
        )
        .await
        .ok(200)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.call(Method::POST, "/auth/logout", Some(&first), None)
        .await
        .ok(204);
    app.get("/users/@me", &first).await.assert_error(401, 0);
    app.get("/users/@me", &second).await.ok(200);
    app.call(Method::POST, "/auth/logout", Some(&first), None)
        .await
        .assert_error(401, 0);
    app.call(Method::POST, "/auth/logout", None, None)
        .await
        .assert_error(401, 0);
}

async fn bad_tokens_answer_401_in_discords_shape(app: &TestApp) {
    let token = app.register("hank").await;
    for auth in [
        None,
        Some(""),
        Some("garbage"),
        Some("Bot garbage"),
        Some("Bearer x"),
    ] {
        let res = app.call(Method::GET, "/users/@me", auth, None).await;
        res.assert_error(401, 0);
        assert_eq!(res.body, json!({"message": "401: Unauthorized", "code": 0}));
    }
    // A person's token with the Bot prefix is refused too.
    app.get("/users/@me", &format!("Bot {token}"))
        .await
        .assert_error(401, 0);
    app.get("/users/@me", &"x".repeat(5000))
        .await
        .assert_error(401, 0);
}

async fn sessions_record_address_agent_and_times(app: &TestApp) {
    let res = app
        .client
        .post(format!("{}/api/v10/auth/register", app.base))
        .header("User-Agent", "hearth-test/1.0")
        .json(&json!({"username": "iris", "password": "longenough"}))
        .send()
        .await
        .unwrap();
    let token = TestApp::read(res).await.ok(201)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let id: u64 = app.user_id(&token).await.parse().unwrap();
    let store = app.store().await;
    let sessions = store
        .fetch_user_sessions(hearth_core::Snowflake(id).into())
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(s.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(s.user_agent.as_deref(), Some("hearth-test/1.0"));
    assert!(s.created_at > 0 && s.last_used_at >= s.created_at);
    // Only the hash of the token is stored.
    assert_eq!(s.token_hash.len(), 64);
    assert!(!s.token_hash.contains(&token));
    store.close().await;
}

async fn the_current_user_can_rename_themself(app: &TestApp) {
    let jane = app.register("jane").await;
    app.register("kate").await;
    let me = app
        .patch(
            "/users/@me",
            &jane,
            json!({"username": "Janet", "global_name": "J"}),
        )
        .await
        .ok(200);
    assert_eq!(
        (me["username"].as_str(), me["global_name"].as_str()),
        (Some("Janet"), Some("J"))
    );
    let me = app
        .patch("/users/@me", &jane, json!({"global_name": null}))
        .await
        .ok(200);
    assert!(me["global_name"].is_null());
    assert_eq!(me["username"], "Janet");
    app.patch("/users/@me", &jane, json!({"username": "KATE"}))
        .await
        .assert_field_error("username", "USERNAME_ALREADY_TAKEN");
    app.patch("/users/@me", &jane, json!({"username": "k"}))
        .await
        .assert_field_error("username", "BASE_TYPE_BAD_LENGTH");
    app.patch("/users/@me", &jane, json!({"username": ["x"]}))
        .await
        .assert_field_error("username", "BASE_TYPE_INVALID");
    app.call(Method::PATCH, "/users/@me", None, Some(json!({})))
        .await
        .assert_error(401, 0);
    // The new name logs in.
    app.call(
        Method::POST,
        "/auth/login",
        None,
        Some(json!({"login": "janet", "password": "correct horse battery"})),
    )
    .await
    .ok(200);
}

async fn any_user_can_be_looked_up_by_id(app: &TestApp) {
    let a = app.register("lena").await;
    let b = app.register("mona").await;
    let b_id = app.user_id(&b).await;
    let u = app.get(&format!("/users/{b_id}"), &a).await.ok(200);
    assert_eq!(u["username"], "mona");
    assert!(u.get("email").is_none(), "private fields stay private: {u}");
    app.get("/users/1", &a).await.assert_error(404, 10013);
    app.get("/users/abc", &a)
        .await
        .assert_field_error("user_id", "NUMBER_TYPE_COERCE");
    app.call(Method::GET, &format!("/users/{b_id}"), None, None)
        .await
        .assert_error(401, 0);
}

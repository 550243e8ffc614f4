//! The web client as the binary serves it: its page at `/` and at its own deep links, its hashed
//! files long-cached, the security headers on every answer, and the API's 404 everywhere else.
//! (What the client does in a browser is tested in `tests/web`.)

use crate::helpers::{Backend, TestApp};

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("request")
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_client_is_served_at_its_paths_with_strict_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let mut script = None;
    for path in [
        "/",
        "/login",
        "/channels/1/2",
        "/invite/abc123",
        "/settings/user",
    ] {
        let res = get(&app, path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        assert!(
            header(&res, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(header(&res, "cache-control"), "no-cache", "{path}");
        let csp = header(&res, "content-security-policy").to_owned();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(header(&res, "x-frame-options"), "DENY");
        assert_eq!(header(&res, "referrer-policy"), "no-referrer");
        let page = res.text().await.expect("page");
        assert!(page.contains(r#"<div id="root">"#), "{page}");
        // No inline script: the page only names its module.
        assert!(!page.contains("<script>"), "{page}");
        let src = page
            .split(r#"src=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page names its script")
            .to_owned();
        script = Some(src);
    }
    let script = script.expect("a script");
    assert!(script.starts_with("/assets/index-"), "{script}");
    let res = get(&app, &script).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(header(&res, "content-type").contains("javascript"));
    assert_eq!(
        header(&res, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&res, "content-security-policy").contains("default-src 'self'"));
    let plain = res.bytes().await.expect("script");
    assert!(!plain.is_empty());
    // Asked for gzip, the same file comes compressed (and `Vary` says it depends on asking).
    for ask in ["gzip", "br, gzip;q=0.8", "*"] {
        let res = app
            .client
            .get(format!("{}{script}", app.base))
            .header("accept-encoding", ask)
            .send()
            .await
            .expect("request");
        assert_eq!(header(&res, "content-encoding"), "gzip", "{ask}");
        assert_eq!(header(&res, "vary"), "accept-encoding");
        let packed = res.bytes().await.expect("script");
        assert!(
            packed.len() * 3 < plain.len(),
            "{} of {}",
            packed.len(),
            plain.len()
        );
        let mut unpacked = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&packed[..]),
            &mut unpacked,
        )
        .expect("gzip");
        assert_eq!(unpacked, plain);
    }
    // Refused or not asked for: plain.
    for ask in ["gzip;q=0", "identity"] {
        let res = app
            .client
            .get(format!("{}{script}", app.base))
            .header("accept-encoding", ask)
            .send()
            .await
            .expect("request");
        assert_eq!(header(&res, "content-encoding"), "", "{ask}");
    }
    app.stop().await;
}

#[tokio::test]
async fn other_paths_stay_the_apis_404() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("app");
    for path in [
        "/assets/missing.js",
        "/assets/../Cargo.toml",
        // Encoded separators reach the handler decoded: no way out of the built files.
        "/assets/..%2f..%2fpackage.json",
        "/assets/..%2Findex.html",
        "/assets/.%2findex.html",
        "/nowhere",
        "/channels",
    ] {
        let res = get(&app, path).await;
        assert_eq!(res.status().as_u16(), 404, "{path}");
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["code"], 0, "{path}");
    }
    // The API and the page share the server without shadowing each other.
    let res = get(&app, "/api/v10/gateway").await;
    assert_eq!(res.status().as_u16(), 200);
    app.stop().await;
}

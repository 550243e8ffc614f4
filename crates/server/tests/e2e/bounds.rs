//! The bounds the OpenAPI document gives request fields (lengths, ranges, list sizes) are the
//! server's: a value just past a documented bound is refused with 50035 naming the field.

use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::helpers::TestApp;

both!(every_documented_bound_is_enforced);

/// The ids a path's parameters are filled with, by name.
struct Ids {
    guild: String,
    channel: String,
    message: String,
    role: String,
    user: String,
}

impl Ids {
    fn fill(&self, path: &str) -> String {
        path.split('/')
            .map(|seg| match seg {
                "{guild_id}" => self.guild.as_str(),
                "{channel_id}" => self.channel.as_str(),
                "{message_id}" => self.message.as_str(),
                "{role_id}" | "{overwrite_id}" => self.role.as_str(),
                "{user_id}" => self.user.as_str(),
                other => other,
            })
            .collect::<Vec<_>>()
            .join("/")
            .replacen("/api/v10", "", 1)
    }

    /// A value for a required field that is not the one under test.
    fn filler(&self, field: &str) -> Value {
        match field {
            "username" | "login" => json!("bounds_person"),
            "password" => json!("correct horse battery"),
            "name" => json!("bounds"),
            "type" => json!(0),
            "messages" => json!([self.message, self.message]),
            other => panic!("no filler for the required field {other}"),
        }
    }

    /// An entry of a list field.
    fn entry(&self, field: &str) -> Value {
        match field {
            "embeds" => json!({"title": "x"}),
            "permission_overwrites" => json!({"id": self.guild, "type": 0}),
            "messages" => json!(self.message),
            "hearth_default_channel_ids" => json!(self.channel),
            other => panic!("no entry for the list field {other}"),
        }
    }
}

/// Values just past a property's documented bounds.
fn past_bounds(ids: &Ids, field: &str, schema: &Value) -> Vec<Value> {
    let n = |key: &str| schema[key].as_i64();
    let mut out = Vec::new();
    if let Some(max) = n("maxLength") {
        out.push(json!("a".repeat(max as usize + 1)));
    }
    if let Some(min) = n("minLength").filter(|m| *m > 0) {
        out.push(json!("a".repeat(min as usize - 1)));
    }
    if let Some(max) = n("maximum") {
        out.push(json!(max + 1));
    }
    if let Some(min) = n("minimum") {
        out.push(json!(min - 1));
    }
    if let Some(max) = n("maxItems") {
        out.push(Value::Array(vec![ids.entry(field); max as usize + 1]));
    }
    if let Some(min) = n("minItems").filter(|m| *m > 0) {
        out.push(Value::Array(vec![ids.entry(field); min as usize - 1]));
    }
    out
}

/// The schema a `$ref` names (or the schema itself).
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// Sends each value past a documented bound of one operation (query parameters, a list body's
/// length, a body's fields), alone, and expects a 400 naming it. Returns how many were sent.
async fn check_operation(
    app: &TestApp,
    token: &str,
    ids: &Ids,
    doc: &Value,
    path: &str,
    method: Method,
    op: &Value,
) -> usize {
    let mut checked = 0;
    let target = ids.fill(path);
    // Query parameters: each value past a bound, alone.
    for param in op["parameters"].as_array().into_iter().flatten() {
        if param["in"] != "query" {
            continue;
        }
        let name = param["name"].as_str().unwrap();
        for value in past_bounds(ids, name, &param["schema"]) {
            let url = format!("{target}?{name}={value}");
            let res = app.call(method.clone(), &url, Some(token), None).await;
            assert_eq!(res.status.as_u16(), 400, "{method} {url}: {}", res.body);
            assert!(
                res.body["errors"].get(name).is_some(),
                "{method} {url}: {}",
                res.body
            );
            checked += 1;
        }
    }
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let schema = resolve(doc, schema);
    // A list body: its length.
    if schema["type"] == "array" {
        let entry = json!({"id": ids.channel});
        let counts = [schema["minItems"].as_u64(), schema["maxItems"].as_u64()];
        for (bound, past) in counts.into_iter().zip([-1i64, 1]) {
            let Some(bound) = bound else { continue };
            let len = (bound as i64 + past) as usize;
            let body = Value::Array(vec![entry.clone(); len]);
            let res = app
                .call(method.clone(), &target, Some(token), Some(body))
                .await;
            assert_eq!(res.status.as_u16(), 400, "{method} {path} {len} entries");
            assert_eq!(res.body["code"], 50035, "{method} {path}: {}", res.body);
            checked += 1;
        }
        return checked;
    }
    let Some(properties) = schema["properties"].as_object() else {
        return checked;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (field, property) in properties {
        for value in past_bounds(ids, field, property) {
            let mut body = Map::new();
            for r in required.iter().filter(|r| *r != field) {
                body.insert((*r).to_owned(), ids.filler(r));
            }
            body.insert(field.clone(), value.clone());
            let res = app
                .call(
                    method.clone(),
                    &target,
                    Some(token),
                    Some(Value::Object(body)),
                )
                .await;
            let shown = value.to_string().chars().take(40).collect::<String>();
            assert_eq!(
                res.status.as_u16(),
                400,
                "{method} {path} {field}={shown}: {}",
                res.body
            );
            assert!(
                res.body["errors"].get(field).is_some(),
                "{method} {path} {field}={shown}: {}",
                res.body
            );
            checked += 1;
        }
    }
    checked
}

async fn every_documented_bound_is_enforced(app: &TestApp) {
    let token = app.register("owner").await;
    let me = app.get("/users/@me", &token).await.ok(200);
    let (guild, general) = app.guild_with(&token, &[]).await;
    let guild_id = guild["id"].as_str().unwrap().to_owned();
    let messages = format!("/channels/{general}/messages");
    let message = app.post(&messages, &token, json!({"content": "hi"})).await;
    let role = app
        .post(&format!("/guilds/{guild_id}/roles"), &token, json!({}))
        .await;
    let ids = Ids {
        guild: guild_id,
        channel: general,
        message: message.ok(200)["id"].as_str().unwrap().to_owned(),
        role: role.ok(200)["id"].as_str().unwrap().to_owned(),
        user: me["id"].as_str().unwrap().to_owned(),
    };
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .ok(200);
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        // `/gateway` (the WebSocket) and `/healthz` take no bounded input over plain HTTP.
        if !path.starts_with("/api/v10/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            checked += check_operation(app, &token, &ids, &doc, path, method, op).await;
        }
    }
    assert!(checked >= 90, "{checked} bounds checked");
}

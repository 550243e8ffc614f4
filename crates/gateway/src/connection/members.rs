//! REQUEST_GUILD_MEMBERS: members of a guild of the session, by user id or by name prefix,
//! sent back in GUILD_MEMBERS_CHUNK dispatches.

use std::sync::Arc;

use hearth_core::{GuildId, UserId};
use hearth_protocol::events::SessionDispatch;
use hearth_store::Store;
use serde_json::{json, Value};

use super::{Connection, Refusal};
use crate::hub::{Frame, Session};
use crate::payload::{self, close};
use crate::wire;

/// Members per GUILD_MEMBERS_CHUNK, and per page read from the store.
const CHUNK: usize = 1000;

/// A store failure while answering: the client is asked to try again.
fn failed<E>(_: E) -> Refusal {
    (close::UNKNOWN_ERROR, "try again")
}

/// The `user_ids` of a request: a list, or a single id; None when the request names none.
fn requested_ids(d: &Value) -> Option<&[Value]> {
    match d.get("user_ids") {
        Some(Value::Array(a)) if !a.is_empty() => Some(a.as_slice()),
        Some(v @ (Value::String(_) | Value::Number(_))) => Some(std::slice::from_ref(v)),
        _ => None,
    }
}

/// The members among the first 100 ids, and the ids that are not members (or not users).
/// Values that are not ids are skipped.
async fn members_by_id(
    store: &dyn Store,
    guild_id: GuildId,
    ids: &[Value],
) -> Result<(Vec<Value>, Vec<Value>), Refusal> {
    let mut members = Vec::new();
    let mut not_found = Vec::new();
    for v in ids.iter().take(100) {
        let Ok(uid) = serde_json::from_value::<UserId>(v.clone()) else {
            continue;
        };
        match (
            store.fetch_member(guild_id, uid).await.map_err(failed)?,
            store.fetch_user(uid).await.map_err(failed)?,
        ) {
            (Some(m), Some(u)) => members.push(payload::to_value(&wire::member(&m, Some(&u)))),
            _ => not_found.push(json!(uid)),
        }
    }
    Ok((members, not_found))
}

/// Members whose username or nickname starts with `query` (case-insensitive; every member for
/// an empty query), in id order, at most `limit` of them (at most 100; no cap for 0).
async fn members_by_name(
    store: &dyn Store,
    guild_id: GuildId,
    query: &str,
    limit: u64,
) -> Result<Vec<Value>, Refusal> {
    let cap = if limit == 0 { u64::MAX } else { limit.min(100) };
    let mut members = Vec::new();
    let mut after = UserId::default();
    loop {
        let page = store
            .fetch_members(guild_id, after, CHUNK as i64)
            .await
            .map_err(failed)?;
        let Some(last) = page.last() else { break };
        after = last.1.id;
        for (m, u) in &page {
            let name_matches = query.is_empty()
                || u.username.to_lowercase().starts_with(query)
                || m.nick
                    .as_ref()
                    .is_some_and(|n| n.to_lowercase().starts_with(query));
            if name_matches {
                members.push(payload::to_value(&wire::member(m, Some(u))));
                if members.len() as u64 >= cap {
                    return Ok(members);
                }
            }
        }
        if page.len() < CHUNK {
            break;
        }
    }
    Ok(members)
}

/// What a request asked for besides the members, echoed in its chunks.
struct Echo {
    nonce: Value,
    presences: bool,
}

impl Connection {
    /// REQUEST_GUILD_MEMBERS, answered in chunks of up to 1000 members echoing the nonce;
    /// ignored for a guild the session is not in.
    pub(super) async fn request_members(&mut self, d: Value) -> Result<(), Refusal> {
        let Some(session) = self.session.clone() else {
            return Err((close::NOT_AUTHENTICATED, "not identified"));
        };
        let guild_id: GuildId = serde_json::from_value(d["guild_id"].clone())
            .map_err(|_| (close::DECODE_ERROR, "invalid guild_id"))?;
        if !self.hub.in_guild(&session.id, guild_id) {
            return Ok(());
        }
        let store = self.hub.store.as_ref();
        let (members, not_found) = if let Some(ids) = requested_ids(&d) {
            members_by_id(store, guild_id, ids).await?
        } else {
            let limit = d["limit"].as_u64().unwrap_or(0);
            let query = d["query"].as_str().unwrap_or("").to_lowercase();
            let members = members_by_name(store, guild_id, &query, limit).await?;
            (members, Vec::new())
        };
        let echo = Echo {
            nonce: d.get("nonce").cloned().unwrap_or(Value::Null),
            presences: d["presences"].as_bool() == Some(true),
        };
        self.send_chunks(&session, guild_id, &members, not_found, &echo);
        Ok(())
    }

    /// GUILD_MEMBERS_CHUNK dispatches of up to 1000 members (one empty chunk when none
    /// matched); the first one lists the ids not found.
    fn send_chunks(
        &self,
        session: &Arc<Session>,
        guild_id: GuildId,
        members: &[Value],
        not_found: Vec<Value>,
        echo: &Echo,
    ) {
        let chunks: Vec<&[Value]> = if members.is_empty() {
            vec![&[]]
        } else {
            members.chunks(CHUNK).collect()
        };
        let count = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let mut data = json!({
                "guild_id": guild_id, "members": chunk, "chunk_index": i, "chunk_count": count, "nonce": echo.nonce,
            });
            if i == 0 && !not_found.is_empty() {
                data["not_found"] = json!(not_found);
            }
            if echo.presences {
                data["presences"] = json!([]);
            }
            self.hub.send_to(
                session,
                Frame::new(SessionDispatch::GuildMembersChunk.name(), &data),
            );
        }
    }
}

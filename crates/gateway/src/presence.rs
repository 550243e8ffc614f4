//! Presence: each user's status, activities and per-device status, aggregated over their
//! sessions on this node, and the PRESENCE_UPDATE events that follow changes.
//!
//! The status a user sets applies to the account (the last one set wins); `client_status`
//! lists each connected device kind. An invisible user appears offline to everyone else. A
//! change is published after a short quiet time, so a burst of changes becomes one event.

use std::collections::HashMap;

use hearth_core::{GuildId, UserId};
use hearth_protocol::events::{Activity, ClientStatus, PresenceUpdate, PresenceUser};
use hearth_store::PresenceRow;
use serde_json::{json, Map, Value};

/// The statuses a client may set.
pub const STATUSES: [&str; 5] = ["online", "idle", "dnd", "invisible", "offline"];

/// Where a session runs, from its IDENTIFY `properties`.
pub fn device_kind(properties: &Value) -> &'static str {
    let text = |k: &str| properties[k].as_str().unwrap_or("").to_ascii_lowercase();
    let (os, browser, device) = (text("os"), text("browser"), text("device"));
    if ["android", "ios"].iter().any(|m| os.contains(m))
        || browser.contains("mobile")
        || device.contains("mobile")
    {
        "mobile"
    } else if ["chrome", "firefox", "safari", "edge", "opera", "web"]
        .iter()
        .any(|b| browser.contains(b))
    {
        "web"
    } else {
        "desktop"
    }
}

/// A presence as a client sent it (IDENTIFY `presence` or op 3), checked and trimmed: a known
/// status, at most 5 activities with only the fields other clients show.
pub fn parse_update(d: &Value) -> Option<(String, Vec<Activity>)> {
    let status = d["status"].as_str().unwrap_or("online");
    if !STATUSES.contains(&status) {
        return None;
    }
    // discord.py may send the legacy single `game` instead of `activities`.
    let raw: Vec<Value> = match (&d["activities"], &d["game"]) {
        (Value::Array(a), _) => a.clone(),
        (_, g @ Value::Object(_)) => vec![g.clone()],
        _ => Vec::new(),
    };
    if raw.len() > 5 {
        return None;
    }
    let mut activities = Vec::with_capacity(raw.len());
    for a in raw {
        let name = a["name"].as_str()?;
        let kind = a["type"].as_u64().unwrap_or(0);
        // U+0000 is refused in all text, as over REST.
        if kind > 6 || name.chars().count() > 128 || name.contains('\0') {
            return None;
        }
        let text = |key: &str| -> Result<Option<String>, ()> {
            match a[key].as_str() {
                Some(v) if v.chars().count() > 128 || v.contains('\0') => Err(()),
                v => Ok(v.map(str::to_owned)),
            }
        };
        activities.push(Activity {
            name: name.to_owned(),
            kind,
            state: text("state").ok()?,
            details: text("details").ok()?,
            url: text("url").ok()?,
        });
    }
    Some((status.to_owned(), activities))
}

/// One user's presence on this node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserPresence {
    /// The status last set (applies to the account).
    pub status: String,
    /// The activities last set.
    pub activities: Vec<Activity>,
    /// Device kind of each connected session, by session id.
    pub devices: HashMap<String, &'static str>,
    /// Device kind of each session whose connection dropped and that may still resume: it no
    /// longer counts as present, and counts again if it resumes.
    pub resting: HashMap<String, &'static str>,
    /// When the status was last set explicitly (µs since the epoch; 0: never, the default
    /// "online" of a session that did not say).
    pub set_at: i64,
}

/// The device kinds of `client_status`.
pub const DEVICES: [&str; 3] = ["desktop", "mobile", "web"];

/// A user's presence over every node, from each node's contribution: the status and activities
/// set last, and the devices of all.
pub fn aggregate(rows: &[PresenceRow]) -> UserPresence {
    let mut p = UserPresence::default();
    if let Some(newest) = rows.iter().max_by_key(|r| (r.updated_at, r.node_id)) {
        p.status = newest.status.clone();
        p.activities = serde_json::from_str(&newest.activities).unwrap_or_default();
        p.set_at = newest.updated_at;
    }
    for r in rows {
        if let Ok(Value::Object(kinds)) = serde_json::from_str::<Value>(&r.client_status) {
            for kind in DEVICES.iter().filter(|d| kinds.contains_key(**d)) {
                p.devices.insert(format!("{}:{kind}", r.node_id), kind);
            }
        }
    }
    p
}

impl UserPresence {
    /// This node's contribution to the user's presence, as stored.
    pub fn row(&self, user_id: UserId, node_id: u16) -> PresenceRow {
        let client: Map<String, Value> = self
            .devices
            .values()
            .map(|kind| ((*kind).to_owned(), json!(self.status)))
            .collect();
        PresenceRow {
            user_id,
            node_id: i64::from(node_id),
            status: self.status.clone(),
            activities: serde_json::to_string(&self.activities).unwrap_or_else(|_| "[]".into()),
            client_status: Value::Object(client).to_string(),
            updated_at: self.set_at,
        }
    }

    /// What others see: status, activities and client_status (offline and empty when the user
    /// is invisible or has no session).
    pub fn visible(&self) -> (String, Vec<Activity>, ClientStatus) {
        if self.devices.is_empty() || self.status == "invisible" || self.status == "offline" {
            return ("offline".into(), Vec::new(), ClientStatus::default());
        }
        let mut client = ClientStatus::default();
        for kind in self.devices.values() {
            let slot = match *kind {
                "mobile" => &mut client.mobile,
                "web" => &mut client.web,
                _ => &mut client.desktop,
            };
            *slot = Some(self.status.clone());
        }
        (self.status.clone(), self.activities.clone(), client)
    }

    /// The PRESENCE_UPDATE payload for `guild_id`.
    pub fn event_data(&self, user_id: UserId, guild_id: GuildId) -> PresenceUpdate {
        let (status, activities, client_status) = self.visible();
        PresenceUpdate {
            user: PresenceUser { id: user_id },
            guild_id,
            status,
            activities,
            client_status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_read_from_identify_properties() {
        assert_eq!(
            device_kind(&json!({"os": "linux", "browser": "discord.py", "device": "discord.py"})),
            "desktop"
        );
        assert_eq!(
            device_kind(&json!({"os": "Android", "browser": "Discord Android"})),
            "mobile"
        );
        assert_eq!(
            device_kind(&json!({"os": "Mac OS X", "browser": "Firefox"})),
            "web"
        );
        assert_eq!(device_kind(&json!(null)), "desktop");
    }

    #[test]
    fn updates_are_checked_and_trimmed() {
        let (s, a) = parse_update(&json!({"status": "dnd", "activities": [{"name": "Custom Status", "type": 4, "state": "busy", "secret": 1}]})).unwrap();
        assert_eq!(s, "dnd");
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            json!([{"name": "Custom Status", "type": 4, "state": "busy"}])
        );
        let (_, a) = parse_update(&json!({"status": "online", "game": {"name": "chess", "type": 0}, "since": 0, "afk": false})).unwrap();
        assert_eq!(a[0].name, "chess");
        assert!(parse_update(&json!({"status": "sleeping"})).is_none());
        assert!(parse_update(&json!({"status": "online", "activities": [{"type": 0}]})).is_none());
        assert!(parse_update(&json!({"activities": vec![json!({"name": "x"}); 6]})).is_none());
        // U+0000 is refused in every text, as over REST.
        assert!(parse_update(&json!({"activities": [{"name": "a\u{0}"}]})).is_none());
        assert!(parse_update(&json!({"activities": [{"name": "a", "state": "\u{0}"}]})).is_none());
    }

    #[test]
    fn invisible_users_appear_offline() {
        let mut p = UserPresence {
            status: "invisible".into(),
            ..Default::default()
        };
        p.devices.insert("s1".into(), "desktop");
        assert_eq!(p.visible().0, "offline");
        p.status = "idle".into();
        let (status, _, client) = p.visible();
        assert_eq!(
            (status.as_str(), serde_json::to_value(client).unwrap()),
            ("idle", json!({"desktop": "idle"}))
        );
        p.devices.clear();
        assert_eq!(p.visible().0, "offline");
    }

    fn row(node: i64, status: &str, devices: &[&str], at: i64) -> PresenceRow {
        let client: Map<String, Value> = devices
            .iter()
            .map(|d| ((*d).to_owned(), json!(status)))
            .collect();
        PresenceRow {
            user_id: UserId(hearth_core::Snowflake(1)),
            node_id: node,
            status: status.into(),
            activities: json!([{"name": format!("on {node}"), "type": 0}]).to_string(),
            client_status: Value::Object(client).to_string(),
            updated_at: at,
        }
    }

    #[test]
    fn nodes_aggregate_to_the_status_set_last_on_every_device() {
        // Node 1: desktop, status set at 10; node 2: a phone that did not say (default online).
        let p = aggregate(&[
            row(1, "dnd", &["desktop"], 10),
            row(2, "online", &["mobile"], 0),
        ]);
        let (status, activities, client) = p.visible();
        assert_eq!(status, "dnd");
        assert_eq!(activities[0].name, "on 1");
        assert_eq!(
            serde_json::to_value(client).unwrap(),
            json!({"desktop": "dnd", "mobile": "dnd"})
        );
        // The same device kind on two nodes is one entry; invisible set last hides them all.
        let p = aggregate(&[
            row(1, "online", &["desktop"], 10),
            row(2, "invisible", &["desktop"], 20),
        ]);
        assert_eq!(p.visible().0, "offline");
        assert_eq!(p.devices.len(), 2);
        // No contribution: offline.
        assert_eq!(aggregate(&[]).visible().0, "offline");
    }

    #[test]
    fn a_contribution_round_trips_through_its_row() {
        let mut p = UserPresence {
            status: "idle".into(),
            activities: vec![Activity {
                name: "chess".into(),
                kind: 0,
                state: None,
                details: None,
                url: None,
            }],
            set_at: 42,
            ..Default::default()
        };
        p.devices.insert("s1".into(), "web");
        p.devices.insert("s2".into(), "web");
        let r = p.row(UserId(hearth_core::Snowflake(9)), 3);
        assert_eq!((r.user_id.get(), r.node_id, r.updated_at), (9, 3, 42));
        let back = aggregate(&[r]);
        assert_eq!(back.visible(), p.visible());
    }
}

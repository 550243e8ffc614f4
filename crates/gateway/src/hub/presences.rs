//! The hub's side of presence: this node's contribution per user, recorded in the store, and
//! the PRESENCE_UPDATE events of the presence aggregated over every node.

use std::collections::{HashMap, HashSet};

use hearth_core::{GuildId, Snowflake, Timestamp, UserId};
use hearth_protocol::events::{Activity, Event, PresenceUpdate};
use hearth_store::{PresenceRow, StoreError};

use super::dispatch::unplaced;
use super::{Hub, Session};
use crate::payload;
use crate::presence;

impl Hub {
    /// Sets the presence of a session's user (from IDENTIFY or op 3). Without a status (an
    /// IDENTIFY that sends none) the account keeps the one it has, or becomes online; a status
    /// set explicitly on any node wins over that default.
    pub fn set_presence(
        &self,
        session: &Session,
        update: Option<(String, Vec<Activity>)>,
        device: &'static str,
    ) {
        let mut reg = self.registry();
        let guilds = reg.guilds_of.get(&session.id).cloned().unwrap_or_default();
        let p = reg.presences.entry(session.user_id).or_default();
        match update {
            Some((status, activities)) => {
                p.status = status;
                p.activities = activities;
                p.set_at = Timestamp::now().0;
            }
            None if p.status.is_empty() => p.status = "online".into(),
            None => {}
        }
        p.devices.insert(session.id.clone(), device);
        reg.dirty.entry(session.user_id).or_default().extend(guilds);
    }

    /// Records the presence changes gathered since the last flush as this node's contribution,
    /// then publishes, for each user whose presence (aggregated over every node) changed, one
    /// PRESENCE_UPDATE per guild. Users left without a session anywhere are recorded as last
    /// seen now.
    pub async fn flush_presences(&self) {
        let mut rows = Vec::new();
        let mut gone = Vec::new();
        let mut users = HashMap::new();
        {
            let mut reg = self.registry();
            let dirty = std::mem::take(&mut reg.dirty);
            for (user, mut guilds) in dirty {
                for sid in reg.by_user.get(&user).into_iter().flatten() {
                    guilds.extend(reg.guilds_of.get(sid).into_iter().flatten().copied());
                }
                match reg.presences.get(&user) {
                    Some(p) if !p.devices.is_empty() => rows.push(p.row(user, self.node_id)),
                    _ => {
                        reg.presences.remove(&user);
                        gone.push(user);
                    }
                }
                users.insert(user, guilds);
            }
        }
        if users.is_empty() {
            return;
        }
        if let Err(e) = self.store.put_presences(self.node_id, &rows, &gone).await {
            tracing::warn!(error = %e, "recording presence; retrying at the next flush");
            let mut reg = self.registry();
            for (user, guilds) in users {
                reg.dirty.entry(user).or_default().extend(guilds);
            }
            return;
        }
        self.publish_presences(users).await;
    }

    /// Publishes the aggregated presence of `users` (with the guilds to publish it in) where it
    /// differs from what was last published.
    async fn publish_presences(&self, users: HashMap<UserId, HashSet<GuildId>>) {
        let ids: Vec<UserId> = users.keys().copied().collect();
        let rows = match self.store.fetch_presences(&ids, Timestamp::now()).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "reading presence");
                return;
            }
        };
        let mut by_user: HashMap<UserId, Vec<PresenceRow>> = HashMap::new();
        for row in rows {
            by_user.entry(row.user_id).or_default().push(row);
        }
        let mut events = Vec::new();
        let mut offline = Vec::new();
        {
            let mut reg = self.registry();
            for (user, guilds) in users {
                let p = presence::aggregate(by_user.get(&user).map_or(&[], Vec::as_slice));
                if p.devices.is_empty() {
                    offline.push(user);
                }
                let seen = unplaced(&p.event_data(user, GuildId(Snowflake(0))));
                if reg.published.get(&user) == Some(&seen) {
                    continue;
                }
                if p.devices.is_empty() {
                    reg.published.remove(&user);
                } else {
                    reg.published.insert(user, seen);
                }
                for g in guilds {
                    events.push(Event::PresenceUpdate(Box::new(p.event_data(user, g))));
                }
            }
        }
        for e in events {
            self.bus.publish(e);
        }
        for user in offline {
            if let Err(e) = self.store.update_last_seen(user, Timestamp::now()).await {
                tracing::warn!(error = %e, "recording last seen");
            }
        }
    }

    /// Publishes anew the presence of users whose contributions changed outside this node's
    /// sessions (a dead node's removed, an earlier life of this node id's cleared), in every
    /// guild they belong to.
    pub async fn republish_presences(&self, users: Vec<UserId>) {
        let mut map = HashMap::new();
        for user in users {
            match payload::user_guild_ids(self.store.as_ref(), user).await {
                Ok(guilds) => {
                    map.insert(user, guilds.into_iter().collect());
                }
                Err(e) => tracing::warn!(error = %e, "reading a user's guilds"),
            }
        }
        {
            let mut reg = self.registry();
            for user in map.keys() {
                reg.published.remove(user);
            }
        }
        self.publish_presences(map).await;
    }

    /// Removes the presence contributed by nodes whose lease expired (dead nodes) and
    /// publishes what their users' presence became; returns how many users that touched.
    pub async fn reap_dead_nodes(&self) -> usize {
        match self.store.reap_presences(Timestamp::now()).await {
            Ok(users) => {
                let n = users.len();
                if n > 0 {
                    tracing::info!(users = n, "presence of dead nodes removed");
                    self.republish_presences(users).await;
                }
                n
            }
            Err(e) => {
                tracing::warn!(error = %e, "removing the presence of dead nodes");
                0
            }
        }
    }

    /// The presences of the members of each of `guilds` who are visible now, over every node.
    pub async fn guild_presences(
        &self,
        guilds: &[GuildId],
    ) -> Result<HashMap<GuildId, Vec<PresenceUpdate>>, StoreError> {
        let rows = self
            .store
            .fetch_guild_presences(guilds, Timestamp::now())
            .await?;
        let mut grouped: HashMap<GuildId, HashMap<UserId, Vec<PresenceRow>>> = HashMap::new();
        // This node's own contribution as it is now, not as last flushed.
        let me = i64::from(self.node_id);
        let mut rows: Vec<(GuildId, PresenceRow)> =
            rows.into_iter().filter(|(_, r)| r.node_id != me).collect();
        {
            let reg = self.registry();
            for g in guilds {
                let users: HashSet<UserId> = reg
                    .by_guild
                    .get(g)
                    .into_iter()
                    .flatten()
                    .filter_map(|sid| reg.sessions.get(sid).map(|s| s.user_id))
                    .collect();
                for u in users {
                    if let Some(p) = reg.presences.get(&u).filter(|p| !p.devices.is_empty()) {
                        rows.push((*g, p.row(u, self.node_id)));
                    }
                }
            }
        }
        for (g, row) in rows {
            grouped
                .entry(g)
                .or_default()
                .entry(row.user_id)
                .or_default()
                .push(row);
        }
        Ok(grouped
            .into_iter()
            .map(|(g, users)| {
                let visible = users
                    .into_iter()
                    .map(|(u, rows)| (u, presence::aggregate(&rows)))
                    .filter(|(_, p)| p.visible().0 != "offline")
                    .map(|(u, p)| p.event_data(u, g))
                    .collect();
                (g, visible)
            })
            .collect())
    }

    /// How many of a guild's members are visibly online, over every node.
    pub async fn online_count(&self, guild: GuildId) -> Result<i64, StoreError> {
        Ok(self
            .guild_presences(&[guild])
            .await?
            .get(&guild)
            .map_or(0, |v| v.len() as i64))
    }
}

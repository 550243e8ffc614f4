//! The hub's side of presence: this node's contribution per user, recorded in the store, and
//! the PRESENCE_UPDATE events of the presence aggregated over every node.

use std::collections::{HashMap, HashSet};

use hearth_core::{GuildId, Snowflake, Timestamp, UserId};
use hearth_protocol::events::{Activity, Event, FriendPresence, PresenceUpdate};
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

    /// A session's connection dropped (without the client closing it): the session may still
    /// resume, but until it does its device no longer counts in the user's presence.
    pub fn detach(&self, session: &Session, connection: u64) {
        if !session.detach(connection) {
            return;
        }
        let mut reg = self.registry();
        let guilds = reg.guilds_of.get(&session.id).cloned().unwrap_or_default();
        if let Some(p) = reg.presences.get_mut(&session.user_id) {
            if let Some(kind) = p.devices.remove(&session.id) {
                p.resting.insert(session.id.clone(), kind);
            }
            reg.dirty.entry(session.user_id).or_default().extend(guilds);
        }
    }

    /// A session resumed: its device counts again in the user's presence.
    pub fn reattach(&self, session: &Session) {
        let mut reg = self.registry();
        let guilds = reg.guilds_of.get(&session.id).cloned().unwrap_or_default();
        if let Some(p) = reg.presences.get_mut(&session.user_id) {
            if let Some(kind) = p.resting.remove(&session.id) {
                p.devices.insert(session.id.clone(), kind);
                reg.dirty.entry(session.user_id).or_default().extend(guilds);
            }
        }
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
                        // Sessions that may resume keep the status and activities they had.
                        if !reg.by_user.contains_key(&user) {
                            reg.presences.remove(&user);
                        }
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
        self.publish_presences(users, &HashSet::new()).await;
    }

    /// Publishes the aggregated presence of `users` (with the guilds to publish it in) where it
    /// differs from what was last published: one PRESENCE_UPDATE per guild, and one to each
    /// friend. A user who stops being visibly online (offline, or invisible) is recorded as
    /// last seen now; `was_visible` lists users known to have been visible before even when
    /// nothing is recorded as published for them (their record was cleared to republish).
    async fn publish_presences(
        &self,
        users: HashMap<UserId, HashSet<GuildId>>,
        was_visible: &HashSet<UserId>,
    ) {
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
        let mut changed = HashMap::new();
        let mut unseen = Vec::new();
        {
            let mut reg = self.registry();
            for (user, guilds) in users {
                let p = presence::aggregate(by_user.get(&user).map_or(&[], Vec::as_slice));
                let seen = unplaced(&p.event_data(user, GuildId(Snowflake(0))));
                let before = reg.published.get(&user);
                if before == Some(&seen) {
                    continue;
                }
                let visible_before =
                    before.is_some_and(|b| b.status != "offline") || was_visible.contains(&user);
                if seen.status == "offline" {
                    if visible_before {
                        unseen.push(user);
                    }
                    reg.published.remove(&user);
                } else {
                    reg.published.insert(user, seen.clone());
                }
                for g in guilds {
                    events.push(Event::PresenceUpdate(Box::new(p.event_data(user, g))));
                }
                changed.insert(user, seen);
            }
        }
        self.tell_friends(&changed, &mut events).await;
        // Recorded first: whoever is told a user went offline may ask when they were last seen.
        for user in unseen {
            if let Err(e) = self.store.update_last_seen(user, Timestamp::now()).await {
                tracing::warn!(error = %e, "recording last seen");
            }
        }
        for e in events {
            self.bus.publish(e);
        }
    }

    /// Appends, for each user whose presence changed, a PRESENCE_UPDATE to each of their
    /// friends.
    async fn tell_friends(
        &self,
        changed: &HashMap<UserId, PresenceUpdate>,
        events: &mut Vec<Event>,
    ) {
        if changed.is_empty() {
            return;
        }
        let ids: Vec<UserId> = changed.keys().copied().collect();
        let pairs = match self.store.fetch_friends_of(&ids).await {
            Ok(pairs) => pairs,
            Err(e) => {
                tracing::warn!(error = %e, "reading friends to tell a presence");
                return;
            }
        };
        for (user, friend) in pairs {
            if let Some(p) = changed.get(&user) {
                events.push(Event::FriendPresence {
                    user_id: friend,
                    presence: Box::new(p.clone().into()),
                });
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
        let mut was_visible = HashSet::new();
        {
            let mut reg = self.registry();
            for user in map.keys() {
                if reg.published.remove(user).is_some() {
                    was_visible.insert(*user);
                }
            }
        }
        self.publish_presences(map, &was_visible).await;
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

    /// The presences of `user`'s friends who are visibly online, over every node (as last
    /// recorded, at most one flush behind).
    pub async fn friend_presences(&self, user: UserId) -> Result<Vec<FriendPresence>, StoreError> {
        let rows = self
            .store
            .fetch_friend_presences(user, Timestamp::now())
            .await?;
        let mut by_user: HashMap<UserId, Vec<PresenceRow>> = HashMap::new();
        for row in rows {
            by_user.entry(row.user_id).or_default().push(row);
        }
        let mut out: Vec<FriendPresence> = by_user
            .into_iter()
            .map(|(u, rows)| (u, presence::aggregate(&rows)))
            .filter(|(_, p)| p.visible().0 != "offline")
            .map(|(u, p)| p.event_data(u, GuildId(Snowflake(0))).into())
            .collect();
        out.sort_by_key(|p| p.user.id);
        Ok(out)
    }

    /// `user`'s presence as others see it, over every node (as last recorded), when they are
    /// visibly online; None otherwise.
    pub async fn visible_presence(
        &self,
        user: UserId,
    ) -> Result<Option<FriendPresence>, StoreError> {
        let rows = self
            .store
            .fetch_presences(&[user], Timestamp::now())
            .await?;
        let p = presence::aggregate(&rows);
        Ok((p.visible().0 != "offline").then(|| p.event_data(user, GuildId(Snowflake(0))).into()))
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

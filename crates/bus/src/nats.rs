//! The cluster bus: events travel between nodes through a NATS server.
//!
//! Subjects (under a configurable prefix, `hearth` by default):
//! - `<prefix>.g.<guild>.all`: events for a guild's members, or those of them holding a
//!   permission (guild settings, roles, members, presence, bans, audit log entries);
//! - `<prefix>.g.<guild>.c.<channel>`: events for those who may view a channel, or hold a
//!   permission in it (messages, typing, channel changes, invites);
//! - `<prefix>.u.<user>`: events for one user (a guild gained or lost, a revoked token, their
//!   own changes).
//! - `<prefix>.sync`: served by nobody. A request there comes back ("no responders") once the
//!   server has processed everything this node sent before it: [`Bus::settled`] and
//!   [`Bus::published`] wait for that round trip.
//!
//! A node subscribes to `<prefix>.g.<guild>.>` for each guild and `<prefix>.u.<user>` for each
//! user its sessions need, and to nothing else: interest follows the sessions it holds. Every
//! event is published to NATS only and comes back through the subscriptions, on the publishing
//! node as on the others, so every node sees one topic's events in the same order. A message is
//! the whole typed event as JSON (its serde form), complete enough to dispatch without a
//! database read; each node deserializes it back into the same [`Event`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use hearth_protocol::events::{Audience, Event};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::{Bus, Subscription, Topic};

/// How to reach NATS.
#[derive(Debug, Clone)]
pub struct NatsConfig {
    /// `nats://host:port` (several servers separated by commas).
    pub url: String,
    /// First token of every subject, so that several hearth clusters can share one NATS.
    pub subject_prefix: String,
    /// Name the connection shows in the NATS server's monitoring.
    pub client_name: String,
}

enum Outgoing {
    Event(String, Vec<u8>),
    Flush(oneshot::Sender<()>),
}

enum Command {
    Interest(Topic, bool),
    Settle(oneshot::Sender<()>),
}

/// The cluster bus (see the module documentation).
pub struct NatsBus {
    client: async_nats::Client,
    prefix: String,
    tx: broadcast::Sender<Arc<Event>>,
    commands: mpsc::UnboundedSender<Command>,
    outbox: mpsc::UnboundedSender<Outgoing>,
}

impl std::fmt::Debug for NatsBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsBus")
            .field("prefix", &self.prefix)
            .field("state", &self.client.connection_state())
            .finish()
    }
}

impl NatsBus {
    /// Connects to NATS, trying again for at most `connect_timeout` (NATS may be starting with
    /// the node), and starts the tasks that publish and subscribe.
    pub async fn connect(
        config: &NatsConfig,
        connect_timeout: Duration,
    ) -> Result<NatsBus, async_nats::ConnectError> {
        let (tx, _) = broadcast::channel(65_536);
        let deadline = tokio::time::Instant::now() + connect_timeout;
        let servers: Vec<&str> = config
            .url
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let client = loop {
            match options(config, tx.clone(), connect_timeout)
                .connect(servers.as_slice())
                .await
            {
                Ok(client) => break client,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    tracing::warn!(error = %e, "NATS not reachable yet; trying again");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(e),
            }
        };
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (outbox, outbox_rx) = mpsc::unbounded_channel();
        let sync_subject = format!("{}.sync", config.subject_prefix);
        tokio::spawn(publisher(client.clone(), sync_subject, outbox_rx));
        tokio::spawn(subscriber(
            client.clone(),
            config.subject_prefix.clone(),
            tx.clone(),
            command_rx,
        ));
        Ok(NatsBus {
            client,
            prefix: config.subject_prefix.clone(),
            tx,
            commands,
            outbox,
        })
    }

    fn send(&self, subject: String, event: &Event) {
        match serde_json::to_vec(event) {
            Ok(bytes) => {
                let _ = self.outbox.send(Outgoing::Event(subject, bytes));
            }
            Err(e) => tracing::error!(error = %e, event = event.name(), "encoding an event"),
        }
    }
}

/// Connection options: on a reconnection or a message dropped for slowness, the node's sessions
/// are told events may be missing ([`Event::BusGap`]).
fn options(
    config: &NatsConfig,
    gap_tx: broadcast::Sender<Arc<Event>>,
    timeout: Duration,
) -> async_nats::ConnectOptions {
    async_nats::ConnectOptions::new()
        .name(&config.client_name)
        .connection_timeout(timeout)
        .event_callback(move |event| {
            let gap_tx = gap_tx.clone();
            async move {
                match event {
                    async_nats::Event::Disconnected => {
                        tracing::warn!("lost the connection to NATS; reconnecting");
                    }
                    async_nats::Event::Connected => {
                        // Whatever was published while disconnected never reached this node:
                        // its sessions are given up and their clients identify again.
                        tracing::info!("connected to NATS");
                        let _ = gap_tx.send(Arc::new(Event::BusGap));
                    }
                    async_nats::Event::SlowConsumer(_) => {
                        tracing::error!("NATS dropped events this node was too slow to take");
                        let _ = gap_tx.send(Arc::new(Event::BusGap));
                    }
                    other => tracing::warn!(event = %other, "NATS"),
                }
            }
        })
}

/// The subject an event of this audience travels on (none: it is not published).
pub(crate) fn subject(prefix: &str, audience: &Audience) -> Option<String> {
    match audience {
        Audience::Guild { guild_id } | Audience::GuildPermission { guild_id, .. } => {
            Some(format!("{prefix}.g.{guild_id}.all"))
        }
        Audience::Channel {
            guild_id,
            channel_id,
        }
        | Audience::ChannelPermission {
            guild_id,
            channel_id,
            ..
        } => Some(format!("{prefix}.g.{guild_id}.c.{channel_id}")),
        Audience::User { user_id } => Some(format!("{prefix}.u.{user_id}")),
        Audience::Nobody => None,
    }
}

/// The subscription subject of a topic.
pub(crate) fn topic_subject(prefix: &str, topic: Topic) -> String {
    match topic {
        Topic::Guild(g) => format!("{prefix}.g.{g}.>"),
        Topic::User(u) => format!("{prefix}.u.{u}"),
    }
}

#[async_trait]
impl Bus for NatsBus {
    fn publish(&self, event: Event) {
        if let Some(subject) = subject(&self.prefix, &event.audience()) {
            self.send(subject, &event);
        }
    }

    fn subscribe(&self) -> Subscription {
        self.tx.subscribe()
    }

    fn interest(&self, topic: Topic, on: bool) {
        let _ = self.commands.send(Command::Interest(topic, on));
    }

    async fn settled(&self) {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Settle(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    async fn published(&self) {
        let (tx, rx) = oneshot::channel();
        if self.outbox.send(Outgoing::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    fn health(&self) -> (&'static str, bool) {
        let connected = matches!(
            self.client.connection_state(),
            async_nats::connection::State::Connected
        );
        ("nats", connected)
    }
}

/// Publishes in the order events were handed over. A flush request is answered once the NATS
/// server has processed everything handed over before it; the requests waiting together share
/// one round trip.
async fn publisher(
    client: async_nats::Client,
    sync_subject: String,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
) {
    while let Some(first) = rx.recv().await {
        let mut waiting = Vec::new();
        let mut next = Some(first);
        while let Some(item) = next {
            match item {
                Outgoing::Event(subject, bytes) => {
                    if let Err(e) = client.publish(subject, bytes.into()).await {
                        tracing::error!(error = %e, "publishing to NATS");
                    }
                }
                Outgoing::Flush(done) => waiting.push(done),
            }
            next = rx.try_recv().ok();
        }
        if !waiting.is_empty() {
            // A request to a subject nobody serves: the server answers "no responders" once it
            // has processed this connection's earlier messages, which are then on their way to
            // every subscriber. (`flush` would only wait for the socket write.)
            match client
                .request(sync_subject.clone(), Vec::new().into())
                .await
            {
                Err(e) if e.kind() == async_nats::client::RequestErrorKind::NoResponders => {}
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "waiting for NATS to take the events"),
            }
            for done in waiting {
                let _ = done.send(());
            }
        }
    }
}

/// Applies interest changes in order: a topic's subscription exists while its count is above
/// zero; each forwards its messages to the node's broadcast channel.
async fn subscriber(
    client: async_nats::Client,
    prefix: String,
    tx: broadcast::Sender<Arc<Event>>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let sync_subject = format!("{prefix}.sync");
    let mut topics: HashMap<Topic, (usize, Option<JoinHandle<()>>)> = HashMap::new();
    while let Some(command) = commands.recv().await {
        match command {
            Command::Interest(topic, true) => {
                let entry = topics.entry(topic).or_insert((0, None));
                entry.0 += 1;
                if entry.1.is_none() {
                    match client.subscribe(topic_subject(&prefix, topic)).await {
                        Ok(sub) => entry.1 = Some(tokio::spawn(forward(sub, tx.clone()))),
                        Err(e) => tracing::error!(error = %e, ?topic, "subscribing on NATS"),
                    }
                }
            }
            Command::Interest(topic, false) => {
                if let Some(entry) = topics.get_mut(&topic) {
                    entry.0 = entry.0.saturating_sub(1);
                    if entry.0 == 0 {
                        // Dropping the subscriber (with its task) unsubscribes.
                        if let Some((_, Some(task))) = topics.remove(&topic) {
                            task.abort();
                        }
                    }
                }
            }
            Command::Settle(done) => {
                // A round trip: the server has processed every SUB and UNSUB sent before it.
                match client
                    .request(sync_subject.clone(), Vec::new().into())
                    .await
                {
                    Err(e) if e.kind() == async_nats::client::RequestErrorKind::NoResponders => {}
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "waiting for NATS to take interest"),
                }
                let _ = done.send(());
            }
        }
    }
}

async fn forward(mut sub: async_nats::Subscriber, tx: broadcast::Sender<Arc<Event>>) {
    while let Some(message) = sub.next().await {
        match serde_json::from_slice::<Event>(&message.payload) {
            Ok(event) => {
                let _ = tx.send(Arc::new(event));
            }
            Err(e) => tracing::error!(error = %e, subject = %message.subject, "undecodable event"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_core::{ChannelId, GuildId, Permissions, Snowflake, UserId};

    #[test]
    fn subjects_follow_the_audience() {
        let (g, c, u) = (
            GuildId(Snowflake(1)),
            ChannelId(Snowflake(2)),
            UserId(Snowflake(3)),
        );
        let p = Permissions::BAN_MEMBERS;
        let of = |a: Audience| subject("h", &a);
        assert_eq!(of(Audience::Guild { guild_id: g }).unwrap(), "h.g.1.all");
        assert_eq!(
            of(Audience::GuildPermission {
                guild_id: g,
                permission: p
            })
            .unwrap(),
            "h.g.1.all"
        );
        assert_eq!(
            of(Audience::Channel {
                guild_id: g,
                channel_id: c
            })
            .unwrap(),
            "h.g.1.c.2"
        );
        assert_eq!(
            of(Audience::ChannelPermission {
                guild_id: g,
                channel_id: c,
                permission: p
            })
            .unwrap(),
            "h.g.1.c.2"
        );
        assert_eq!(of(Audience::User { user_id: u }).unwrap(), "h.u.3");
        assert_eq!(of(Audience::Nobody), None);
        assert_eq!(topic_subject("h", Topic::Guild(g)), "h.g.1.>");
        assert_eq!(topic_subject("h", Topic::User(u)), "h.u.3");
    }
}

//! Stored records to wire objects: the shared conversions, and messages (which need their
//! authors and replied-to messages loaded).

use std::collections::HashMap;

use hearth_core::{Timestamp, UserId};
pub use hearth_gateway::wire::*;
use hearth_protocol::objects as wire;
use hearth_store as db;

use crate::{ApiResult, AppState};

/// `reference_kind` of a forward.
pub const FORWARD: i64 = 1;

/// Turns messages into wire objects, loading each author (and replied-to message) once.
#[derive(Debug)]
pub struct MessageRenderer<'a> {
    state: &'a AppState,
    channel: &'a db::Channel,
    users: HashMap<UserId, Option<db::User>>,
}

impl<'a> MessageRenderer<'a> {
    /// A renderer for messages of `channel`.
    pub fn new(state: &'a AppState, channel: &'a db::Channel) -> Self {
        MessageRenderer {
            state,
            channel,
            users: HashMap::new(),
        }
    }

    /// Knows `user` already (the caller, who authored what they post or edit).
    pub fn knowing(mut self, user: &db::User) -> Self {
        self.users.insert(user.id, Some(user.clone()));
        self
    }

    async fn author(&mut self, user_id: UserId) -> ApiResult<Option<db::User>> {
        if let Some(u) = self.users.get(&user_id) {
            return Ok(u.clone());
        }
        let u = self.state.store.fetch_user(user_id).await?;
        self.users.insert(user_id, u.clone());
        Ok(u)
    }

    fn base(&self, m: &db::Message, author: &db::User) -> wire::Message {
        wire::Message {
            id: m.id,
            channel_id: m.channel_id,
            guild_id: self.channel.guild_id,
            kind: m.kind,
            content: m.content.clone(),
            author: user(author),
            timestamp: Timestamp(m.id.unix_millis() as i64 * 1000),
            edited_timestamp: m.edited_at.map(Timestamp),
            tts: m.tts,
            mention_everyone: m.mention_everyone,
            mentions: Vec::new(),
            mention_roles: db::id_list(&m.mention_role_ids),
            attachments: Vec::new(),
            embeds: serde_json::from_str(&m.embeds).unwrap_or_default(),
            components: Vec::new(),
            pinned: false,
            flags: m.flags,
            nonce: m.nonce.clone(),
            channel_type: self.channel.kind,
            message_reference: m.reference_message_id.map(|mid| wire::MessageReference {
                kind: if m.reference_kind == FORWARD { 1 } else { 0 },
                message_id: mid,
                channel_id: m.reference_channel_id.unwrap_or(m.channel_id),
                guild_id: m.reference_guild_id,
            }),
            referenced_message: None,
            message_snapshots: Vec::new(),
            reactions: Vec::new(),
        }
    }

    /// A forward as the wire shows it: no text of its own, the forwarded message's (copied
    /// when it was forwarded) in `message_snapshots`.
    fn forward(&self, m: &db::Message, author: &db::User) -> wire::Message {
        let mut out = self.base(m, author);
        let snapshot = wire::SnapshotMessage {
            kind: 0,
            content: std::mem::take(&mut out.content),
            embeds: std::mem::take(&mut out.embeds),
            attachments: Vec::new(),
            timestamp: Timestamp(
                m.reference_message_id
                    .map_or(0, |id| id.unix_millis() as i64 * 1000),
            ),
            edited_timestamp: None,
            flags: 0,
            mentions: Vec::new(),
            mention_roles: Vec::new(),
        };
        out.message_snapshots = vec![wire::MessageSnapshot { message: snapshot }];
        out
    }

    /// The users a message mentions that still exist, each loaded once per renderer.
    async fn mentioned(&mut self, m: &db::Message) -> ApiResult<Vec<wire::User>> {
        let mut out = Vec::new();
        for id in db::id_list::<UserId>(&m.mention_user_ids) {
            if let Some(u) = self.author(id).await? {
                out.push(user(&u));
            }
        }
        Ok(out)
    }

    /// One message, with the message it replies to.
    pub async fn render(&mut self, m: &db::Message) -> ApiResult<wire::Message> {
        let author = self
            .author(m.author_id)
            .await?
            .unwrap_or_else(|| deleted_user(m.author_id));
        if m.reference_kind == FORWARD {
            return Ok(self.forward(m, &author));
        }
        let mut out = self.base(m, &author);
        out.mentions = self.mentioned(m).await?;
        if let Some(ref_id) = m.reference_message_id {
            let ref_channel = m.reference_channel_id.unwrap_or(m.channel_id);
            let target = self.state.store.fetch_message(ref_channel, ref_id).await?;
            let rendered = match target {
                Some(t) => {
                    let a = self
                        .author(t.author_id)
                        .await?
                        .unwrap_or_else(|| deleted_user(t.author_id));
                    let mut replied = self.base(&t, &a);
                    replied.mentions = self.mentioned(&t).await?;
                    Some(Box::new(replied))
                }
                None => None,
            };
            out.referenced_message = Some(rendered);
        }
        Ok(out)
    }

    /// Several messages, in the given order.
    pub async fn render_all(&mut self, ms: &[db::Message]) -> ApiResult<Vec<wire::Message>> {
        let mut out = Vec::with_capacity(ms.len());
        for m in ms {
            out.push(self.render(m).await?);
        }
        Ok(out)
    }

    /// Fills in the `reactions` of rendered messages of this channel as `viewer` sees them
    /// (`me`): one read for the whole page, none for an empty one.
    pub async fn with_reactions(&self, out: &mut [wire::Message], viewer: UserId) -> ApiResult<()> {
        if out.is_empty() {
            return Ok(());
        }
        let ids: Vec<_> = out.iter().map(|m| m.id).collect();
        let counts = self
            .state
            .store
            .fetch_reaction_counts(self.channel.id, &ids, viewer)
            .await?;
        if counts.is_empty() {
            return Ok(());
        }
        let mut by_message: HashMap<_, Vec<wire::Reaction>> = HashMap::new();
        for c in counts {
            by_message
                .entry(c.message_id)
                .or_default()
                .push(wire::Reaction::normal(&c.emoji, c.count, c.me > 0));
        }
        for m in out.iter_mut() {
            if let Some(r) = by_message.remove(&m.id) {
                m.reactions = r;
            }
        }
        Ok(())
    }
}

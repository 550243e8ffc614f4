//! Starting a session: IDENTIFY (checks, READY, the guilds' GUILD_CREATE, registration in the
//! hub) and RESUME (taking over a session the hub still holds).

use std::sync::Arc;

use hearth_core::{GuildId, UserId};
use hearth_protocol::events::{Event, FriendPresence, SessionDispatch};
use hearth_protocol::objects::Relationship;
use hearth_state::GuildState;
use hearth_store::{StoreError, User};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{Connection, Control, Refusal};
use crate::hub::{Frame, GuildViews, Session};
use crate::payload::{self, close, intents, op};
use crate::{presence, wire, GatewayConfig};

#[derive(Deserialize)]
struct Identify {
    token: String,
    #[serde(default)]
    properties: Value,
    #[serde(default)]
    presence: Option<Value>,
    #[serde(default)]
    intents: Option<u64>,
    #[serde(default)]
    large_threshold: Option<i64>,
    #[serde(default)]
    shard: Option<[u64; 2]>,
}

/// What READY lists of the account itself, read before it is built.
struct Account {
    /// Its DMs and group DMs.
    private: Vec<hearth_protocol::objects::PrivateChannel>,
    /// A person's relationships.
    relationships: Vec<Relationship>,
    /// A person's settings (`{}` for a bot).
    settings: Value,
    /// The presences of a person's friends who are visibly online.
    presences: Vec<FriendPresence>,
    /// A person's notification settings and channel preferences.
    guild_settings: hearth_protocol::guild_settings::ReadyGuildSettings,
}

#[derive(Deserialize)]
struct Resume {
    token: String,
    session_id: String,
    #[serde(default)]
    seq: Option<u64>,
}

/// A store failure during IDENTIFY: logged, and the client is asked to try again.
fn failed(e: StoreError) -> Refusal {
    tracing::error!(error = %e, "gateway identify");
    (close::UNKNOWN_ERROR, "try again")
}

/// The intents the session gets: those asked for, or all of them for a user account that names
/// none. Refused when unknown bits are set, when a bot asks for none, or for privileged ones
/// the configuration keeps from bots; and when the client asks for a shard other than the one.
fn granted_intents(body: &Identify, user: &User, config: &GatewayConfig) -> Result<u64, Refusal> {
    let wanted = match body.intents {
        Some(bits) => bits,
        None if user.bot => return Err((close::INVALID_INTENTS, "intents are required")),
        None => intents::ALL,
    };
    if wanted & !intents::ALL != 0 {
        return Err((close::INVALID_INTENTS, "invalid intents"));
    }
    if user.bot && !config.allow_privileged_intents && wanted & intents::PRIVILEGED != 0 {
        return Err((close::DISALLOWED_INTENTS, "disallowed intents"));
    }
    if body
        .shard
        .is_some_and(|[shard, count]| count != 1 || shard != 0)
    {
        return Err((close::INVALID_SHARD, "this server runs one shard"));
    }
    Ok(wanted)
}

impl Connection {
    pub(super) async fn identify(&mut self, d: Value) -> Result<(), Refusal> {
        let body: Identify =
            serde_json::from_value(d).map_err(|_| (close::DECODE_ERROR, "invalid identify"))?;
        let (user, hash) = self.authenticate(&body.token).await?;
        let wanted = granted_intents(&body, &user, &self.hub.config)?;
        let large = body.large_threshold.unwrap_or(50).clamp(50, 250);
        let user_id = user.id;
        let guilds = payload::user_guild_ids(self.hub.store.as_ref(), user_id)
            .await
            .map_err(failed)?;
        // Subscribed before the state is read: whatever commits after the read reaches us.
        let hold = self.hub.hold_interest(user_id, &guilds).await;
        let store = self.hub.store.as_ref();
        let private = self.private_channels(user_id).await?;
        let private_ids: Vec<_> = private.iter().map(|c| c.id).collect();
        let account = Account {
            private,
            relationships: payload::relationships(store, &user).await.map_err(failed)?,
            settings: payload::user_settings(store, &user).await.map_err(failed)?,
            presences: if user.bot || wanted & intents::GUILD_PRESENCES == 0 {
                Vec::new()
            } else {
                self.hub.friend_presences(user_id).await.map_err(failed)?
            },
            guild_settings: payload::guild_settings(store, &user, &guilds, &private_ids)
                .await
                .map_err(failed)?,
        };
        let session = Session::new(user_id, user.bot, wanted, hash, large);
        let ready = self.ready(&user, &guilds, &account, &session, body.shard);
        let mut first = vec![Frame::new(SessionDispatch::Ready.name(), &ready)];
        let views = self
            .guild_creates(user_id, &guilds, wanted, large, &mut first)
            .await?;
        self.hub.register(session.clone(), &guilds, first, views);
        drop(hold);
        let update = body.presence.as_ref().and_then(presence::parse_update);
        self.device = presence::device_kind(&body.properties);
        self.hub.set_presence(&session, update, self.device);
        session
            .attach(self.id, 0)
            .map_err(|_| (close::UNKNOWN_ERROR, "try again"))?;
        let _ = self.ctl.send(Control::Attach(session.clone())).await;
        self.session = Some(session);
        Ok(())
    }

    /// The account's DMs and group DMs, as READY lists them.
    async fn private_channels(
        &self,
        user_id: UserId,
    ) -> Result<Vec<hearth_protocol::objects::PrivateChannel>, Refusal> {
        let store = self.hub.store.as_ref();
        let channels = store
            .fetch_private_channels(user_id)
            .await
            .map_err(failed)?;
        let users = wire::recipients(store, &channels).await.map_err(failed)?;
        Ok(channels
            .iter()
            .map(|pc| wire::private_channel(pc, user_id, &users))
            .collect())
    }

    /// READY's `d`: the account, its guilds (unavailable until their GUILD_CREATE), its
    /// private channels, relationships and settings, the session and where to resume it.
    fn ready(
        &self,
        user: &User,
        guilds: &[GuildId],
        account: &Account,
        session: &Session,
        shard: Option<[u64; 2]>,
    ) -> Value {
        let mut ready = json!({
            "v": 10,
            "user": wire::current_user(user),
            "guilds": guilds.iter().map(|g| json!({"id": g, "unavailable": true})).collect::<Vec<_>>(),
            "session_id": session.id,
            "resume_gateway_url": self.resume_url,
            "session_type": "normal",
            "user_settings": account.settings,
            "user_guild_settings": account.guild_settings,
            "_trace": ["hearth"],
            "private_channels": account.private,
            "relationships": account.relationships,
            // Friends' presences (guild members' are in GUILD_CREATE).
            "presences": account.presences,
            // Discord sends these in every READY and some libraries iterate them unchecked.
            // hearth has no join requests or voice regions yet, so each is empty.
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
        });
        if user.bot {
            ready["application"] = json!({"id": session.user_id, "flags": 0});
        }
        if let Some(shard) = shard {
            ready["shard"] = json!(shard);
        }
        ready
    }

    /// Takes each guild's state (the node's, shared with REST) for the hub to decide visibility
    /// from, and, with the
    /// GUILDS intent, appends each guild's GUILD_CREATE (with its presences under
    /// GUILD_PRESENCES) to the session's first frames.
    async fn guild_creates(
        &self,
        user_id: UserId,
        guilds: &[GuildId],
        wanted: u64,
        large: i64,
        first: &mut Vec<Arc<Frame>>,
    ) -> Result<GuildViews, Refusal> {
        let with_presences =
            wanted & intents::GUILDS != 0 && wanted & intents::GUILD_PRESENCES != 0;
        let mut presences = if with_presences {
            self.hub.guild_presences(guilds).await.map_err(failed)?
        } else {
            Default::default()
        };
        // Each guild's state is read whatever the intents: the hub decides from it who may see
        // which channel.
        let store = self.hub.store.clone();
        let mut views = GuildViews::default();
        for g in guilds {
            // The node's state of the guild (read now if not kept yet), knowing this member.
            let kept = self.hub.states.guild(*g).await.map_err(failed)?;
            let Some(v) = payload::guild_create(store.as_ref(), *g, user_id, large)
                .await
                .map_err(failed)?
            else {
                continue;
            };
            let view = match kept {
                Some(view) => view,
                None => self.hub.states.install(GuildState::from_guild_create(&v)),
            };
            self.hub
                .states
                .meet(*g, &view, user_id)
                .await
                .map_err(failed)?;
            let mut v = views.add(view, &v, user_id);
            if wanted & intents::GUILDS != 0 {
                if with_presences {
                    v.presences = presences.remove(g).unwrap_or_default();
                }
                let available = Event::GuildCreate {
                    user_id,
                    guild: Box::new(v),
                };
                first.extend(Frame::dispatch(&available));
            }
        }
        Ok(views)
    }

    pub(super) async fn resume(&mut self, d: Value) -> Result<(), Refusal> {
        let body: Resume =
            serde_json::from_value(d).map_err(|_| (close::DECODE_ERROR, "invalid resume"))?;
        let (user, hash) = self.authenticate(&body.token).await?;
        let found = self
            .hub
            .find(&body.session_id)
            .filter(|s| s.token_hash == hash && s.user_id == user.id);
        let Some(session) = found else {
            self.send(json!({"op": op::INVALID_SESSION, "d": false}))
                .await;
            return Ok(());
        };
        if session.attach(self.id, body.seq.unwrap_or(0)).is_err() {
            self.hub.remove(&session.id);
            self.send(json!({"op": op::INVALID_SESSION, "d": false}))
                .await;
            return Ok(());
        }
        self.hub.reattach(&session);
        self.hub.send_to(
            &session,
            Frame::new(SessionDispatch::Resumed.name(), &json!({})),
        );
        let _ = self.ctl.send(Control::Attach(session.clone())).await;
        self.session = Some(session);
        Ok(())
    }
}

//! Directed invites as the API shows and announces them, and the purge of expired invites of
//! both kinds (shared by the `directed_invites` handlers and the server's background task).
//!
//! A directed invite's events go to its two users only, each published once per user
//! ([`hearth_protocol::events::Audience::User`]), so that a cluster node holding sessions of
//! both delivers each once.

use std::collections::BTreeMap;

use hearth_core::{DirectedInviteStatus, GuildId, Permissions, Timestamp};
use hearth_protocol::events::{Event, InviteDelete};
use hearth_protocol::objects::{DirectedInvite, DirectedInviteChannel, DirectedInviteGuild};
use hearth_store as db;

use crate::change::Change;
use crate::{convert, ApiError, ApiResult, AppState};

/// A stored directed invite as its users see it. An invite whose guild, channel or users are
/// gone (deleted meanwhile) is unknown.
pub async fn render(state: &AppState, i: &db::DirectedInvite) -> ApiResult<DirectedInvite> {
    let guild = state
        .store
        .fetch_guild(i.guild_id)
        .await?
        .ok_or(ApiError::UnknownInvite)?;
    let channel = match i.channel_id {
        Some(id) => {
            let c = state
                .store
                .fetch_channel(id)
                .await?
                .ok_or(ApiError::UnknownInvite)?;
            Some(DirectedInviteChannel {
                id: c.id,
                name: c.name,
                kind: c.kind,
            })
        }
        None => None,
    };
    let user = |id| async move {
        state
            .store
            .fetch_user(id)
            .await?
            .map(|u| convert::user(&u))
            .ok_or(ApiError::UnknownInvite)
    };
    Ok(DirectedInvite {
        id: i.id,
        guild: DirectedInviteGuild {
            id: guild.id,
            name: guild.name,
            icon: guild.icon,
        },
        channel,
        sender: user(i.sender_id).await?,
        recipient: user(i.recipient_id).await?,
        message: i.message.clone(),
        permissions: Permissions(i.permissions as u64),
        status: i.status,
        created_at: Timestamp(i.created_at),
        expires_at: i.expires_at.map(Timestamp),
        resolved_at: i.resolved_at.map(Timestamp),
    })
}

/// The event of a created invite (`created`) or of one that changed, once for each of its
/// two users.
pub fn announce(invite: &DirectedInvite, created: bool) -> [Event; 2] {
    [invite.sender.id, invite.recipient.id].map(|user_id| {
        let invite = Box::new(invite.clone());
        if created {
            Event::DirectedInviteCreate { user_id, invite }
        } else {
            Event::DirectedInviteUpdate { user_id, invite }
        }
    })
}

/// Marks a pending invite found past its expiry as expired now (before the purge reaches it)
/// and announces it, under its guild's ordering lock.
pub async fn expire_one(state: &AppState, i: &db::DirectedInvite) -> ApiResult<()> {
    let mut change = Change::begin(state, i.guild_id).await;
    let done = state
        .store
        .resolve_directed_invite(i.id, DirectedInviteStatus::Expired, Timestamp::now())
        .await?;
    if let Some(done) = done {
        change.publish_all(announce(&render(state, &done).await?, false));
    }
    change.done().await
}

/// What one purge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Code invites deleted.
    pub codes: usize,
    /// Directed invites expired.
    pub directed: usize,
}

/// Purges what expired by `now`: code invites are deleted (INVITE_DELETE to those who may manage
/// their channel, as Discord sends when one expires) and pending directed invites become
/// expired (DIRECTED_INVITE_UPDATE to both users). Safe on every node of a cluster at once: the
/// store hands each invite to one purge only, whose node alone announces it.
pub async fn purge_expired(state: &AppState, now: Timestamp) -> ApiResult<Purged> {
    let codes = state.store.delete_expired_invites(now).await?;
    let expired = state.store.expire_directed_invites(now).await?;
    let mut by_guild: BTreeMap<GuildId, Vec<Event>> = BTreeMap::new();
    for i in &codes {
        by_guild
            .entry(i.guild_id)
            .or_default()
            .push(Event::InviteDelete(InviteDelete {
                channel_id: i.channel_id,
                guild_id: i.guild_id,
                code: i.code.clone(),
            }));
    }
    for i in &expired {
        // One whose guild or users went meanwhile has no one left to tell.
        match render(state, i).await {
            Ok(out) => by_guild
                .entry(i.guild_id)
                .or_default()
                .extend(announce(&out, false)),
            Err(ApiError::UnknownInvite) => {}
            Err(e) => return Err(e),
        }
    }
    // Under each guild's ordering lock, after any change of its invites in progress.
    for (guild_id, events) in by_guild {
        let mut change = Change::begin(state, guild_id).await;
        change.publish_all(events);
        change.done().await?;
    }
    Ok(Purged {
        codes: codes.len(),
        directed: expired.len(),
    })
}

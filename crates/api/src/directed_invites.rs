//! Directed invites (a hearth extension): one person invites another to a guild, or to one
//! channel of it with permissions granted there, with an optional message; the recipient
//! accepts (joining the guild) or declines, the sender (or a MANAGE_GUILD holder) cancels.
//! People only: bots are refused (403, 20001), and cannot be invited (50033).
//!
//! Every change is told to the sessions of the invite's two users only, with
//! DIRECTED_INVITE_CREATE and DIRECTED_INVITE_UPDATE (see [`crate::directed`]); an accepted
//! invite also announces the join like a code invite does (GUILD_MEMBER_ADD to the guild,
//! GUILD_CREATE to the new member, CHANNEL_UPDATE for a channel's new member overwrite).
//! Changes take the guild's ordering lock.

use axum::extract::State;
use hearth_core::names::FieldError;
use hearth_core::{
    ChannelKind, DirectedInviteId, DirectedInviteStatus, GuildId, Permissions, Timestamp,
};
use hearth_protocol::objects::DirectedInvite;
use hearth_protocol::requests::{CreateDirectedInvite, DirectedInvitesQuery, InviteDirection};
use hearth_protocol::ErrorBody;
use hearth_store::{self as db, DirectedInviteAccept, StoreError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::directed::{announce, expire_one, render};
use crate::extract::{errors, Auth, Json, Path, Query};
use crate::overwrite_rules::publish_change;
use crate::{access, convert, events, posting, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_directed_invite))
        .routes(routes!(list_directed_invites))
        .routes(routes!(get_directed_invite, cancel_directed_invite))
        .routes(routes!(accept_directed_invite))
        .routes(routes!(decline_directed_invite))
}

/// Default lifetime: 7 days.
const DEFAULT_MAX_AGE: i64 = 7 * 86_400;
/// Longest lifetime: 30 days.
const MAX_MAX_AGE: i64 = 30 * 86_400;
/// Longest message, in characters.
const MAX_MESSAGE: usize = 1000;

/// What a creation asks for, checked.
struct Checked {
    message: Option<String>,
    permissions: Permissions,
    max_age: i64,
}

fn check_body(body: &CreateDirectedInvite) -> ApiResult<Checked> {
    let mut errs = errors();
    if body.recipient_id.is_some() == body.username.is_some() {
        errs.add(
            "recipient_id",
            FieldError::new(
                "BASE_TYPE_REQUIRED",
                "Exactly one of recipient_id and username is required.",
            ),
        );
    }
    if body
        .username
        .as_ref()
        .is_some_and(|u| !(2..=32).contains(&u.chars().count()))
    {
        errs.add("username", FieldError::bad_length(2, 32));
    }
    let message = body
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    if message
        .as_ref()
        .is_some_and(|m| m.chars().count() > MAX_MESSAGE)
    {
        errs.add("message", FieldError::max_length(MAX_MESSAGE));
    }
    let max_age = body.max_age.unwrap_or(DEFAULT_MAX_AGE);
    if !(0..=MAX_MAX_AGE).contains(&max_age) {
        errs.add(
            "max_age",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 0 and 2592000."),
        );
    }
    let permissions = body.permissions.unwrap_or(Permissions(0));
    if permissions.0 != 0 && body.channel_id.is_none() {
        errs.add(
            "permissions",
            FieldError::new(
                "BASE_TYPE_INVALID",
                "Permissions can only be granted with channel_id.",
            ),
        );
    }
    errs.into_result()?;
    Ok(Checked {
        message,
        permissions,
        max_age,
    })
}

/// The recipient a body names (10013 when none), refused when it is the caller or a bot.
async fn recipient(
    state: &AppState,
    me: &db::User,
    body: &CreateDirectedInvite,
) -> ApiResult<db::User> {
    let found = match (&body.recipient_id, &body.username) {
        (Some(id), _) => state.store.fetch_user(*id).await?,
        (None, Some(name)) => state.store.fetch_person_by_username(name).await?,
        (None, None) => None,
    };
    let user = found.ok_or(ApiError::UnknownUser)?;
    if user.id == me.id || user.bot {
        return Err(ApiError::InvalidRecipient);
    }
    Ok(user)
}

/// Checks that the caller may invite to the guild, or to the channel with these permissions:
/// CREATE_INSTANT_INVITE there; granting permissions also takes MANAGE_ROLES in the channel and
/// only bits the caller holds there (the rule of member overwrites).
async fn check_target(
    state: &AppState,
    me: &db::User,
    guild_id: GuildId,
    body: &CreateDirectedInvite,
    granted: Permissions,
) -> ApiResult<()> {
    let (_, base) = access::guild(state, guild_id, me.id).await?;
    let Some(channel_id) = body.channel_id else {
        return access::require(base, Permissions::CREATE_INSTANT_INVITE);
    };
    // A channel of another guild is unknown here, whether or not the caller could see it.
    state
        .store
        .fetch_channel(channel_id)
        .await?
        .filter(|c| c.guild_id == Some(guild_id))
        .ok_or(ApiError::UnknownChannel)?;
    let a = access::channel_access(state, channel_id, me.id).await?;
    if a.channel.kind != i64::from(ChannelKind::GuildText) {
        return Err(ApiError::WrongChannelType);
    }
    access::require(a.perms, Permissions::CREATE_INSTANT_INVITE)?;
    if granted.0 != 0 {
        access::require(a.perms, Permissions::MANAGE_ROLES)?;
        let held = a.perms | a.caller.base();
        if granted.0 & !held.0 != 0 {
            return Err(ApiError::MissingPermissions);
        }
    }
    Ok(())
}

/// Refuses a recipient who is a member already, banned, or blocked by or blocking the caller.
async fn check_recipient(
    state: &AppState,
    me: &db::User,
    guild_id: GuildId,
    to: &db::User,
) -> ApiResult<()> {
    if state.store.is_blocked(me.id, to.id).await? {
        return Err(ApiError::CannotMessageUser);
    }
    if state.store.fetch_ban(guild_id, to.id).await?.is_some() {
        return Err(ApiError::Banned);
    }
    if state.store.fetch_member(guild_id, to.id).await?.is_some() {
        return Err(ApiError::AlreadyMember);
    }
    Ok(())
}

/// Invites a person to the guild, or to one of its text channels (`channel_id`), granting
/// `permissions` there on acceptance. A pending invite of the caller's to the same person and
/// target is answered instead of a new one (200 either way).
#[utoipa::path(post, path = "/guilds/{guild_id}/directed-invites", tag = "directed invites", params(("guild_id" = GuildId, Path)), request_body = CreateDirectedInvite,
    responses((status = 200, body = DirectedInvite),
        (status = 400, description = "Invalid body (50035), oneself or a bot (50033), a member already (190003), not a text channel (50024).", body = ErrorBody),
        (status = 403, description = "Bots (20001), missing permissions (50013) or access (50001), a blocked person (50007), a banned person (40007).", body = ErrorBody),
        (status = 404, description = "Unknown guild, channel or user.", body = ErrorBody)))]
async fn create_directed_invite(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
    Json(body): Json<CreateDirectedInvite>,
) -> ApiResult<axum::Json<DirectedInvite>> {
    let me = auth.person()?.user;
    let checked = check_body(&body)?;
    let to = recipient(&state, &me, &body).await?;
    let mut change = Change::begin(&state, guild_id).await;
    check_target(&state, &me, guild_id, &body, checked.permissions).await?;
    check_recipient(&state, &me, guild_id, &to).await?;
    let pending = state
        .store
        .fetch_pending_directed_invite(me.id, to.id, guild_id, body.channel_id)
        .await?;
    let now = Timestamp::now();
    if let Some(existing) = pending {
        if !existing.is_expired_at(now.0) {
            return Ok(axum::Json(render(&state, &existing).await?));
        }
        // Expired, not purged yet: it expires now, and the new one takes its place.
        if let Some(done) = state
            .store
            .resolve_directed_invite(existing.id, DirectedInviteStatus::Expired, now)
            .await?
        {
            change.publish_all(announce(&render(&state, &done).await?, false));
        }
    }
    let invite = db::DirectedInvite {
        id: state.ids.next().into(),
        guild_id,
        channel_id: body.channel_id,
        sender_id: me.id,
        recipient_id: to.id,
        permissions: checked.permissions.0 as i64,
        message: checked.message,
        status: DirectedInviteStatus::Pending,
        created_at: now.0,
        expires_at: (checked.max_age > 0).then(|| now.plus_seconds(checked.max_age).0),
        resolved_at: None,
    };
    match state.store.insert_directed_invite(&invite).await {
        Ok(()) => {}
        // (Only under the guild's lock does one arrive meanwhile if another node made it.)
        Err(StoreError::Conflict(_)) => {
            let existing = state
                .store
                .fetch_pending_directed_invite(me.id, to.id, guild_id, body.channel_id)
                .await?
                .ok_or(ApiError::InviteNotPending)?;
            return Ok(axum::Json(render(&state, &existing).await?));
        }
        Err(e) => return Err(e.into()),
    }
    let out = render(&state, &invite).await?;
    change.publish_all(announce(&out, true));
    change.done().await?;
    Ok(axum::Json(out))
}

/// The caller's directed invites, received and sent (or one `direction`), newest first.
#[utoipa::path(get, path = "/users/@me/directed-invites", tag = "directed invites", params(DirectedInvitesQuery),
    responses((status = 200, body = Vec<DirectedInvite>),
        (status = 400, description = "Invalid query (50035).", body = ErrorBody),
        (status = 403, description = "Bots (20001).", body = ErrorBody)))]
async fn list_directed_invites(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DirectedInvitesQuery>,
) -> ApiResult<axum::Json<Vec<DirectedInvite>>> {
    let me = auth.person()?.user;
    let limit = q.limit.unwrap_or(100);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 1 and 200."),
        ));
    }
    let query = db::DirectedInviteQuery {
        user_id: me.id,
        sent: q.direction.map(|d| d == InviteDirection::Sent),
        status: q.status,
        limit,
    };
    let rows = state.store.fetch_directed_invites(&query).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        match render(&state, row).await {
            Ok(i) => out.push(i),
            // Gone meanwhile with its guild or channel.
            Err(ApiError::UnknownInvite) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(axum::Json(out))
}

/// The invite, to its sender or recipient, or to a MANAGE_GUILD holder of its guild; anyone
/// else is told it is unknown (10006).
async fn visible(
    state: &AppState,
    me: &db::User,
    id: DirectedInviteId,
) -> ApiResult<db::DirectedInvite> {
    let invite = state
        .store
        .fetch_directed_invite(id)
        .await?
        .ok_or(ApiError::UnknownInvite)?;
    if invite.is_party(me.id) || manages(state, me, invite.guild_id).await? {
        Ok(invite)
    } else {
        Err(ApiError::UnknownInvite)
    }
}

/// Whether the caller holds MANAGE_GUILD in the guild (false when not a member).
async fn manages(state: &AppState, me: &db::User, guild_id: GuildId) -> ApiResult<bool> {
    match access::guild(state, guild_id, me.id).await {
        Ok((_, perms)) => Ok(perms.contains(Permissions::MANAGE_GUILD)),
        Err(ApiError::UnknownGuild | ApiError::MissingAccess) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Refuses acting on an invite that is no longer pending (190001) or is past its expiry
/// (190002; it is marked expired on the way, and its users told).
async fn require_pending(state: &AppState, invite: &db::DirectedInvite) -> ApiResult<()> {
    if invite.status != DirectedInviteStatus::Pending {
        return Err(ApiError::InviteNotPending);
    }
    if invite.is_expired_at(Timestamp::now().0) {
        expire_one(state, invite).await?;
        return Err(ApiError::InviteExpired);
    }
    Ok(())
}

/// One directed invite.
#[utoipa::path(get, path = "/users/@me/directed-invites/{invite_id}", tag = "directed invites", params(("invite_id" = DirectedInviteId, Path)),
    responses((status = 200, body = DirectedInvite),
        (status = 403, description = "Bots (20001).", body = ErrorBody),
        (status = 404, description = "Unknown, or not the caller's (10006).", body = ErrorBody)))]
async fn get_directed_invite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<DirectedInviteId>,
) -> ApiResult<axum::Json<DirectedInvite>> {
    let me = auth.person()?.user;
    let invite = visible(&state, &me, id).await?;
    Ok(axum::Json(render(&state, &invite).await?))
}

/// Accepts a directed invite (its recipient only): joins the guild, as a code invite does,
/// and for a channel invite allows the granted permissions and VIEW_CHANNEL there.
#[utoipa::path(post, path = "/users/@me/directed-invites/{invite_id}/accept", tag = "directed invites", params(("invite_id" = DirectedInviteId, Path)),
    responses((status = 200, body = DirectedInvite),
        (status = 400, description = "Not pending (190001), expired (190002), a member already (190003).", body = ErrorBody),
        (status = 403, description = "Bots (20001), the sender (50013), banned from the guild (40007).", body = ErrorBody),
        (status = 404, description = "Unknown, or not the caller's (10006).", body = ErrorBody)))]
async fn accept_directed_invite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<DirectedInviteId>,
) -> ApiResult<axum::Json<DirectedInvite>> {
    let me = auth.person()?.user;
    let invite = recipients(&state, &me, id).await?;
    require_pending(&state, &invite).await?;
    let guild_id = invite.guild_id;
    let mut change = Change::begin(&state, guild_id).await;
    let before = match invite.channel_id {
        Some(c) => state.store.fetch_channel_overwrites(c).await?,
        None => Vec::new(),
    };
    let now = Timestamp::now();
    let member = db::Member {
        guild_id,
        user_id: me.id,
        nick: None,
        joined_at: now.0,
        temporary: false,
        communication_disabled_until: None,
        roles: Vec::new(),
        kind: hearth_core::MemberKind::Member,
        guest_expires_at: None,
    };
    let accepted = match state.store.accept_directed_invite(id, &member, now).await? {
        DirectedInviteAccept::Joined(accepted, overwrite) => {
            // The channel's new overwrite first: every node's guild state then knows it when
            // the newcomer's GUILD_CREATE is cut to the channels they may view.
            if let (Some(channel_id), Some(_)) = (accepted.channel_id, overwrite) {
                if let Some(channel) = state.store.fetch_channel(channel_id).await? {
                    let after = state.store.fetch_channel_overwrites(channel_id).await?;
                    publish_change(&mut change, &channel, &before, &after).await?;
                }
            }
            change.publish(events::member_add(
                guild_id,
                convert::member(&member, Some(&me)),
            ));
            change.publish_all(events::guild_gained(&state, me.id, guild_id).await?);
            accepted
        }
        DirectedInviteAccept::AlreadyMember => return Err(ApiError::AlreadyMember),
        DirectedInviteAccept::Banned => return Err(ApiError::Banned),
        DirectedInviteAccept::NotPending => {
            drop(change);
            return Err(not_pending_now(&state, id).await);
        }
    };
    let out = render(&state, &accepted).await?;
    change.publish_all(announce(&out, false));
    change.done().await?;
    posting::welcome(&state, guild_id, &me).await?;
    Ok(axum::Json(out))
}

/// Why an invite that was pending a moment ago could not be answered: it expired (and is
/// marked so now), or someone answered or cancelled it meanwhile.
async fn not_pending_now(state: &AppState, id: DirectedInviteId) -> ApiError {
    match state.store.fetch_directed_invite(id).await {
        Ok(Some(i)) => match require_pending(state, &i).await {
            Err(e) => e,
            Ok(()) => ApiError::InviteNotPending,
        },
        Ok(None) => ApiError::UnknownInvite,
        Err(e) => e.into(),
    }
}

/// The invite for its recipient to answer: 404 (10006) for anyone not party to it, 403
/// (50013) for its sender.
async fn recipients(
    state: &AppState,
    me: &db::User,
    id: DirectedInviteId,
) -> ApiResult<db::DirectedInvite> {
    let invite = state
        .store
        .fetch_directed_invite(id)
        .await?
        .filter(|i| i.is_party(me.id))
        .ok_or(ApiError::UnknownInvite)?;
    if invite.recipient_id != me.id {
        return Err(ApiError::MissingPermissions);
    }
    Ok(invite)
}

/// Declines a directed invite (its recipient only).
#[utoipa::path(post, path = "/users/@me/directed-invites/{invite_id}/decline", tag = "directed invites", params(("invite_id" = DirectedInviteId, Path)),
    responses((status = 200, body = DirectedInvite),
        (status = 400, description = "Not pending (190001), expired (190002).", body = ErrorBody),
        (status = 403, description = "Bots (20001), the sender (50013).", body = ErrorBody),
        (status = 404, description = "Unknown, or not the caller's (10006).", body = ErrorBody)))]
async fn decline_directed_invite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<DirectedInviteId>,
) -> ApiResult<axum::Json<DirectedInvite>> {
    let me = auth.person()?.user;
    let invite = recipients(&state, &me, id).await?;
    resolve(&state, &invite, DirectedInviteStatus::Declined).await
}

/// Cancels a directed invite: its sender, or a MANAGE_GUILD holder of its guild. Answers the
/// invite, cancelled.
#[utoipa::path(delete, path = "/users/@me/directed-invites/{invite_id}", tag = "directed invites", params(("invite_id" = DirectedInviteId, Path)),
    responses((status = 200, body = DirectedInvite),
        (status = 400, description = "Not pending (190001), expired (190002).", body = ErrorBody),
        (status = 403, description = "Bots (20001), the recipient (50013; they decline).", body = ErrorBody),
        (status = 404, description = "Unknown, or not the caller's (10006).", body = ErrorBody)))]
async fn cancel_directed_invite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<DirectedInviteId>,
) -> ApiResult<axum::Json<DirectedInvite>> {
    let me = auth.person()?.user;
    let invite = visible(&state, &me, id).await?;
    if invite.sender_id != me.id && !manages(&state, &me, invite.guild_id).await? {
        return Err(ApiError::MissingPermissions);
    }
    resolve(&state, &invite, DirectedInviteStatus::Cancelled).await
}

/// Declines or cancels a pending invite and tells both its users.
async fn resolve(
    state: &AppState,
    invite: &db::DirectedInvite,
    status: DirectedInviteStatus,
) -> ApiResult<axum::Json<DirectedInvite>> {
    require_pending(state, invite).await?;
    let mut change = Change::begin(state, invite.guild_id).await;
    let Some(done) = state
        .store
        .resolve_directed_invite(invite.id, status, Timestamp::now())
        .await?
    else {
        drop(change);
        return Err(not_pending_now(state, invite.id).await);
    };
    let out = render(state, &done).await?;
    change.publish_all(announce(&out, false));
    change.done().await?;
    Ok(axum::Json(out))
}

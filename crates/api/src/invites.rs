//! Guild invites: 8-character codes with a lifetime and a use limit.

use axum::extract::State;
use hearth_core::names::FieldError;
use hearth_core::{ChannelId, ChannelKind, GuildId, Permissions, Timestamp, UserId};
use hearth_protocol::events::Event;
use hearth_protocol::objects::Invite;
use hearth_protocol::requests::{CreateInvite, InviteQuery};
use hearth_store::{self as db, InviteUse, StoreError};
use rand::Rng;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::extract::{errors, Auth, Json, Path, Query};
use crate::journal::{self, action, changed, Reason};
use crate::{access, convert, events, posting, workspace, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_invite, channel_invites))
        .routes(routes!(guild_invites))
        .routes(routes!(get_invite, accept_invite, delete_invite))
}

const CODE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random 8-character code (62^8 ≈ 2^47 possibilities).
fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..8)
        .map(|_| CODE_CHARS[rng.gen_range(0..CODE_CHARS.len())] as char)
        .collect()
}

/// Codes are letters and digits only; anything else cannot name an invite.
fn plausible_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 32 && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

async fn render(state: &AppState, invite: &db::Invite, with_counts: bool) -> ApiResult<Invite> {
    let gid = invite.guild_id;
    let guild = state
        .store
        .fetch_guild(gid)
        .await?
        .ok_or(ApiError::UnknownInvite)?;
    let channel = state
        .store
        .fetch_channel(invite.channel_id)
        .await?
        .ok_or(ApiError::UnknownInvite)?;
    let inviter = match invite.inviter_id {
        Some(id) => state.store.fetch_user(id).await?,
        None => None,
    };
    let counts = if with_counts {
        Some((
            state.store.count_members(gid).await?,
            state.hub.online_count(gid).await?,
        ))
    } else {
        None
    };
    Ok(convert::invite(
        invite,
        &guild,
        &channel,
        inviter.as_ref(),
        counts,
    ))
}

/// Several invites (listings carry no counts).
async fn render_all(state: &AppState, invites: &[db::Invite]) -> ApiResult<Vec<Invite>> {
    let mut out = Vec::with_capacity(invites.len());
    for i in invites {
        out.push(render(state, i, false).await?);
    }
    Ok(out)
}

/// Creates an invite to a text channel (CREATE_INSTANT_INVITE). Unless `unique`, a valid
/// invite of the caller's with the same settings is returned instead of a new one.
#[utoipa::path(post, path = "/channels/{channel_id}/invites", tag = "invites", params(("channel_id" = ChannelId, Path)), request_body = CreateInvite,
    responses((status = 200, body = Invite), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn create_invite(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(channel_id): Path<ChannelId>,
    Json(body): Json<CreateInvite>,
) -> ApiResult<axum::Json<Invite>> {
    let (first, _) = access::channel(&state, channel_id, auth.id()).await?;
    let guild_id = first.guild_id.ok_or(ApiError::UnknownChannel)?;
    let mut change = Change::begin(&state, guild_id).await;
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::CREATE_INSTANT_INVITE)?;
    if channel.kind != i64::from(ChannelKind::GuildText) {
        return Err(ApiError::WrongChannelType);
    }
    let max_age = body.max_age.unwrap_or(86_400);
    let max_uses = body.max_uses.unwrap_or(0);
    let mut errs = errors();
    if !(0..=604_800).contains(&max_age) {
        errs.add(
            "max_age",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 0 and 604800."),
        );
    }
    if !(0..=100).contains(&max_uses) {
        errs.add(
            "max_uses",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 0 and 100."),
        );
    }
    let guest = body.hearth_guest.unwrap_or(false);
    let guest_ttl = body.hearth_guest_ttl.unwrap_or(0);
    if !(0..=workspace::MAX_GUEST_SECS).contains(&guest_ttl) {
        errs.add(
            "hearth_guest_ttl",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 0 and 31536000."),
        );
    }
    if guest_ttl > 0 && !guest {
        errs.add(
            "hearth_guest_ttl",
            FieldError::new("GUEST_ONLY", "Only a guest invite has a guest lifetime."),
        );
    }
    errs.into_result()?;
    if guest {
        // Admitting guests is a guild setting's worth of power.
        let (_, guild_perms) = access::guild(&state, guild_id, auth.id()).await?;
        access::require(guild_perms, Permissions::MANAGE_GUILD)?;
    }
    let now = Timestamp::now();
    let mut invite = db::Invite {
        code: String::new(),
        guild_id: channel.guild_id.ok_or(ApiError::UnknownChannel)?,
        channel_id: channel.id,
        inviter_id: Some(auth.user.id),
        max_age,
        max_uses,
        uses: 0,
        temporary: body.temporary.unwrap_or(false),
        created_at: now.0,
        expires_at: (max_age > 0).then(|| now.plus_seconds(max_age).0),
        guest,
        guest_ttl,
    };
    if body.unique != Some(true) {
        if let Some(existing) = state.store.fetch_reusable_invite(&invite, now).await? {
            return Ok(axum::Json(render(&state, &existing, false).await?));
        }
    }
    // A clash among 2^47 codes is rare; a few attempts make it practically impossible.
    for attempt in 0.. {
        invite.code = new_code();
        match state.store.insert_invite(&invite).await {
            Ok(()) => break,
            Err(StoreError::Conflict(_)) if attempt < 4 => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let out = render(&state, &invite, false).await?;
    change.publish(events::invite_create(&out));
    audit_invite(&mut change, auth.id(), &reason, &invite, true);
    change.done().await?;
    Ok(axum::Json(out))
}

/// A channel's invites (MANAGE_CHANNELS).
#[utoipa::path(get, path = "/channels/{channel_id}/invites", tag = "invites", params(("channel_id" = ChannelId, Path)),
    responses((status = 200, body = Vec<Invite>), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn channel_invites(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
) -> ApiResult<axum::Json<Vec<Invite>>> {
    let (_, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_CHANNELS)?;
    let invites = state.store.fetch_channel_invites(channel_id).await?;
    Ok(axum::Json(render_all(&state, &invites).await?))
}

/// Records an invite's creation or deletion in the audit log.
fn audit_invite(
    change: &mut Change<'_>,
    actor: UserId,
    reason: &Reason,
    i: &db::Invite,
    created: bool,
) {
    let fields = [
        ("code", json!(i.code)),
        ("channel_id", json!(i.channel_id.to_string())),
        ("inviter_id", json!(i.inviter_id.map(|u| u.to_string()))),
        ("uses", json!(i.uses)),
        ("max_uses", json!(i.max_uses)),
        ("max_age", json!(i.max_age)),
        ("temporary", json!(i.temporary)),
    ];
    let changes = fields
        .into_iter()
        .map(|(k, v)| {
            if created {
                changed(k, None, Some(v))
            } else {
                changed(k, Some(v), None)
            }
        })
        .collect();
    let entry = journal::Entry {
        guild_id: i.guild_id,
        actor,
        target: None,
        action: if created {
            action::INVITE_CREATE
        } else {
            action::INVITE_DELETE
        },
        changes,
        options: None,
        reason,
    };
    change.record(entry);
}

/// A guild's invites (MANAGE_GUILD).
#[utoipa::path(get, path = "/guilds/{guild_id}/invites", tag = "invites", params(("guild_id" = GuildId, Path)),
    responses((status = 200, body = Vec<Invite>), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn guild_invites(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
) -> ApiResult<axum::Json<Vec<Invite>>> {
    let (_, perms) = access::guild(&state, guild_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_GUILD)?;
    let caller = access::caller(&state, guild_id, auth.id()).await?;
    let all = state.store.fetch_guild_overwrites(guild_id).await?;
    // Invites to channels hidden from the caller are left out, like the channels themselves.
    let invites: Vec<db::Invite> = state
        .store
        .fetch_guild_invites(guild_id)
        .await?
        .into_iter()
        .filter(|i| {
            let mine: Vec<db::Overwrite> = all
                .iter()
                .filter(|o| o.channel_id == i.channel_id)
                .cloned()
                .collect();
            caller.in_channel(&mine).contains(Permissions::VIEW_CHANNEL)
        })
        .collect();
    Ok(axum::Json(render_all(&state, &invites).await?))
}

/// An invite by code (no authentication needed); expired or used-up invites are unknown.
#[utoipa::path(get, path = "/invites/{code}", tag = "invites", security(()), params(("code" = String, Path), InviteQuery),
    responses((status = 200, body = Invite), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_invite(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<InviteQuery>,
) -> ApiResult<axum::Json<Invite>> {
    if !plausible_code(&code) {
        return Err(ApiError::UnknownInvite);
    }
    let invite = state
        .store
        .fetch_invite(&code)
        .await?
        .ok_or(ApiError::UnknownInvite)?;
    if !invite.is_valid_at(Timestamp::now().0) {
        return Err(ApiError::UnknownInvite);
    }
    Ok(axum::Json(
        render(&state, &invite, q.with_counts == Some(true)).await?,
    ))
}

/// Joins the invite's guild (people only). Already a member: nothing changes, no use counted.
/// A user banned from the guild is refused (40007).
#[utoipa::path(post, path = "/invites/{code}", tag = "invites", params(("code" = String, Path)),
    responses((status = 200, body = Invite), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn accept_invite(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<Invite>> {
    let auth = auth.person()?;
    if !plausible_code(&code) {
        return Err(ApiError::UnknownInvite);
    }
    let invite = state
        .store
        .fetch_invite(&code)
        .await?
        .ok_or(ApiError::UnknownInvite)?;
    let guild_id = invite.guild_id;
    let mut change = Change::begin(&state, guild_id).await;
    let now = Timestamp::now();
    let member = db::Member {
        guild_id: invite.guild_id,
        user_id: auth.user.id,
        nick: None,
        joined_at: now.0,
        temporary: invite.temporary,
        communication_disabled_until: None,
        roles: Vec::new(),
        kind: hearth_core::MemberKind::Member,
        guest_expires_at: None,
    };
    let mut welcome = false;
    let used = match state.store.use_invite(&code, &member, now).await? {
        InviteUse::Joined(i) => {
            // A guest invite wrote the guest's kind, expiry and channel: read them back.
            let joined = if i.guest {
                state.store.fetch_member(guild_id, auth.id()).await?
            } else {
                None
            };
            let joined = joined.unwrap_or(member);
            change.publish(events::member_add(
                guild_id,
                convert::member(&joined, Some(&auth.user)),
            ));
            if i.guest {
                // The channel's new overwrite, giving it to the guest.
                if let Some(channel) = state.store.fetch_channel(i.channel_id).await? {
                    let overwrites = state.store.fetch_channel_overwrites(channel.id).await?;
                    change.publish(Event::ChannelUpdate(Box::new(convert::channel(
                        &channel,
                        &overwrites,
                    ))));
                }
            }
            change.publish_all(events::guild_gained(&state, auth.id(), guild_id).await?);
            welcome = !i.guest;
            i
        }
        InviteUse::AlreadyMember(i) => i,
        InviteUse::Invalid => return Err(ApiError::UnknownInvite),
        InviteUse::Banned => return Err(ApiError::Banned),
    };
    change.done().await?;
    if welcome {
        posting::welcome(&state, guild_id, &auth.user).await?;
    }
    Ok(axum::Json(render(&state, &used, false).await?))
}

/// Deletes an invite (MANAGE_CHANNELS on its channel, or MANAGE_GUILD); answers what it was.
#[utoipa::path(delete, path = "/invites/{code}", tag = "invites", params(("code" = String, Path)),
    responses((status = 200, body = Invite), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn delete_invite(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<Invite>> {
    if !plausible_code(&code) {
        return Err(ApiError::UnknownInvite);
    }
    let invite = state
        .store
        .fetch_invite(&code)
        .await?
        .ok_or(ApiError::UnknownInvite)?;
    let guild_id = invite.guild_id;
    let mut change = Change::begin(&state, guild_id).await;
    let (_, perms) = access::guild(&state, guild_id, auth.id()).await?;
    let caller = access::caller(&state, guild_id, auth.id()).await?;
    let overwrites = state
        .store
        .fetch_channel_overwrites(invite.channel_id)
        .await?;
    let in_channel = caller.in_channel(&overwrites);
    if !in_channel.contains(Permissions::MANAGE_CHANNELS)
        && !perms.contains(Permissions::MANAGE_GUILD)
    {
        return Err(ApiError::MissingPermissions);
    }
    let rendered = render(&state, &invite, false).await?;
    state
        .store
        .delete_invite(&code)
        .await?
        .ok_or(ApiError::UnknownInvite)?;
    change.publish(events::invite_delete(&rendered));
    audit_invite(&mut change, auth.id(), &reason, &invite, false);
    change.done().await?;
    Ok(axum::Json(rendered))
}

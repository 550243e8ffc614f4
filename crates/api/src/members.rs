//! `/guilds/{id}/members`: list and read members.

use axum::extract::State;
use hearth_core::names::FieldError;
use hearth_core::{GuildId, MemberKind, RoleId, UserId};
use hearth_core::{Permissions, Timestamp};
use hearth_protocol::objects::Member;
use hearth_protocol::requests::{MembersQuery, ModifyMember};
use hearth_store as db;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actor::Actor;
use crate::change::Change;
use crate::error::FormErrors;
use crate::extract::{errors, Auth, Json, Path, Query};
use crate::journal::{self, action, changed, Reason};
use crate::{access, convert, events, workspace, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members))
        .routes(routes!(get_member, modify_member))
        .routes(routes!(modify_me))
}

/// Members by ascending user id (`limit` 1-1000, default 1; `after` a user id).
#[utoipa::path(get, path = "/guilds/{guild_id}/members", tag = "members", params(("guild_id" = GuildId, Path), MembersQuery),
    responses((status = 200, body = Vec<Member>), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
    Query(q): Query<MembersQuery>,
) -> ApiResult<axum::Json<Vec<Member>>> {
    let limit = q.limit.unwrap_or(1);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 1 and 1000."),
        ));
    }
    access::guild(&state, guild_id, auth.id()).await?;
    let members = state
        .store
        .fetch_members(guild_id, q.after.unwrap_or_default(), limit)
        .await?;
    Ok(axum::Json(
        members
            .iter()
            .map(|(m, u)| convert::member(m, Some(u)))
            .collect(),
    ))
}

/// One member.
#[utoipa::path(get, path = "/guilds/{guild_id}/members/{user_id}", tag = "members",
    params(("guild_id" = GuildId, Path), ("user_id" = UserId, Path)),
    responses((status = 200, body = hearth_protocol::objects::MemberWithJoin), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((guild_id, user_id)): Path<(GuildId, UserId)>,
) -> ApiResult<axum::Json<hearth_protocol::objects::MemberWithJoin>> {
    let (_, perms) = access::guild(&state, guild_id, auth.id()).await?;
    let member = state
        .store
        .fetch_member(guild_id, user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    let user = state
        .store
        .fetch_user(user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    // How the member joined: for those who manage the guild (a hearth extension).
    let joined_via = if perms.contains(Permissions::MANAGE_GUILD) {
        let by = state.store.fetch_joined_by(guild_id, user_id).await?;
        by.map(|b| hearth_protocol::objects::JoinedVia {
            code: b.code,
            directed_invite_id: b.invite_id,
        })
    } else {
        None
    };
    Ok(axum::Json(hearth_protocol::objects::MemberWithJoin {
        member: convert::member(&member, Some(&user)),
        joined_via,
    }))
}

/// Longest timeout: 28 days.
const MAX_TIMEOUT_SECS: i64 = 28 * 24 * 3600;

/// Changes a member: `nick` (MANAGE_NICKNAMES, or CHANGE_NICKNAME for oneself), `roles`
/// (MANAGE_ROLES; every role given or taken below the caller's highest, none a bot's own) and
/// `communication_disabled_until` (MODERATE_MEMBERS). Acting on another member's nick or
/// timeout needs a higher rank than theirs; the owner and administrators cannot be timed out.
#[utoipa::path(patch, path = "/guilds/{guild_id}/members/{user_id}", tag = "members",
    params(("guild_id" = GuildId, Path), ("user_id" = UserId, Path)), request_body = ModifyMember,
    responses((status = 200, body = Member), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn modify_member(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((guild_id, user_id)): Path<(GuildId, UserId)>,
    Json(body): Json<ModifyMember>,
) -> ApiResult<axum::Json<Member>> {
    change_member(&state, auth.id(), guild_id, user_id, body, &reason).await
}

/// Changes the caller's own nickname (CHANGE_NICKNAME).
#[utoipa::path(patch, path = "/guilds/{guild_id}/members/@me", tag = "members", operation_id = "modify_current_member",
    params(("guild_id" = GuildId, Path)), request_body = ModifyMember,
    responses((status = 200, body = Member), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn modify_me(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(guild_id): Path<GuildId>,
    Json(body): Json<ModifyMember>,
) -> ApiResult<axum::Json<Member>> {
    let only_nick = ModifyMember {
        nick: body.nick,
        ..ModifyMember::default()
    };
    change_member(&state, auth.id(), guild_id, auth.id(), only_nick, &reason).await
}

/// A checked member change.
struct MemberChange {
    patch: db::MemberPatch,
    /// Audit changes of the nick and the timeout.
    changes: Vec<serde_json::Value>,
    added: Vec<RoleId>,
    removed: Vec<RoleId>,
}

/// Checks a member change against the caller's permissions and rank.
fn check_change(
    actor: &Actor,
    me: UserId,
    target: &db::Member,
    body: &ModifyMember,
) -> ApiResult<MemberChange> {
    let mut errs = errors();
    let mut out = MemberChange {
        patch: db::MemberPatch::default(),
        changes: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
    };
    let outranks = actor.rank.manages_member(actor.rank_of(target));
    let myself = target.user_id == me;
    if let Some(nick) = &body.nick {
        let may_rename = if myself {
            actor.perms.contains(Permissions::CHANGE_NICKNAME)
                || actor.perms.contains(Permissions::MANAGE_NICKNAMES)
        } else {
            actor.perms.contains(Permissions::MANAGE_NICKNAMES) && outranks
        };
        out.nick(target, nick.as_deref(), may_rename, &mut errs)?;
    }
    if let Some(roles) = &body.roles {
        out.roles(actor, target, roles, &mut errs)?;
    }
    if let Some(until) = &body.communication_disabled_until {
        let may_time_out = outranks && !myself;
        out.timeout(actor, target, until.as_deref(), may_time_out, &mut errs)?;
    }
    if body.hearth_kind.is_some() || body.hearth_guest_expires_at.is_some() {
        access::require(actor.perms, Permissions::MANAGE_GUILD)?;
        if !outranks || myself {
            return Err(ApiError::MissingPermissions);
        }
        out.guest(target, body, &mut errs);
    }
    errs.into_result()?;
    Ok(out)
}

impl MemberChange {
    /// A new nickname (blank removes it; at most 32 characters), if the caller may set it.
    fn nick(
        &mut self,
        target: &db::Member,
        nick: Option<&str>,
        may_rename: bool,
        errs: &mut FormErrors,
    ) -> ApiResult<()> {
        let nick = nick.map(str::trim).filter(|n| !n.is_empty());
        if nick.is_some_and(|n| n.chars().count() > 32) {
            errs.add("nick", FieldError::bad_length(1, 32));
        }
        if !may_rename {
            return Err(ApiError::MissingPermissions);
        }
        if nick != target.nick.as_deref() {
            self.changes.push(changed(
                "nick",
                target.nick.clone().map(Into::into),
                nick.map(Into::into),
            ));
            self.patch.nick = Some(nick.map(str::to_owned));
        }
        Ok(())
    }

    /// The member's whole role list (MANAGE_ROLES): every role must exist (not @everyone),
    /// and each one added or removed must be below the caller's highest and not managed.
    fn roles(
        &mut self,
        actor: &Actor,
        target: &db::Member,
        roles: &[RoleId],
        errs: &mut FormErrors,
    ) -> ApiResult<()> {
        access::require(actor.perms, Permissions::MANAGE_ROLES)?;
        let wanted: Vec<RoleId> = roles.to_vec();
        for id in &wanted {
            if actor.role(*id).is_err() || id.is_everyone_of(target.guild_id) {
                errs.add("roles", FieldError::new("INVALID_ROLE", "Unknown role."));
            }
        }
        self.added = wanted
            .iter()
            .filter(|r| !target.roles.contains(r))
            .copied()
            .collect();
        self.removed = target
            .roles
            .iter()
            .filter(|r| !wanted.contains(r))
            .copied()
            .collect();
        for id in self.added.iter().chain(&self.removed) {
            if let Ok(role) = actor.role(*id) {
                if role.managed {
                    return Err(ApiError::MissingPermissions);
                }
                actor.manageable(role)?;
            }
        }
        self.patch.roles = Some(wanted);
        Ok(())
    }

    /// A timeout until an instant at most 28 days ahead, or none (null, or an instant already
    /// past): MODERATE_MEMBERS, over a member the caller outranks, never oneself.
    fn timeout(
        &mut self,
        actor: &Actor,
        target: &db::Member,
        until: Option<&str>,
        may_time_out: bool,
        errs: &mut FormErrors,
    ) -> ApiResult<()> {
        access::require(actor.perms, Permissions::MODERATE_MEMBERS)?;
        if !may_time_out {
            return Err(ApiError::MissingPermissions);
        }
        let until = until.and_then(|text| timeout_end(text, errs));
        if until != target.communication_disabled_until {
            let iso = |v: Option<i64>| v.map(|t| serde_json::Value::from(Timestamp(t).to_iso()));
            self.changes.push(changed(
                "communication_disabled_until",
                iso(target.communication_disabled_until),
                iso(until),
            ));
            self.patch.communication_disabled_until = Some(until);
        }
        Ok(())
    }
}

impl MemberChange {
    /// hearth's extension: makes the member a guest or a full member, and sets a guest's
    /// expiry (an instant ahead, at most a year; null: never). A bot stays a bot.
    fn guest(&mut self, target: &db::Member, body: &ModifyMember, errs: &mut FormErrors) {
        let kind = body.hearth_kind.unwrap_or(target.kind);
        if body.hearth_kind == Some(MemberKind::Bot)
            || (target.kind == MemberKind::Bot && body.hearth_kind == Some(MemberKind::Guest))
        {
            errs.add(
                "hearth_kind",
                FieldError::new(
                    "MEMBER_KIND_INVALID",
                    "A bot is a bot; others are member or guest.",
                ),
            );
            return;
        }
        let mut expires = if kind == MemberKind::Guest {
            target.guest_expires_at
        } else {
            None
        };
        if let Some(given) = &body.hearth_guest_expires_at {
            if kind != MemberKind::Guest {
                errs.add(
                    "hearth_guest_expires_at",
                    FieldError::new("GUEST_ONLY", "Only a guest has an expiry."),
                );
                return;
            }
            expires = given.as_deref().and_then(|text| guest_end(text, errs));
        }
        if kind != target.kind {
            self.changes.push(changed(
                "hearth_kind",
                Some(target.kind.as_str().into()),
                Some(kind.as_str().into()),
            ));
            self.patch.kind = Some(kind);
        }
        if expires != target.guest_expires_at {
            let iso = |v: Option<i64>| v.map(|t| serde_json::Value::from(Timestamp(t).to_iso()));
            self.changes.push(changed(
                "hearth_guest_expires_at",
                iso(target.guest_expires_at),
                iso(expires),
            ));
            self.patch.guest_expires_at = Some(expires);
        }
    }
}

/// When a guest's access given as ISO 8601 text ends: None, noted in `errs`, for an invalid
/// instant (not a timestamp, not ahead, or more than a year ahead).
fn guest_end(text: &str, errs: &mut FormErrors) -> Option<i64> {
    let now = Timestamp::now();
    match Timestamp::parse_iso(text) {
        None => errs.add(
            "hearth_guest_expires_at",
            FieldError::new("DATE_TIME_TYPE_PARSE", "Not an ISO 8601 timestamp."),
        ),
        Some(t) if t.0 <= now.0 => errs.add(
            "hearth_guest_expires_at",
            FieldError::new("DATE_TIME_TYPE_PAST", "Must be ahead."),
        ),
        Some(t) if t.0 > now.plus_seconds(workspace::MAX_GUEST_SECS).0 => errs.add(
            "hearth_guest_expires_at",
            FieldError::new("DATE_TIME_TYPE_TOO_FAR", "At most a year ahead."),
        ),
        Some(t) => return Some(t.0),
    }
    None
}

/// When a timeout given as ISO 8601 text ends: None for an instant already past, and for an
/// invalid one (noted in `errs`: not a timestamp, or more than 28 days ahead).
fn timeout_end(text: &str, errs: &mut FormErrors) -> Option<i64> {
    let now = Timestamp::now();
    match Timestamp::parse_iso(text) {
        None => {
            errs.add(
                "communication_disabled_until",
                FieldError::new("DATE_TIME_TYPE_PARSE", "Not an ISO 8601 timestamp."),
            );
            None
        }
        Some(t) if t.0 <= now.0 => None,
        Some(t) if t.0 > now.plus_seconds(MAX_TIMEOUT_SECS).0 => {
            errs.add(
                "communication_disabled_until",
                FieldError::new(
                    "COMMUNICATION_DISABLED_TIMESTAMP_TOO_FAR",
                    "At most 28 days ahead.",
                ),
            );
            None
        }
        Some(t) => Some(t.0),
    }
}

async fn change_member(
    state: &AppState,
    me: UserId,
    guild_id: GuildId,
    user_id: UserId,
    body: ModifyMember,
    reason: &Reason,
) -> ApiResult<axum::Json<Member>> {
    let mut change = Change::begin(state, guild_id).await;
    let actor = Actor::load(state, guild_id, me).await?;
    let target = state
        .store
        .fetch_member(guild_id, user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    let user = state
        .store
        .fetch_user(user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    let MemberChange {
        patch,
        changes,
        added,
        removed,
    } = check_change(&actor, me, &target, &body)?;
    if body.communication_disabled_until.is_some() {
        // The owner and administrators cannot be timed out.
        let input = state
            .store
            .fetch_permission_input(guild_id, user_id)
            .await?
            .ok_or(ApiError::UnknownMember)?;
        if access::compute(&input, user_id) == Permissions::ALL {
            return Err(ApiError::MissingPermissions);
        }
    }
    let member = state
        .store
        .update_member(guild_id, user_id, &patch)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    let wire = convert::member(&member, Some(&user));
    if member != target {
        change.publish(events::member_update(guild_id, wire.clone()));
    }
    let named = |ids: &[RoleId]| {
        ids.iter()
            .filter_map(|id| actor.roles.iter().find(|r| r.id == *id))
            .map(|r| json!({ "id": r.id, "name": r.name }))
            .collect::<Vec<_>>()
    };
    let mut role_changes = Vec::new();
    if !added.is_empty() {
        role_changes.push(changed("$add", None, Some(json!(named(&added)))));
    }
    if !removed.is_empty() {
        role_changes.push(changed("$remove", None, Some(json!(named(&removed)))));
    }
    for (kind, list) in [
        (action::MEMBER_UPDATE, changes),
        (action::MEMBER_ROLE_UPDATE, role_changes),
    ] {
        if list.is_empty() {
            continue;
        }
        change.record(journal::Entry {
            guild_id,
            actor: me,
            target: Some(user_id.snowflake()),
            action: kind,
            changes: list,
            options: None,
            reason,
        });
    }
    change.done().await?;
    Ok(axum::Json(wire))
}

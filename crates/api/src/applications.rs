//! Applications and their bots: create one, read it as the bot, add the bot to a guild.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::{self, FieldError};
use hearth_core::{ApplicationId, GuildId, Permissions, RoleId, Timestamp};
use hearth_protocol::objects::{Application, CreatedApplication, Member};
use hearth_protocol::requests::{Authorize, AuthorizeQuery, CreateApplication};
use hearth_store::{self as db, Member as DbMember, NewUser, Role, Session};
use rand::RngCore;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::extract::new_token;
use crate::extract::{errors, token_hash, Auth, Json, Query};
use crate::journal::{self, Reason};
use crate::{access, convert, events, role_rules, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_application))
        .routes(routes!(oauth2_current_application))
        .routes(routes!(current_application))
        .routes(routes!(authorize))
}

/// Creates an application with a bot user. The bot token is in this response only.
#[utoipa::path(post, path = "/applications", tag = "applications", request_body = CreateApplication,
    responses((status = 201, body = CreatedApplication), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody)))]
async fn create_application(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<CreateApplication>,
) -> ApiResult<(StatusCode, axum::Json<CreatedApplication>)> {
    let auth = auth.person()?;
    let mut errs = errors();
    errs.check("name", names::validate_application_name(&body.name));
    if body
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 400)
    {
        errs.add("description", FieldError::max_length(400));
    }
    errs.into_result()?;
    let id = ApplicationId(state.ids.next());
    let now = Timestamp::now().0;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let name = body.name.trim().to_owned();
    let app = hearth_store::Application {
        id,
        owner_id: auth.user.id,
        name: name.clone(),
        description: body.description.unwrap_or_default(),
        bot_public: true,
        verify_key: key.iter().map(|b| format!("{b:02x}")).collect(),
        created_at: now,
    };
    let bot = NewUser {
        id: id.bot_user(),
        username: names::bot_username(&name),
        global_name: None,
        email: None,
        bot: true,
        password_hash: None,
        created_at: now,
    };
    let token = new_token(id.bot_user());
    let session = Session {
        id: state.ids.next().into(),
        user_id: id.bot_user(),
        token_hash: token_hash(&token),
        kind: "bot".into(),
        created_at: now,
        last_used_at: now,
        ip: None,
        user_agent: None,
    };
    let app = state.store.insert_application(&app, &bot, &session).await?;
    let bot_user = state
        .store
        .fetch_user(id.bot_user())
        .await?
        .ok_or(ApiError::UnknownUser)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedApplication {
            application: convert::application(&app, &auth.user, &bot_user),
            token,
        }),
    ))
}

async fn bot_application(state: &AppState, auth: &Auth) -> ApiResult<Application> {
    if !auth.user.bot {
        return Err(ApiError::BotsOnly);
    }
    let app = state
        .store
        .fetch_application(auth.id().application())
        .await?
        .ok_or(ApiError::UnknownApplication)?;
    let owner = state
        .store
        .fetch_user(app.owner_id)
        .await?
        .ok_or(ApiError::UnknownUser)?;
    Ok(convert::application(&app, &owner, &auth.user))
}

/// The calling bot's application (what discord.py reads at login).
#[utoipa::path(get, path = "/oauth2/applications/@me", tag = "applications",
    responses((status = 200, body = Application), (status = 401, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody)))]
async fn oauth2_current_application(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<axum::Json<Application>> {
    Ok(axum::Json(bot_application(&state, &auth).await?))
}

/// The calling bot's application (discord.js `application.fetch`).
#[utoipa::path(get, path = "/applications/@me", tag = "applications",
    responses((status = 200, body = Application), (status = 401, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody)))]
async fn current_application(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<axum::Json<Application>> {
    Ok(axum::Json(bot_application(&state, &auth).await?))
}

/// Adds an application's bot to a guild the caller owns or may manage (MANAGE_GUILD). With
/// permission bits, the bot gets a role of its own holding them. A bot banned from the guild is
/// refused (40007).
#[utoipa::path(post, path = "/oauth2/authorize", tag = "applications", params(AuthorizeQuery), request_body = Authorize,
    responses((status = 200, body = Member), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn authorize(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Query(q): Query<AuthorizeQuery>,
    Json(body): Json<Authorize>,
) -> ApiResult<axum::Json<Member>> {
    let auth = auth.person()?;
    let permissions = bot_permissions(&q, &body)?;
    let app = state
        .store
        .fetch_application(q.client_id)
        .await?
        .ok_or(ApiError::UnknownApplication)?;
    let mut change = Change::begin(&state, body.guild_id).await;
    let (guild, perms) = access::guild(&state, body.guild_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_GUILD)?;
    if !app.bot_public && app.owner_id != auth.user.id {
        return Err(ApiError::MissingPermissions);
    }
    let bot = state
        .store
        .fetch_user(q.client_id.bot_user())
        .await?
        .ok_or(ApiError::UnknownUser)?;
    if state
        .store
        .fetch_ban(body.guild_id, q.client_id.bot_user())
        .await?
        .is_some()
    {
        return Err(ApiError::Banned);
    }
    if let Some(existing) = state
        .store
        .fetch_member(body.guild_id, q.client_id.bot_user())
        .await?
    {
        return Ok(axum::Json(convert::member(&existing, Some(&bot))));
    }
    let now = Timestamp::now().0;
    let mut roles = Vec::new();
    if permissions != Permissions::NONE {
        roles.push(insert_bot_role(&mut change, body.guild_id, &bot, permissions).await?);
    }
    let member = DbMember {
        guild_id: guild.id,
        user_id: bot.id,
        nick: None,
        joined_at: now,
        temporary: false,
        communication_disabled_until: None,
        roles,
        kind: hearth_core::MemberKind::Bot,
        guest_expires_at: None,
    };
    state.store.insert_member(&member).await?;
    let out = convert::member(&member, Some(&bot));
    change.publish(events::member_add(body.guild_id, out.clone()));
    change.publish_all(events::guild_gained(&state, q.client_id.bot_user(), body.guild_id).await?);
    let entry = journal::Entry {
        guild_id: body.guild_id,
        actor: auth.id(),
        target: Some(q.client_id.snowflake()),
        action: journal::action::BOT_ADD,
        changes: Vec::new(),
        options: None,
        reason: &reason,
    };
    change.record(entry);
    change.done().await?;
    Ok(axum::Json(out))
}

/// The permissions an authorization grants the bot (the body's, else the query's, else none).
/// Refused (50035) unless the scope includes `bot`, `authorize` is true and the bits are known.
fn bot_permissions(q: &AuthorizeQuery, body: &Authorize) -> ApiResult<Permissions> {
    let mut errs = errors();
    if !q.scope.split([' ', '+']).any(|s| s == "bot") {
        errs.add(
            "scope",
            FieldError::new("BASE_TYPE_CHOICES", "The scope must include bot."),
        );
    }
    if !body.authorize {
        errs.add(
            "authorize",
            FieldError::new("BASE_TYPE_CHOICES", "Must be true."),
        );
    }
    let permissions = body
        .permissions
        .or(q.permissions)
        .unwrap_or(Permissions::NONE);
    if !Permissions::is_valid(permissions.0) {
        errs.add(
            "permissions",
            FieldError::new("BASE_TYPE_INVALID", "Unknown permission bits."),
        );
    }
    errs.into_result()?;
    Ok(permissions)
}

/// Creates the bot's own managed role holding `permissions`, at the bottom of the guild's roles
/// (position 1, as a new role goes: the others move up), and publishes the new role and every
/// role that moved. Returns the role's id.
async fn insert_bot_role(
    change: &mut Change<'_>,
    guild_id: GuildId,
    bot: &db::User,
    permissions: Permissions,
) -> ApiResult<RoleId> {
    let state = change.state();
    let role = Role {
        guild_id,
        id: state.ids.next().into(),
        name: bot.username.clone(),
        permissions: permissions.0 as i64,
        color: 0,
        hoist: false,
        mentionable: false,
        managed: true,
        position: 1,
        bot_id: Some(bot.id),
    };
    let existing = state.store.fetch_roles(guild_id).await?;
    role_rules::insert_at_bottom(change, &existing, &role).await?;
    Ok(role.id)
}

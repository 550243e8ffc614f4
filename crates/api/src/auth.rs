//! Registration, login and logout (hearth's own endpoints; Discord has no public equivalent).
//!
//! Passwords are hashed with argon2id on the blocking pool, never on the async workers, and under
//! the bound of [`crate::passwords`]; registration and login are throttled per client address
//! and login also per account ([`crate::limits`]), before any work is done. Tokens
//! carry 256 random bits after the base64 of the user id (Discord's shape, which some tools
//! decode); only their SHA-256 is stored.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::{self, FieldError};
use hearth_core::{Timestamp, UserId};
use hearth_protocol::events::Event;
use hearth_protocol::objects::{LoginResponse, TokenResponse};
use hearth_protocol::requests::{Login, Register};
use hearth_store::{NewUser, Session, StoreError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::error::username_taken;
use crate::extract::{errors, new_token, token_hash, Auth, ClientInfo, Json};
use crate::limits::{address_key, Throttle};
use crate::passwords::PasswordError;
use crate::{convert, events, posting, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
}

/// A refusal to hash now: too many requests are waiting for a turn.
fn hashing_error(e: PasswordError) -> ApiError {
    match e {
        PasswordError::Busy => ApiError::RateLimited { retry_after: 1.0 },
        PasswordError::Failed(cause) => ApiError::Internal(format!("hashing password: {cause}")),
    }
}

/// Counts an attempt against a throttle; refused with 429 and the wait when it is spent.
fn throttle(t: &Throttle, key: &str) -> ApiResult<()> {
    t.check(key).map_err(|wait| ApiError::RateLimited {
        retry_after: (wait.as_secs_f64() * 1000.0).ceil() / 1000.0,
    })
}

/// Starts a session for `user_id` and returns its token.
async fn start_session(state: &AppState, user_id: UserId, info: &ClientInfo) -> ApiResult<String> {
    let token = new_token(user_id);
    let now = Timestamp::now().0;
    state
        .store
        .insert_session(&Session {
            id: state.ids.next().into(),
            user_id,
            token_hash: token_hash(&token),
            kind: "user".into(),
            created_at: now,
            last_used_at: now,
            ip: info.ip.clone(),
            user_agent: info.user_agent.clone(),
        })
        .await?;
    Ok(token)
}

/// Creates an account and logs it in. Fields other clients send (`consent`, `date_of_birth`,
/// ...) are accepted and ignored.
#[utoipa::path(post, path = "/auth/register", tag = "auth", security(()), request_body = Register,
    responses((status = 201, body = TokenResponse), (status = 400, body = hearth_protocol::ErrorBody),
        (status = 429, description = "Too many registrations from this address, or too many passwords waiting to be hashed: wait `retry_after` seconds.",
            body = hearth_protocol::RateLimitBody, headers(("Retry-After" = String, description = "Seconds to wait, rounded up")))))]
async fn register(
    State(state): State<AppState>,
    info: ClientInfo,
    Json(body): Json<Register>,
) -> ApiResult<(StatusCode, axum::Json<TokenResponse>)> {
    let address = address_key(info.ip.as_deref());
    throttle(&state.throttles.register_address, &address)?;
    let mut errs = errors();
    errs.check("username", names::validate_username(&body.username));
    errs.check("password", names::validate_password(&body.password));
    if let Some(email) = &body.email {
        errs.check("email", names::validate_email(email));
    }
    if let Some(g) = &body.global_name {
        errs.check("global_name", names::validate_global_name(g));
    }
    errs.into_result()?;
    let hash = state
        .passwords
        .hash(body.password)
        .await
        .map_err(hashing_error)?;
    let id = UserId(state.ids.next());
    let new = NewUser {
        id,
        username: body.username,
        global_name: body.global_name.map(|g| g.trim().to_owned()),
        email: body.email,
        bot: false,
        password_hash: Some(hash),
        created_at: Timestamp::now().0,
    };
    let user = match state.store.insert_user(&new).await {
        Ok(user) => user,
        Err(StoreError::Conflict(c)) if c == "email" => {
            return Err(ApiError::field(
                "email",
                FieldError::new("EMAIL_ALREADY_REGISTERED", "Email is already registered."),
            ))
        }
        Err(StoreError::Conflict(_)) => return Err(username_taken()),
        Err(e) => return Err(e.into()),
    };
    if let Some(guild_id) = state.config.primary_guild {
        join_primary_guild(&state, &user, guild_id).await?;
    }
    let token = start_session(&state, id, &info).await?;
    Ok((StatusCode::CREATED, axum::Json(TokenResponse { token })))
}

/// Makes a new account a member of the instance's primary guild, as joining by an invite
/// does (GUILD_MEMBER_ADD, GUILD_CREATE to the account). A primary guild that does not exist
/// (deleted, or a wrong id in the configuration) is logged and skipped: signing up still works.
async fn join_primary_guild(
    state: &AppState,
    user: &hearth_store::User,
    guild_id: hearth_core::GuildId,
) -> ApiResult<()> {
    let mut change = Change::begin(state, guild_id).await;
    let member = hearth_store::Member {
        guild_id,
        user_id: user.id,
        nick: None,
        joined_at: Timestamp::now().0,
        temporary: false,
        communication_disabled_until: None,
        roles: Vec::new(),
        kind: hearth_core::MemberKind::Member,
        guest_expires_at: None,
    };
    let joined = match state.store.insert_member(&member).await {
        Ok(true) => {
            change.publish(events::member_add(
                guild_id,
                convert::member(&member, Some(user)),
            ));
            change.publish_all(events::guild_gained(state, user.id, guild_id).await?);
            true
        }
        Ok(false) => false,
        Err(StoreError::MissingParent(_)) => {
            tracing::warn!(%guild_id, "primary_guild names no guild; the new account joins none");
            false
        }
        Err(e) => return Err(e.into()),
    };
    change.done().await?;
    if joined {
        posting::welcome(state, guild_id, user).await?;
    }
    Ok(())
}

/// Logs in by username (any case) or e-mail address.
#[utoipa::path(post, path = "/auth/login", tag = "auth", security(()), request_body = Login,
    responses((status = 200, body = LoginResponse), (status = 400, body = hearth_protocol::ErrorBody),
        (status = 429, description = "Too many attempts from this address or for this account, or too many passwords waiting to be checked: wait `retry_after` seconds.",
            body = hearth_protocol::RateLimitBody, headers(("Retry-After" = String, description = "Seconds to wait, rounded up")))))]
async fn login(
    State(state): State<AppState>,
    info: ClientInfo,
    Json(body): Json<Login>,
) -> ApiResult<axum::Json<LoginResponse>> {
    let invalid = || {
        let mut e = errors();
        let f = || FieldError::new("INVALID_LOGIN", "Login or password is invalid.");
        e.add("login", f());
        e.add("password", f());
        ApiError::InvalidForm(e)
    };
    if body.login.len() > 254 || body.password.len() > 1024 {
        return Err(invalid());
    }
    throttle(
        &state.throttles.login_address,
        &address_key(info.ip.as_deref()),
    )?;
    throttle(&state.throttles.login_account, &body.login.to_lowercase())?;
    let found = state.store.fetch_login(&body.login).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let ok = state
        .passwords
        .verify(body.password, hash)
        .await
        .map_err(hashing_error)?;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => return Err(invalid()),
    };
    let token = start_session(&state, user.id, &info).await?;
    Ok(axum::Json(LoginResponse {
        token,
        user_id: user.id,
    }))
}

/// Revokes the token this request carries.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = hearth_protocol::ErrorBody), (status = 403, description = "Bots cannot log out (20001).", body = hearth_protocol::ErrorBody)))]
async fn logout(State(state): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    let auth = auth.person()?;
    state.store.delete_session(auth.session.id).await?;
    // Gateway sessions opened with this token end too.
    state.publish(Event::SessionRevoked {
        user_id: auth.id(),
        token_hash: auth.session.token_hash.clone(),
    });
    Ok(StatusCode::NO_CONTENT)
}

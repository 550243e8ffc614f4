//! `/users/@me/settings`: a person's settings, hearth's extension of Discord's deprecated
//! endpoint. People only; bots have no settings and are refused (403, 20001).
//!
//! The settings are one document of known keys (`user_settings/rules.rs`: each key and its
//! rule) with a version that counts its writes. A change names the version it read: if another
//! write came first, nothing is written and the answer is 409 with the current settings (their
//! body, not Discord's error shape), for the client to merge and retry. A change is told to
//! every session of the user, the writer's own included (USER_SETTINGS_UPDATE with the whole
//! document): a REST call does not say which gateway session, if any, made it. Changes of one
//! user take the user's ordering lock, so their events reach the bus in the order committed.

mod rules;

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::Timestamp;
use hearth_protocol::events::Event;
use hearth_protocol::settings::{ModifyUserSettings, UserSettings};
use hearth_protocol::ErrorBody;
use hearth_store::{self as db, SettingsWrite};
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::extract::{Auth, Json};
use crate::{convert, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, modify_settings))
}

/// The caller's settings: every setting (the value set, or its default) and the version of the
/// document (0 until the first change).
#[utoipa::path(get, path = "/users/@me/settings", tag = "users", operation_id = "get_user_settings",
    responses((status = 200, body = UserSettings), (status = 403, description = "Bots cannot use this endpoint (20001).", body = ErrorBody)))]
async fn get_settings(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<axum::Json<UserSettings>> {
    let me = auth.person()?.user;
    let row = state.store.fetch_user_settings(me.id).await?;
    Ok(axum::Json(convert::user_settings(row.as_ref())))
}

/// Changes the caller's settings: `version` is the one the client read; the other keys are
/// set (`null` puts a setting back to its default), keys left out stay. Answers the settings
/// as they are now, one version up (the same version when nothing changed).
#[utoipa::path(patch, path = "/users/@me/settings", tag = "users", operation_id = "modify_user_settings", request_body = ModifyUserSettings,
    responses((status = 200, description = "Changed (or nothing to change): the settings now.", body = UserSettings),
        (status = 400, description = "A key that is not a setting, a value breaking its rule, `version` missing (50035), or more than 16 KiB of settings (50035).", body = ErrorBody),
        (status = 403, description = "Bots cannot use this endpoint (20001).", body = ErrorBody),
        (status = 409, description = "`version` is not the stored one (someone changed the settings since the client read them): nothing changed; the body is the current settings, not an error (hearth's extension).", body = UserSettings)))]
async fn modify_settings(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, axum::Json<UserSettings>)> {
    let me = auth.person()?.user;
    let patch = rules::read_patch(body)?;
    let mut change = Change::begin(&state, me.id).await;
    let row = state.store.fetch_user_settings(me.id).await?;
    if row.as_ref().map_or(0, |r| r.version) != patch.version {
        return Ok(stale(row.as_ref()));
    }
    let current = row
        .as_ref()
        .map(convert::settings_document)
        .unwrap_or_default();
    let next = rules::apply(&current, &patch)?;
    if next == current {
        // Nothing changes: nothing is written or told.
        return Ok((
            StatusCode::OK,
            axum::Json(convert::user_settings(row.as_ref())),
        ));
    }
    let document = serde_json::to_string(&next)
        .map_err(|e| ApiError::Internal(format!("settings to JSON: {e}")))?;
    let written = state
        .store
        .update_user_settings(me.id, patch.version, &document, Timestamp::now())
        .await?;
    match written {
        SettingsWrite::Written(row) => {
            let settings = convert::user_settings(Some(&row));
            change.publish(Event::UserSettingsUpdate {
                user_id: me.id,
                settings: Box::new(settings.clone()),
            });
            change.done().await?;
            Ok((StatusCode::OK, axum::Json(settings)))
        }
        // Written by another node since it was read here.
        SettingsWrite::Stale(row) => Ok(stale(row.as_ref())),
    }
}

/// The 409 of a change naming a version that is not the stored one: the settings now.
fn stale(row: Option<&db::UserSettings>) -> (StatusCode, axum::Json<UserSettings>) {
    (
        StatusCode::CONFLICT,
        axum::Json(convert::user_settings(row)),
    )
}

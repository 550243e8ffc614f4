//! `/guilds/{id}/members`: list and read members.

use axum::extract::State;
use hearth_core::names::FieldError;
use hearth_core::Snowflake;
use hearth_protocol::objects::Member;
use hearth_protocol::requests::MembersQuery;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, Path, Query};
use crate::{access, convert, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members))
        .routes(routes!(get_member))
}

/// Members by ascending user id (`limit` 1-1000, default 1; `after` a user id).
#[utoipa::path(get, path = "/guilds/{guild_id}/members", tag = "members", params(("guild_id" = Snowflake, Path), MembersQuery),
    responses((status = 200, body = Vec<Member>), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<Snowflake>,
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
    params(("guild_id" = Snowflake, Path), ("user_id" = Snowflake, Path)),
    responses((status = 200, body = Member), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((guild_id, user_id)): Path<(Snowflake, Snowflake)>,
) -> ApiResult<axum::Json<Member>> {
    access::guild(&state, guild_id, auth.id()).await?;
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
    Ok(axum::Json(convert::member(&member, Some(&user))))
}

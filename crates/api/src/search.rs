//! Message search: `GET /guilds/{id}/messages/search` and `GET /channels/{id}/messages/search`
//! (one channel: Discord's form for DMs and group DMs, which hearth also accepts for a guild
//! text channel). Results are messages of the channels the caller may read (VIEW_CHANNEL and
//! READ_MESSAGE_HISTORY); bots may search too.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use hearth_core::names::FieldError;
use hearth_core::{ChannelId, GuildId, MessageId, Permissions, Snowflake};
use hearth_protocol::objects::Message;
use hearth_protocol::search::{SearchParams, SearchResults};
use hearth_store::search::{has, normalize};
use hearth_store::{self as db, SearchQuery, SearchSort};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::convert::MessageRenderer;
use crate::error::FormErrors;
use crate::extract::{errors, Auth, Path};
use crate::{access, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_guild))
        .routes(routes!(search_channel))
}

/// The longest `content`, in characters.
const MAX_CONTENT: usize = 1024;
/// The largest `offset`.
const MAX_OFFSET: i64 = 9975;
/// The most values of `author_id`, `mentions` or `channel_id` (each is one bound parameter).
const MAX_LIST: usize = 100;

/// Searches the messages of a guild's channels the caller may read (a member: 403 50001
/// otherwise), newest first unless asked otherwise.
#[utoipa::path(get, path = "/guilds/{guild_id}/messages/search", tag = "messages",
    params(("guild_id" = GuildId, Path), SearchParams),
    responses((status = 200, body = SearchResults), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn search_guild(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
    RawQuery(raw): RawQuery,
) -> ApiResult<axum::Json<SearchResults>> {
    let mut query = parse(raw.as_deref().unwrap_or_default())?;
    state
        .store
        .fetch_guild(guild_id)
        .await?
        .ok_or(ApiError::UnknownGuild)?;
    let readable = access::readable_channels(&state, guild_id, auth.id()).await?;
    narrow(&mut query, readable);
    run(&state, &query).await
}

/// Searches one channel the caller may read: a DM or group DM (as Discord does), or a guild
/// text channel (hearth's extension). Same parameters as the guild search (`channel_id` narrows to this channel or nothing).
#[utoipa::path(get, path = "/channels/{channel_id}/messages/search", tag = "messages",
    params(("channel_id" = ChannelId, Path), SearchParams),
    responses((status = 200, body = SearchResults), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn search_channel(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
    RawQuery(raw): RawQuery,
) -> ApiResult<axum::Json<SearchResults>> {
    let mut query = parse(raw.as_deref().unwrap_or_default())?;
    let (_, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::READ_MESSAGE_HISTORY)?;
    narrow(&mut query, vec![channel_id]);
    run(&state, &query).await
}

/// Searches `readable`, or those of the `channel_id`s asked for that are in it.
fn narrow(query: &mut SearchQuery, readable: Vec<ChannelId>) {
    if query.channels.is_empty() {
        query.channels = readable;
    } else {
        query.channels.retain(|c| readable.contains(c));
    }
}

/// Runs the search and renders the page, each hit an array of its message.
async fn run(state: &AppState, query: &SearchQuery) -> ApiResult<axum::Json<SearchResults>> {
    let page = state.store.fetch_search(query).await?;
    let mut channels: HashMap<ChannelId, db::Channel> = HashMap::new();
    for m in &page.messages {
        if !channels.contains_key(&m.channel_id) {
            if let Some(c) = state.store.fetch_channel(m.channel_id).await? {
                channels.insert(c.id, c);
            }
        }
    }
    let mut rendered: HashMap<MessageId, Message> = HashMap::new();
    for channel in channels.values() {
        let mine: Vec<db::Message> = page
            .messages
            .iter()
            .filter(|m| m.channel_id == channel.id)
            .cloned()
            .collect();
        let out = MessageRenderer::new(state, channel)
            .render_all(&mine)
            .await?;
        rendered.extend(out.into_iter().map(|m| (m.id, m)));
    }
    let messages = page
        .messages
        .iter()
        .filter_map(|m| rendered.remove(&m.id))
        .map(|m| vec![m])
        .collect();
    Ok(axum::Json(SearchResults {
        total_results: page.total,
        messages,
        doing_deep_historical_index: false,
    }))
}

/// The query string as a search (channels: those asked for, to be narrowed), or 400 50035
/// naming each bad parameter.
fn parse(raw: &str) -> ApiResult<SearchQuery> {
    let mut q = SearchQuery {
        channels: Vec::new(),
        terms: Vec::new(),
        authors: Vec::new(),
        mentions: Vec::new(),
        has: 0,
        has_not: 0,
        min_id: None,
        max_id: None,
        sort: SearchSort::Timestamp,
        ascending: false,
        offset: 0,
        limit: 25,
    };
    let mut errs = errors();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        if key.contains('\0') || value.contains('\0') {
            errs.add(&key.replace('\0', ""), FieldError::nul_character());
            continue;
        }
        let v = value.as_ref();
        match key.as_ref() {
            "content" => {
                if v.chars().count() > MAX_CONTENT {
                    errs.add("content", FieldError::max_length(MAX_CONTENT));
                }
                for t in normalize::terms(v) {
                    if !q.terms.contains(&t) {
                        q.terms.push(t);
                    }
                }
            }
            "author_id" => push_id(&mut errs, "author_id", v, &mut q.authors),
            "mentions" => push_id(&mut errs, "mentions", v, &mut q.mentions),
            "channel_id" => push_id(&mut errs, "channel_id", v, &mut q.channels),
            "min_id" => q.min_id = id(&mut errs, "min_id", v),
            "max_id" => q.max_id = id(&mut errs, "max_id", v),
            "has" => match v.strip_prefix('-') {
                Some(name) => q.has_not |= has_bit(&mut errs, name),
                None => q.has |= has_bit(&mut errs, v),
            },
            "offset" => q.offset = number(&mut errs, "offset", v, 0, MAX_OFFSET),
            "limit" => q.limit = number(&mut errs, "limit", v, 1, 25),
            "sort_by" => match v {
                "timestamp" => q.sort = SearchSort::Timestamp,
                "relevance" => q.sort = SearchSort::Relevance,
                _ => errs.add("sort_by", choices("timestamp, relevance")),
            },
            "sort_order" => match v {
                "desc" => q.ascending = false,
                "asc" => q.ascending = true,
                _ => errs.add("sort_order", choices("desc, asc")),
            },
            // Discord's other parameters (author_type, pinned, include_nsfw, ...) are not
            // filters here yet; unknown parameters are ignored, as Discord does.
            _ => {}
        }
    }
    for (key, n) in [
        ("author_id", q.authors.len()),
        ("mentions", q.mentions.len()),
        ("channel_id", q.channels.len()),
    ] {
        if n > MAX_LIST {
            errs.add(key, FieldError::max_length(MAX_LIST));
        }
    }
    errs.into_result()?;
    Ok(q)
}

fn choices(list: &str) -> FieldError {
    FieldError::new(
        "BASE_TYPE_CHOICES",
        format!("Value must be one of {{{list}}}."),
    )
}

fn id<T: From<Snowflake>>(errs: &mut FormErrors, key: &str, v: &str) -> Option<T> {
    match v.parse::<Snowflake>() {
        Ok(s) => Some(T::from(s)),
        Err(_) => {
            errs.add(
                key,
                FieldError::new(
                    "NUMBER_TYPE_COERCE",
                    format!("Value \"{v}\" is not snowflake."),
                ),
            );
            None
        }
    }
}

fn push_id<T: From<Snowflake> + PartialEq>(
    errs: &mut FormErrors,
    key: &str,
    v: &str,
    list: &mut Vec<T>,
) {
    if let Some(id) = id::<T>(errs, key, v) {
        if !list.contains(&id) {
            list.push(id);
        }
    }
}

fn number(errs: &mut FormErrors, key: &str, v: &str, min: i64, max: i64) -> i64 {
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => n,
        Ok(_) => {
            errs.add(
                key,
                FieldError::new(
                    "NUMBER_TYPE_MAX",
                    format!("Must be between {min} and {max}."),
                ),
            );
            min
        }
        Err(_) => {
            errs.add(
                key,
                FieldError::new("NUMBER_TYPE_COERCE", format!("Value \"{v}\" is not int.")),
            );
            min
        }
    }
}

fn has_bit(errs: &mut FormErrors, name: &str) -> i64 {
    has::bit(name).unwrap_or_else(|| {
        errs.add(
            "has",
            choices("link, embed, file, image, video, sound, sticker"),
        );
        0
    })
}

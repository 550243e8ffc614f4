//! The rules of permission overwrites, shared by the handlers that change them (a channel's own
//! endpoints, the guild's channel list, the overwrite endpoints): checking a list, the grant
//! rule (only bits the caller holds may change), category sync, and their audit entries.
//!
//! A channel is "in sync" with its category while their overwrites are equal: a change to the
//! category's overwrites carries over to the channels in sync with it, a channel created in a
//! category without overwrites of its own starts with the category's, and `lock_permissions`
//! with a new `parent_id` takes the new category's.

use hearth_core::names::FieldError;
use hearth_core::{
    ChannelId, ChannelKind, GuildId, OverwriteKind, Permissions, RoleId, Snowflake, UserId,
};
use hearth_protocol::events::Event;
use hearth_protocol::objects as wire;
use hearth_protocol::requests::OverwriteBody;
use hearth_store as db;
use serde_json::json;

use crate::change::Change;
use crate::error::FormErrors;
use crate::extract::Auth;
use crate::journal::{self, action, changed, Reason};
use crate::{access, convert, ApiResult, AppState};

/// The overwrite of `target` in a list.
pub(crate) fn find(list: &[db::Overwrite], target: Snowflake) -> Option<&db::Overwrite> {
    list.iter().find(|o| o.target_id == target)
}

/// Whether two overwrite lists grant and deny the same (whatever their order).
pub(crate) fn same(a: &[db::Overwrite], b: &[db::Overwrite]) -> bool {
    let key = |l: &[db::Overwrite]| {
        let mut v: Vec<(Snowflake, i64, i64, i64)> = l
            .iter()
            .map(|o| (o.target_id, o.kind, o.allow, o.deny))
            .collect();
        v.sort_unstable();
        v
    };
    key(a) == key(b)
}

/// A list copied onto another channel.
pub(crate) fn copied(list: &[db::Overwrite], channel_id: ChannelId) -> Vec<db::Overwrite> {
    list.iter()
        .map(|o| db::Overwrite {
            channel_id,
            ..o.clone()
        })
        .collect()
}

/// Refuses a change of bits the caller does not hold (`perms`): for each target, the bits whose
/// allow or deny state differs between `before` and `after`.
pub(crate) fn check_grant(
    perms: Permissions,
    before: &[db::Overwrite],
    after: &[db::Overwrite],
) -> ApiResult<()> {
    if perms == Permissions::ALL {
        return Ok(());
    }
    let bits = |o: Option<&db::Overwrite>| o.map_or((0, 0), |o| (o.allow, o.deny));
    let targets = before.iter().chain(after).map(|o| o.target_id);
    let mut changed = 0i64;
    for t in targets {
        let (ba, bd) = bits(find(before, t));
        let (aa, ad) = bits(find(after, t));
        changed |= (ba ^ aa) | (bd ^ ad);
    }
    access::require(perms, Permissions(changed as u64))
}

/// Checks one overwrite body: a known type, defined bits, and a target that exists (a role of
/// the guild (`roles`: the guild's role ids), or a member). `path` prefixes field errors.
pub(crate) async fn check_one(
    state: &AppState,
    errs: &mut FormErrors,
    path: &str,
    (guild_id, roles): (GuildId, &[RoleId]),
    target: Option<Snowflake>,
    body: &OverwriteBody,
) -> ApiResult<Option<(Snowflake, i64, i64, i64)>> {
    let field = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let allow = body.allow.unwrap_or_default();
    let deny = body.deny.unwrap_or_default();
    let mut ok = true;
    for (name, bits) in [("allow", allow), ("deny", deny)] {
        if !Permissions::is_valid(bits.0) {
            errs.add(
                &field(name),
                FieldError::new("PERMISSIONS_INVALID", "Unknown permission bits."),
            );
            ok = false;
        }
    }
    let Some(target) = target else {
        errs.add(
            &field("id"),
            FieldError::new("BASE_TYPE_REQUIRED", "This field is required"),
        );
        return Ok(None);
    };
    // An unknown `type` was refused with the body.
    let (exists, what) = match body.kind {
        OverwriteKind::Role => (
            roles.contains(&RoleId(target)),
            "Unknown role of this guild.",
        ),
        OverwriteKind::Member => (
            state
                .store
                .fetch_member(guild_id, UserId(target))
                .await?
                .is_some(),
            "Unknown member of this guild.",
        ),
    };
    if !exists {
        errs.add(&field("id"), FieldError::new("OVERWRITE_INVALID", what));
        return Ok(None);
    }
    let kind = i64::from(body.kind);
    Ok(ok.then_some((target, kind, allow.0 as i64, deny.0 as i64)))
}

/// The ids of a guild's roles (read once per request, whatever the number of overwrites).
pub(crate) async fn role_ids(state: &AppState, guild_id: GuildId) -> ApiResult<Vec<RoleId>> {
    Ok(state
        .store
        .fetch_roles(guild_id)
        .await?
        .iter()
        .map(|r| r.id)
        .collect())
}

/// The overwrites of a channel body, checked (field errors under `permission_overwrites`).
pub(crate) async fn check_list(
    state: &AppState,
    errs: &mut FormErrors,
    guild_id: GuildId,
    channel_id: ChannelId,
    list: &[OverwriteBody],
) -> ApiResult<Vec<db::Overwrite>> {
    if list.len() > 100 {
        errs.add(
            "permission_overwrites",
            FieldError::new("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."),
        );
        return Ok(Vec::new());
    }
    let roles = role_ids(state, guild_id).await?;
    let mut out = Vec::with_capacity(list.len());
    for (i, body) in list.iter().enumerate() {
        let path = format!("permission_overwrites.{i}");
        if let Some((target_id, kind, allow, deny)) =
            check_one(state, errs, &path, (guild_id, &roles), body.id, body).await?
        {
            out.push(db::Overwrite {
                channel_id,
                guild_id,
                target_id,
                kind,
                allow,
                deny,
            });
        }
    }
    Ok(out)
}

/// The channels in `category` that were in sync with its overwrites `before` take `after`;
/// returns them as changed (for CHANNEL_UPDATE).
pub(crate) async fn sync_children(
    state: &AppState,
    category: &db::Channel,
    before: &[db::Overwrite],
    after: &[db::Overwrite],
) -> ApiResult<Vec<wire::Channel>> {
    let Some(guild_id) = category.guild_id else {
        return Ok(Vec::new());
    };
    if category.kind != i64::from(ChannelKind::GuildCategory) || same(before, after) {
        return Ok(Vec::new());
    }
    let guild = guild_id;
    let all = state.store.fetch_guild_overwrites(guild).await?;
    let mut out = Vec::new();
    for child in state.store.fetch_guild_channels(guild).await? {
        if child.parent_id != Some(category.id) {
            continue;
        }
        let mine: Vec<db::Overwrite> = all
            .iter()
            .filter(|o| o.channel_id == child.id)
            .cloned()
            .collect();
        if !same(&mine, before) {
            continue;
        }
        let stored = state
            .store
            .replace_overwrites(child.id, guild, &copied(after, child.id))
            .await?;
        out.push(convert::channel(&child, &stored));
    }
    Ok(out)
}

/// Publishes CHANNEL_UPDATE for a channel whose overwrites changed (and for the channels of a
/// category that follow it).
pub(crate) async fn publish_change(
    change: &mut Change<'_>,
    channel: &db::Channel,
    before: &[db::Overwrite],
    after: &[db::Overwrite],
) -> ApiResult<()> {
    let out = convert::channel(channel, after);
    change.publish(Event::ChannelUpdate(Box::new(out)));
    for child in sync_children(change.state(), channel, before, after).await? {
        change.publish(Event::ChannelUpdate(Box::new(child)));
    }
    Ok(())
}

/// The audit entry of an overwrite change.
pub(crate) async fn audit_overwrite(
    change: &mut Change<'_>,
    auth: &Auth,
    reason: &Reason,
    channel: &db::Channel,
    before: Option<&db::Overwrite>,
    after: Option<&db::Overwrite>,
) -> ApiResult<()> {
    let Some(o) = after.or(before) else {
        return Ok(());
    };
    let act = match (before, after) {
        (None, _) => action::CHANNEL_OVERWRITE_CREATE,
        (Some(_), Some(_)) => action::CHANNEL_OVERWRITE_UPDATE,
        (Some(_), None) => action::CHANNEL_OVERWRITE_DELETE,
    };
    let bits = |o: Option<&db::Overwrite>, f: fn(&db::Overwrite) -> i64| {
        o.map(|o| json!(Permissions(f(o) as u64)))
    };
    let mut changes = Vec::new();
    for (key, f) in [
        (
            "allow",
            (|o: &db::Overwrite| o.allow) as fn(&db::Overwrite) -> i64,
        ),
        ("deny", |o: &db::Overwrite| o.deny),
    ] {
        let (old, new) = (bits(before, f), bits(after, f));
        if old != new {
            changes.push(changed(key, old, new));
        }
    }
    for (key, v) in [
        ("id", json!(o.target_id.to_string())),
        ("type", json!(o.kind)),
    ] {
        match (before, after) {
            (None, Some(_)) => changes.push(changed(key, None, Some(v))),
            (Some(_), None) => changes.push(changed(key, Some(v), None)),
            _ => {}
        }
    }
    let mut options = json!({"id": o.target_id.to_string(), "type": o.kind.to_string()});
    if o.kind == i64::from(OverwriteKind::Role) {
        let roles = change.state().store.fetch_roles(o.guild_id).await?;
        if let Some(r) = roles.iter().find(|r| r.id.snowflake() == o.target_id) {
            options["role_name"] = json!(r.name);
        }
    }
    change.record(journal::Entry {
        guild_id: o.guild_id,
        actor: auth.id(),
        target: Some(channel.id.snowflake()),
        action: act,
        changes,
        options: Some(options),
        reason,
    });
    Ok(())
}

/// Records an audit entry for each target whose overwrite a change of the whole list created,
/// changed or removed.
pub(crate) async fn audit_list_change(
    change: &mut Change<'_>,
    auth: &Auth,
    reason: &Reason,
    channel: &db::Channel,
    before: &[db::Overwrite],
    after: &[db::Overwrite],
) -> ApiResult<()> {
    let mut targets: Vec<Snowflake> = before.iter().chain(after).map(|o| o.target_id).collect();
    targets.sort_unstable();
    targets.dedup();
    for t in targets {
        let (b, a) = (find(before, t), find(after, t));
        if b != a {
            audit_overwrite(change, auth, reason, channel, b, a).await?;
        }
    }
    Ok(())
}

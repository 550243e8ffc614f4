//! The rules of roles shared by the handlers that make them (a role made by a moderator, the
//! managed role of a bot that joins): a new role goes in at the bottom of the hierarchy.

use hearth_core::{positions, RoleId};
use hearth_protocol::events::{Event, GuildRole};
use hearth_store as db;

use crate::change::Change;
use crate::{convert, ApiResult};

/// Stores `role` at the bottom of the hierarchy (position 1): every other role of its guild in
/// `existing` (@everyone aside) moves up one, renumbered when the top would be passed. Publishes
/// GUILD_ROLE_CREATE for the role and GUILD_ROLE_UPDATE for each role that moved.
pub(crate) async fn insert_at_bottom(
    change: &mut Change<'_>,
    existing: &[db::Role],
    role: &db::Role,
) -> ApiResult<()> {
    let state = change.state();
    let guild_id = role.guild_id;
    let others: Vec<(RoleId, i64)> = existing
        .iter()
        .filter(|r| !r.id.is_everyone_of(guild_id))
        .map(|r| (r.id, r.position))
        .collect();
    let moved: Vec<db::RolePosition> = positions::make_room_at_bottom(&others)
        .into_iter()
        .map(|(id, position)| db::RolePosition { id, position })
        .collect();
    let after = state.store.update_role_positions(guild_id, &moved).await?;
    state.store.insert_role(role).await?;
    change.publish(Event::GuildRoleCreate(GuildRole {
        guild_id,
        role: convert::role(role),
    }));
    for r in &after {
        let before = existing.iter().find(|x| x.id == r.id);
        if before.is_some_and(|b| b.position != r.position) {
            change.publish(Event::GuildRoleUpdate(GuildRole {
                guild_id,
                role: convert::role(r),
            }));
        }
    }
    Ok(())
}

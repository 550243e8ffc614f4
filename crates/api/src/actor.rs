//! The caller in a guild as the role hierarchy sees them: their permissions, their rank (the
//! position of their highest role; the owner outranks all) and the guild's roles. Shared by the
//! handlers that change roles, members and bans.

use hearth_core::permissions::Rank;
use hearth_core::{GuildId, Permissions, RoleId, UserId};
use hearth_store as db;

use crate::{access, ApiError, ApiResult, AppState};

/// The caller in a guild: its permissions, its rank and the guild's roles.
pub(crate) struct Actor {
    pub(crate) perms: Permissions,
    pub(crate) rank: Rank,
    pub(crate) roles: Vec<db::Role>,
    pub(crate) owner_id: UserId,
}

impl Actor {
    pub(crate) async fn load(
        state: &AppState,
        guild_id: GuildId,
        user: UserId,
    ) -> ApiResult<Actor> {
        let (guild, perms) = access::guild(state, guild_id, user).await?;
        let roles = state.store.fetch_roles(guild_id).await?;
        let member = state
            .store
            .fetch_member(guild_id, user)
            .await?
            .ok_or(ApiError::MissingAccess)?;
        let positions = member
            .roles
            .iter()
            .filter_map(|r| roles.iter().find(|x| x.id == *r).map(|x| x.position));
        let rank = Rank::of(guild.owner_id == user, positions);
        Ok(Actor {
            perms,
            rank,
            roles,
            owner_id: guild.owner_id,
        })
    }

    /// MANAGE_ROLES.
    pub(crate) fn manager(self) -> ApiResult<Actor> {
        access::require(self.perms, Permissions::MANAGE_ROLES)?;
        Ok(self)
    }

    pub(crate) fn role(&self, id: RoleId) -> ApiResult<&db::Role> {
        self.roles
            .iter()
            .find(|r| r.id == id)
            .ok_or(ApiError::UnknownRole)
    }

    /// A role below the caller's highest (refused otherwise).
    pub(crate) fn manageable(&self, role: &db::Role) -> ApiResult<()> {
        if self.rank.manages_role(role.position) {
            Ok(())
        } else {
            Err(ApiError::MissingPermissions)
        }
    }

    /// The rank of another member of the guild.
    pub(crate) fn rank_of(&self, member: &db::Member) -> Rank {
        let positions = member
            .roles
            .iter()
            .filter_map(|r| self.roles.iter().find(|x| x.id == *r).map(|x| x.position));
        Rank::of(member.user_id == self.owner_id, positions)
    }

    /// Refuses to grant bits the caller does not hold itself (administrators hold them all).
    pub(crate) fn may_grant(&self, old: Permissions, new: Permissions) -> ApiResult<()> {
        let added = Permissions(new.0 & !old.0);
        if self.perms == Permissions::ALL || self.perms.contains(added) {
            Ok(())
        } else {
            Err(ApiError::MissingPermissions)
        }
    }
}

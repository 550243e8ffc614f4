//! Guild members and the roles they hold: [`MemberStore`].

use async_trait::async_trait;
use hearth_core::{GuildId, RoleId, UserId};

use crate::{Member, MemberPatch, PermissionInput, Result, User};

/// Guild members, their roles, and what permission computation needs about them.
#[async_trait]
pub trait MemberStore: Send + Sync {
    /// Adds a member with roles (a repeated role id counts once) in one transaction; false when
    /// the user already was one (nothing changes then, also when two callers race: one of them
    /// gets true).
    async fn insert_member(&self, member: &Member) -> Result<bool>;
    /// Gives a member a role; true when newly given. False when it had it already, or when the
    /// member or the role does not exist, or the role is @everyone (never stored).
    async fn insert_member_role(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        role_id: RoleId,
    ) -> Result<bool>;
    /// One member with its roles.
    async fn fetch_member(&self, guild_id: GuildId, user_id: UserId) -> Result<Option<Member>>;
    /// Members by ascending user id after `after`, with their users.
    async fn fetch_members(
        &self,
        guild_id: GuildId,
        after: UserId,
        limit: i64,
    ) -> Result<Vec<(Member, User)>>;
    /// How many members a guild has.
    async fn count_members(&self, guild_id: GuildId) -> Result<i64>;
    /// What permission computation needs: the owner, @everyone's bits and the bits of each of the
    /// user's roles. None when the user is not a member.
    async fn fetch_permission_input(
        &self,
        guild_id: GuildId,
        user_id: UserId,
    ) -> Result<Option<PermissionInput>>;
    /// Changes nickname, roles (replaced as a set; ids of no role of the guild and @everyone are
    /// left out) and timeout in one transaction; returns the member with its roles, as
    /// [`MemberStore::fetch_member`] does (None: not a member).
    async fn update_member(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        patch: &MemberPatch,
    ) -> Result<Option<Member>>;
    /// Takes a role from a member; true when it had it.
    async fn delete_member_role(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        role_id: RoleId,
    ) -> Result<bool>;
    /// Removes a member; true when it existed.
    async fn delete_member(&self, guild_id: GuildId, user_id: UserId) -> Result<bool>;
}

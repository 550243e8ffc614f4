//! Friends, friend requests and blocks: [`RelationshipStore`].

use async_trait::async_trait;
use hearth_core::{Timestamp, UserId};

use crate::{FriendRequest, Relationship, RelationshipChange, Result, User};

/// Relationships between users, each user keeping their own side (a [`Relationship`] row per
/// user and other user).
///
/// Between two users there is, at any time, one of: nothing; a friendship (a
/// [`Friend`](hearth_core::RelationshipKind::Friend) row on each side); a pending request
/// ([`PendingOutgoing`](hearth_core::RelationshipKind::PendingOutgoing) for the sender,
/// [`PendingIncoming`](hearth_core::RelationshipKind::PendingIncoming) for the target); or a
/// block by one or by each of them ([`Blocked`](hearth_core::RelationshipKind::Blocked) on the
/// blocker's side only). The writes below keep it so.
///
/// Every write that changes both sides runs in one transaction that first locks the two users'
/// rows (the lower id first), so that writes on one pair take turns on PostgreSQL as they do
/// under SQLite's single writer: two users asking each other at once become friends once.
/// Writes naming a user that does not exist fail with
/// [`StoreError::MissingParent`](crate::StoreError::MissingParent).
#[async_trait]
pub trait RelationshipStore: Send + Sync {
    /// In one transaction, `from` asks `to` to be friends at `at`: refused with
    /// [`FriendRequest::Blocked`] when either has blocked the other; when `to` had asked `from`
    /// already, both become friends ([`FriendRequest::Accepted`], both rows rewritten with
    /// `since` = `at`); otherwise the request is recorded, outgoing for `from` and incoming for
    /// `to` ([`FriendRequest::Sent`]). Friends already, or asked already: nothing changes.
    async fn insert_friend_request(
        &self,
        from: UserId,
        to: UserId,
        at: Timestamp,
    ) -> Result<FriendRequest>;
    /// In one transaction, `blocker` blocks `blocked` at `at`: the blocker's side becomes a
    /// block (a friendship or request on it is replaced, its nickname dropped), and the other's
    /// friendship or request row is deleted; the other's own block of the blocker, if any,
    /// stays. Blocked already: nothing changes (an empty change).
    async fn insert_block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<RelationshipChange>;
    /// Every relationship of `user_id`, each with the other user, ascending by the other's id.
    async fn fetch_relationships(&self, user_id: UserId) -> Result<Vec<(Relationship, User)>>;
    /// `user_id`'s side of their relationship with `other_id`, if any.
    async fn fetch_relationship(
        &self,
        user_id: UserId,
        other_id: UserId,
    ) -> Result<Option<Relationship>>;
    /// Whether either of the two has blocked the other.
    async fn is_blocked(&self, a: UserId, b: UserId) -> Result<bool>;
    /// In one transaction, `user_id` accepts the friend request they received from `from`:
    /// both sides become friends with `since` = `at`. None (nothing changes) when `user_id`
    /// has no incoming request from `from`.
    async fn accept_friend_request(
        &self,
        user_id: UserId,
        from: UserId,
        at: Timestamp,
    ) -> Result<Option<RelationshipChange>>;
    /// Sets (or with None clears) `user_id`'s nickname for their friend `other_id`; the row as
    /// it is now, or None (nothing changes) when the two are not friends.
    async fn update_relationship_nickname(
        &self,
        user_id: UserId,
        other_id: UserId,
        nickname: Option<&str>,
    ) -> Result<Option<Relationship>>;
    /// In one transaction, ends a friendship or a pending request between the two, whoever
    /// sent it (removing a friend, declining, cancelling): both rows are deleted. Blocks are
    /// left as they are ([`RelationshipStore::delete_block`] lifts one). An empty change when
    /// there was no friendship or request.
    async fn delete_relationship(
        &self,
        user_id: UserId,
        other_id: UserId,
    ) -> Result<RelationshipChange>;
    /// Lifts `blocker`'s block of `blocked`: only the blocker's row goes (a block the other
    /// made stays). The deleted row, or None when there was no such block.
    async fn delete_block(&self, blocker: UserId, blocked: UserId) -> Result<Option<Relationship>>;
    /// The friends of each of `users`: (user, friend) pairs, by user then friend.
    async fn fetch_friends_of(&self, users: &[UserId]) -> Result<Vec<(UserId, UserId)>>;
}

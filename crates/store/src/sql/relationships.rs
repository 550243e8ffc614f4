//! The SQL of [`crate::RelationshipStore`].

use async_trait::async_trait;
use hearth_core::{RelationshipKind, Timestamp, UserId};

use super::{Backend, DB};
use crate::{
    nul_free, FriendRequest, Relationship, RelationshipChange, RelationshipStore, Result, User,
};

type Tx<'c> = sqlx::Transaction<'c, DB>;

/// A relationship row read with the other user's row (their columns do not overlap).
#[derive(sqlx::FromRow)]
struct WithUser {
    #[sqlx(flatten)]
    relationship: Relationship,
    #[sqlx(flatten)]
    user: User,
}

/// Locks the rows of both users, the lower id first, for the rest of the transaction: on
/// PostgreSQL, writes on one pair then take turns (and two pairs sharing a user cannot
/// deadlock); SQLite has one writer. The write changes nothing; the row lock is the point
/// (`SELECT ... FOR UPDATE` is PostgreSQL's alone).
async fn lock_pair_in(tx: &mut Tx<'_>, a: UserId, b: UserId) -> Result<()> {
    for id in [a.min(b), a.max(b)] {
        sqlx::query("UPDATE users SET disabled = disabled WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Both sides of a pair: `a`'s row, then `b`'s.
async fn pair_in(
    tx: &mut Tx<'_>,
    a: UserId,
    b: UserId,
) -> Result<(Option<Relationship>, Option<Relationship>)> {
    let rows: Vec<Relationship> = sqlx::query_as(
        "SELECT * FROM relationships
         WHERE (user_id = $1 AND other_id = $2) OR (user_id = $2 AND other_id = $1)",
    )
    .bind(a)
    .bind(b)
    .fetch_all(&mut **tx)
    .await?;
    let side = |owner: UserId| rows.iter().find(|r| r.user_id == owner).cloned();
    Ok((side(a), side(b)))
}

/// Writes `user_id`'s side as `kind` since `at` (replacing what was there, nickname dropped).
async fn put_in(
    tx: &mut Tx<'_>,
    user_id: UserId,
    other_id: UserId,
    kind: RelationshipKind,
    at: Timestamp,
) -> Result<Relationship> {
    Ok(sqlx::query_as(
        "INSERT INTO relationships (user_id, other_id, type, since, nickname)
         VALUES ($1, $2, $3, $4, NULL)
         ON CONFLICT (user_id, other_id)
            DO UPDATE SET type = excluded.type, since = excluded.since, nickname = NULL
         RETURNING *",
    )
    .bind(user_id)
    .bind(other_id)
    .bind(i64::from(kind))
    .bind(at.0)
    .fetch_one(&mut **tx)
    .await?)
}

/// Makes the two friends since `at`, on both sides.
async fn befriend_in(
    tx: &mut Tx<'_>,
    a: UserId,
    b: UserId,
    at: Timestamp,
) -> Result<RelationshipChange> {
    let written = vec![
        put_in(tx, a, b, RelationshipKind::Friend, at).await?,
        put_in(tx, b, a, RelationshipKind::Friend, at).await?,
    ];
    Ok(RelationshipChange {
        written,
        deleted: Vec::new(),
    })
}

/// Deletes the friendship or request rows of the pair (never a block); returns them.
async fn unfriend_in(tx: &mut Tx<'_>, a: UserId, b: UserId) -> Result<Vec<Relationship>> {
    let mut deleted: Vec<Relationship> = sqlx::query_as(
        "DELETE FROM relationships
         WHERE ((user_id = $1 AND other_id = $2) OR (user_id = $2 AND other_id = $1))
            AND type <> $3
         RETURNING *",
    )
    .bind(a)
    .bind(b)
    .bind(i64::from(RelationshipKind::Blocked))
    .fetch_all(&mut **tx)
    .await?;
    deleted.sort_by_key(|r| r.user_id != a);
    Ok(deleted)
}

fn is_block(r: &Option<Relationship>) -> bool {
    r.as_ref()
        .is_some_and(|r| r.kind == RelationshipKind::Blocked)
}

#[async_trait]
impl RelationshipStore for Backend {
    async fn insert_friend_request(
        &self,
        from: UserId,
        to: UserId,
        at: Timestamp,
    ) -> Result<FriendRequest> {
        let mut tx = self.writer().begin().await?;
        lock_pair_in(&mut tx, from, to).await?;
        let (mine, theirs) = pair_in(&mut tx, from, to).await?;
        if is_block(&mine) || is_block(&theirs) {
            return Ok(FriendRequest::Blocked);
        }
        let outcome = match mine.map(|r| r.kind) {
            Some(RelationshipKind::Friend) => return Ok(FriendRequest::AlreadyFriends),
            Some(RelationshipKind::PendingOutgoing) => return Ok(FriendRequest::AlreadySent),
            Some(RelationshipKind::PendingIncoming) => {
                FriendRequest::Accepted(befriend_in(&mut tx, from, to, at).await?)
            }
            // (A block of the sender's was refused above.)
            Some(RelationshipKind::Blocked) | None => {
                let written = vec![
                    put_in(&mut tx, from, to, RelationshipKind::PendingOutgoing, at).await?,
                    put_in(&mut tx, to, from, RelationshipKind::PendingIncoming, at).await?,
                ];
                FriendRequest::Sent(RelationshipChange {
                    written,
                    deleted: Vec::new(),
                })
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn insert_block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<RelationshipChange> {
        let mut tx = self.writer().begin().await?;
        lock_pair_in(&mut tx, blocker, blocked).await?;
        let (mine, _) = pair_in(&mut tx, blocker, blocked).await?;
        if is_block(&mine) {
            return Ok(RelationshipChange::default());
        }
        // The blocker's own friendship or request row is replaced, not deleted: only the other
        // side's goes.
        let deleted = unfriend_in(&mut tx, blocker, blocked)
            .await?
            .into_iter()
            .filter(|r| r.user_id == blocked)
            .collect();
        let written = vec![put_in(&mut tx, blocker, blocked, RelationshipKind::Blocked, at).await?];
        tx.commit().await?;
        Ok(RelationshipChange { written, deleted })
    }

    async fn fetch_relationships(&self, user_id: UserId) -> Result<Vec<(Relationship, User)>> {
        let rows: Vec<WithUser> = sqlx::query_as(
            "SELECT r.*, u.* FROM relationships r JOIN users u ON u.id = r.other_id
             WHERE r.user_id = $1 ORDER BY r.other_id",
        )
        .bind(user_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(|r| (r.relationship, r.user)).collect())
    }

    async fn fetch_relationship(
        &self,
        user_id: UserId,
        other_id: UserId,
    ) -> Result<Option<Relationship>> {
        Ok(
            sqlx::query_as("SELECT * FROM relationships WHERE user_id = $1 AND other_id = $2")
                .bind(user_id)
                .bind(other_id)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    async fn is_blocked(&self, a: UserId, b: UserId) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT type FROM relationships
             WHERE ((user_id = $1 AND other_id = $2) OR (user_id = $2 AND other_id = $1))
                AND type = $3
             LIMIT 1",
        )
        .bind(a)
        .bind(b)
        .bind(i64::from(RelationshipKind::Blocked))
        .fetch_optional(self.reader())
        .await?;
        Ok(row.is_some())
    }

    async fn accept_friend_request(
        &self,
        user_id: UserId,
        from: UserId,
        at: Timestamp,
    ) -> Result<Option<RelationshipChange>> {
        let mut tx = self.writer().begin().await?;
        lock_pair_in(&mut tx, user_id, from).await?;
        let (mine, _) = pair_in(&mut tx, user_id, from).await?;
        if mine.map(|r| r.kind) != Some(RelationshipKind::PendingIncoming) {
            return Ok(None);
        }
        let change = befriend_in(&mut tx, user_id, from, at).await?;
        tx.commit().await?;
        Ok(Some(change))
    }

    async fn update_relationship_nickname(
        &self,
        user_id: UserId,
        other_id: UserId,
        nickname: Option<&str>,
    ) -> Result<Option<Relationship>> {
        nul_free(&[("nickname", nickname)])?;
        Ok(sqlx::query_as(
            "UPDATE relationships SET nickname = $3
             WHERE user_id = $1 AND other_id = $2 AND type = $4 RETURNING *",
        )
        .bind(user_id)
        .bind(other_id)
        .bind(nickname)
        .bind(i64::from(RelationshipKind::Friend))
        .fetch_optional(self.writer())
        .await?)
    }

    async fn delete_relationship(
        &self,
        user_id: UserId,
        other_id: UserId,
    ) -> Result<RelationshipChange> {
        let mut tx = self.writer().begin().await?;
        lock_pair_in(&mut tx, user_id, other_id).await?;
        let deleted = unfriend_in(&mut tx, user_id, other_id).await?;
        tx.commit().await?;
        Ok(RelationshipChange {
            written: Vec::new(),
            deleted,
        })
    }

    async fn delete_block(&self, blocker: UserId, blocked: UserId) -> Result<Option<Relationship>> {
        Ok(sqlx::query_as(
            "DELETE FROM relationships WHERE user_id = $1 AND other_id = $2 AND type = $3
             RETURNING *",
        )
        .bind(blocker)
        .bind(blocked)
        .bind(i64::from(RelationshipKind::Blocked))
        .fetch_optional(self.writer())
        .await?)
    }

    async fn fetch_friends_of(&self, users: &[UserId]) -> Result<Vec<(UserId, UserId)>> {
        let mut out = Vec::new();
        for chunk in super::sorted_ids(users).chunks(super::ID_CHUNK) {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "SELECT user_id, other_id FROM relationships WHERE type = ",
            );
            q.push_bind(i64::from(RelationshipKind::Friend))
                .push(" AND user_id IN ");
            super::push_id_list(&mut q, chunk);
            q.push(" ORDER BY user_id, other_id");
            let rows: Vec<(UserId, UserId)> = q.build_query_as().fetch_all(self.reader()).await?;
            out.extend(rows);
        }
        Ok(out)
    }
}

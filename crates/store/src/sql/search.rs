//! The SQL of [`crate::SearchStore`], and the index upkeep the message writes run in their
//! transactions ([`index_in`], [`reindex_in`], [`unindex_in`]).
//!
//! Every statement here is the same text on both databases: `message_search` is an FTS5
//! table on SQLite and an ordinary table on PostgreSQL (migration 0013), both with a `rowid`,
//! and the searchable text is matched with LIKE patterns built by [`normalize`].

use async_trait::async_trait;
use sqlx::QueryBuilder;

use super::{push_id_list, sorted_ids, Backend, DB, ID_CHUNK};
use crate::search::{has, normalize, SearchSort, RELEVANCE_WINDOW};
use crate::{Message, Result, SearchPage, SearchQuery, SearchStore};

/// Adds a message to the index (one statement): what a person wrote (types 0 and 19); the
/// server's system messages (a join, a rename) are not searched.
pub(super) async fn index_in(tx: &mut sqlx::Transaction<'_, DB>, m: &Message) -> Result<()> {
    if m.kind != 0 && m.kind != 19 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO message_search (rowid, channel_id, body, mentions, has_bits)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(m.id)
    .bind(m.channel_id)
    .bind(normalize::body(&m.content))
    .bind(normalize::mentions(&m.content))
    .bind(has::of(&m.content, &m.embeds))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces an edited message's entry (one statement; nothing when it has none yet: the
/// backlog indexes it as it is then).
pub(super) async fn reindex_in(tx: &mut sqlx::Transaction<'_, DB>, m: &Message) -> Result<()> {
    sqlx::query(
        "UPDATE message_search SET body = $2, mentions = $3, has_bits = $4 WHERE rowid = $1",
    )
    .bind(m.id)
    .bind(normalize::body(&m.content))
    .bind(normalize::mentions(&m.content))
    .bind(has::of(&m.content, &m.embeds))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes messages out of the index (deleted, or their content erased): one statement per
/// [`ID_CHUNK`] ids. Run it in the transaction that tombstones or erases them.
pub(super) async fn unindex_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    ids: &[hearth_core::MessageId],
) -> Result<()> {
    for chunk in sorted_ids(ids).chunks(ID_CHUNK) {
        let mut q = QueryBuilder::<DB>::new("DELETE FROM message_search WHERE rowid IN ");
        push_id_list(&mut q, chunk);
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// `FROM ... WHERE ...` of a search over `channels` (sorted ids, not empty).
fn push_from(q: &mut QueryBuilder<'_, DB>, query: &SearchQuery, channels: &[i64]) {
    q.push(
        " FROM messages m JOIN message_search s ON s.rowid = m.id
          WHERE m.deleted_at IS NULL AND m.channel_id IN ",
    );
    push_id_list(q, channels);
    if !query.authors.is_empty() {
        q.push(" AND m.author_id IN ");
        push_id_list(q, &sorted_ids(&query.authors));
    }
    if let Some(min) = query.min_id {
        q.push(" AND m.id > ").push_bind(min);
    }
    if let Some(max) = query.max_id {
        q.push(" AND m.id < ").push_bind(max);
    }
    for term in &query.terms {
        q.push(" AND s.body LIKE ")
            .push_bind(normalize::pattern(term));
    }
    if !query.mentions.is_empty() {
        // `|| ''` keeps FTS5 from taking the LIKE as a pattern query on the (unindexed) column.
        q.push(" AND (");
        let mut any = q.separated(" OR ");
        for user in sorted_ids(&query.mentions) {
            any.push("(s.mentions || '') LIKE ")
                .push_bind_unseparated(normalize::mention_pattern(user as u64));
        }
        q.push(")");
    }
    if query.has != 0 {
        q.push(" AND (s.has_bits & ")
            .push_bind(query.has)
            .push(") = ")
            .push_bind(query.has);
    }
    if query.has_not != 0 {
        q.push(" AND (s.has_bits & ")
            .push_bind(query.has_not)
            .push(") = 0");
    }
}

impl Backend {
    /// How many messages match.
    async fn search_count(&self, query: &SearchQuery, channels: &[i64]) -> Result<i64> {
        let mut q = QueryBuilder::<DB>::new("SELECT COUNT(*)");
        push_from(&mut q, query, channels);
        let (n,): (i64,) = q.build_query_as().fetch_one(self.reader()).await?;
        Ok(n)
    }

    /// The page in id order.
    async fn search_by_time(&self, query: &SearchQuery, channels: &[i64]) -> Result<Vec<Message>> {
        let mut q = QueryBuilder::<DB>::new("SELECT m.*");
        push_from(&mut q, query, channels);
        q.push(if query.ascending {
            " ORDER BY m.id ASC"
        } else {
            " ORDER BY m.id DESC"
        });
        q.push(" LIMIT ").push_bind(query.limit);
        q.push(" OFFSET ").push_bind(query.offset);
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }

    /// The page by relevance: the newest matches ranked here, then the page's messages read.
    async fn search_by_relevance(
        &self,
        query: &SearchQuery,
        channels: &[i64],
    ) -> Result<Vec<Message>> {
        let mut q = QueryBuilder::<DB>::new("SELECT m.id, s.body");
        push_from(&mut q, query, channels);
        q.push(" ORDER BY m.id DESC LIMIT ")
            .push_bind(RELEVANCE_WINDOW);
        let rows: Vec<(i64, String)> = q.build_query_as().fetch_all(self.reader()).await?;
        let mut ranked: Vec<(i64, i64)> = rows
            .iter()
            .map(|(id, body)| (normalize::score(body, &query.terms), *id))
            .collect();
        // Most relevant first, newer first among equals; ascending reverses both.
        ranked.sort_unstable_by(|a, b| b.cmp(a));
        if query.ascending {
            ranked.reverse();
        }
        let page: Vec<i64> = ranked
            .iter()
            .skip(query.offset.max(0) as usize)
            .take(query.limit.max(0) as usize)
            .map(|(_, id)| *id)
            .collect();
        if page.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<DB>::new("SELECT * FROM messages WHERE channel_id IN ");
        push_id_list(&mut q, channels);
        q.push(" AND id IN ");
        push_id_list(&mut q, &page);
        let found: Vec<Message> = q.build_query_as().fetch_all(self.reader()).await?;
        Ok(page
            .iter()
            .filter_map(|id| found.iter().find(|m| m.id.as_i64() == *id).cloned())
            .collect())
    }
}

#[async_trait]
impl SearchStore for Backend {
    async fn fetch_search(&self, query: &SearchQuery) -> Result<SearchPage> {
        let channels = sorted_ids(&query.channels);
        if channels.is_empty() || query.limit <= 0 {
            return Ok(SearchPage {
                total: 0,
                messages: Vec::new(),
            });
        }
        let total = self.search_count(query, &channels).await?;
        let messages = if total == 0 {
            Vec::new()
        } else if query.sort == SearchSort::Relevance && !query.terms.is_empty() {
            self.search_by_relevance(query, &channels).await?
        } else {
            self.search_by_time(query, &channels).await?
        };
        Ok(SearchPage { total, messages })
    }

    async fn update_search_backlog(&self, batch: i64) -> Result<usize> {
        let mut tx = self.writer().begin().await?;
        let pending: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT channel_id, id FROM message_search_pending ORDER BY channel_id, id LIMIT $1",
        )
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        for (channel_id, id) in &pending {
            let m: Option<Message> = sqlx::query_as(
                "SELECT * FROM messages WHERE channel_id = $1 AND id = $2 AND deleted_at IS NULL",
            )
            .bind(channel_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(m) = m {
                index_in(&mut tx, &m).await?;
            }
            sqlx::query("DELETE FROM message_search_pending WHERE channel_id = $1 AND id = $2")
                .bind(channel_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(pending.len())
    }
}

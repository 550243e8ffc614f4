//! Message search: [`SearchStore`], the query it answers and the searchable form of text.
//!
//! The index (`message_search`, migration 0013) holds one row per message that is not
//! deleted, written in the transaction that inserts, edits or deletes the message. Text is
//! normalised here, in Rust ([`normalize`]), and matched with the same LIKE patterns on both
//! databases (FTS5 trigram on SQLite, pg_trgm on PostgreSQL answer them from an index), so
//! both find the same messages.

use async_trait::async_trait;
use hearth_core::{ChannelId, MessageId, UserId};

use crate::{Message, Result};

pub mod normalize;

/// What a message has, as bits of the index's `has_bits` (Discord's `has` values).
pub mod has {
    /// A link (`http://` or `https://`) in the content.
    pub const LINK: i64 = 1;
    /// An embed.
    pub const EMBED: i64 = 2;
    /// An attachment.
    pub const FILE: i64 = 4;
    /// An image (an attachment or an embed's image or thumbnail).
    pub const IMAGE: i64 = 8;
    /// A video (an attachment or an embed's video).
    pub const VIDEO: i64 = 16;
    /// An audio attachment.
    pub const SOUND: i64 = 32;
    /// A sticker.
    pub const STICKER: i64 = 64;

    /// The bit of a `has` value (`link`, `embed`, `file`, `image`, `video`, `sound`,
    /// `sticker`).
    pub fn bit(name: &str) -> Option<i64> {
        Some(match name {
            "link" => LINK,
            "embed" => EMBED,
            "file" => FILE,
            "image" => IMAGE,
            "video" => VIDEO,
            "sound" => SOUND,
            "sticker" => STICKER,
            _ => return None,
        })
    }

    /// What a message with this content and these embeds (JSON text) has. hearth stores no
    /// attachments or stickers yet, so FILE, SOUND and STICKER are never set today.
    pub fn of(content: &str, embeds: &str) -> i64 {
        let mut bits = 0;
        let lower = content.to_ascii_lowercase();
        if lower.contains("http://") || lower.contains("https://") {
            bits |= LINK;
        }
        let embeds = embeds.trim();
        if !embeds.is_empty() && embeds != "[]" {
            bits |= EMBED;
            if embeds.contains("\"image\":{") || embeds.contains("\"thumbnail\":{") {
                bits |= IMAGE;
            }
            if embeds.contains("\"video\":{") {
                bits |= VIDEO;
            }
        }
        bits
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchSort {
    /// By id (time).
    Timestamp,
    /// By how well the message answers the terms ([`normalize::score`]), ties newest first;
    /// without terms, as [`SearchSort::Timestamp`].
    Relevance,
}

/// A search: every condition given must hold; lists match any of their values.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// The channels searched (the caller may read them all); empty finds nothing.
    pub channels: Vec<ChannelId>,
    /// Terms from [`normalize::terms`]: each must occur.
    pub terms: Vec<String>,
    /// Written by one of these users (empty: anyone).
    pub authors: Vec<UserId>,
    /// Mentioning one of these users (empty: no condition).
    pub mentions: Vec<UserId>,
    /// [`has`] bits the message must all have.
    pub has: i64,
    /// [`has`] bits the message must not have.
    pub has_not: i64,
    /// Only ids above this one.
    pub min_id: Option<MessageId>,
    /// Only ids below this one.
    pub max_id: Option<MessageId>,
    /// Order.
    pub sort: SearchSort,
    /// Ascending (oldest or least relevant first) rather than descending.
    pub ascending: bool,
    /// Results skipped.
    pub offset: i64,
    /// Results returned.
    pub limit: i64,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    /// How many messages match in all.
    pub total: i64,
    /// This page of them, in the order asked.
    pub messages: Vec<Message>,
}

/// The most results relevance ordering ranks (Discord's offset limit plus a page).
pub const RELEVANCE_WINDOW: i64 = 10_000;

/// Searching messages. The store checks no permission: the caller names the channels.
#[async_trait]
pub trait SearchStore: Send + Sync {
    /// The messages of `query.channels` (not deleted) that match `query`, `query.limit` of
    /// them after `query.offset`, and their total count: two reads (relevance: the count,
    /// then the newest [`RELEVANCE_WINDOW`] matches' ids and text, then the page's messages).
    async fn fetch_search(&self, query: &SearchQuery) -> Result<SearchPage>;
    /// Indexes up to `batch` of the messages written before the index existed (migration
    /// 0013 lists them); the number indexed, 0 when none are left. Run at start.
    async fn update_search_backlog(&self, batch: i64) -> Result<usize>;
}

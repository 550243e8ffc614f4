//! The store contract for message search: one seeded corpus (English, accents, CJK,
//! punctuation, mentions, links and embeds) gives the same hits on both databases; an edited
//! message is found by its new text and not its old one; a deleted message (alone, in bulk,
//! or with a ban) leaves the index; filters, paging and both orders. Every test runs on
//! SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set, each on a database of
//! its own.

use std::sync::Arc;

use hearth_core::{ChannelId, MessageId, Timestamp, UserId};
use hearth_store::search::has;
use hearth_store::search::normalize::terms;
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

contract!(
    the_corpus_gives_the_expected_hits,
    filters_narrow_the_hits,
    pages_and_orders_are_kept,
    an_edited_message_is_found_by_its_new_text_only,
    deleted_messages_leave_the_index,
    nothing_is_found_outside_the_channels_named,
);

/// The seeded corpus: two channels of one guild, two authors.
struct Corpus {
    alice: User,
    bob: User,
    general: ChannelId,
    other: ChannelId,
    /// The messages in the order written, by their content.
    ids: Vec<(&'static str, MessageId)>,
}

impl Corpus {
    fn id(&self, content: &str) -> MessageId {
        self.ids
            .iter()
            .find(|(c, _)| *c == content)
            .map(|(_, id)| *id)
            .unwrap_or_else(|| panic!("no message {content}"))
    }
}

const GENERAL: &[&str] = &[
    "Hello world, the Quick brown fox",
    "Crème brûlée at the café",
    "東京タワーへ行きましょう",
    "北京是中国的首都",
    "서울에서 만나요",
    "see https://example.org/docs for details",
    "don't panic! 50% off",
    "ping <@1111> and <@!2222>",
    "concatenate strings",
];

async fn seed(f: &Fixture, store: &Arc<dyn Store>) -> Corpus {
    let alice = f.user(store, "alice").await;
    let bob = f.user(store, "bob").await;
    let (guild, general) = f.guild(store, &alice).await;
    let other = f.channel(guild.id, "other");
    store.insert_channel(&other).await.unwrap();
    let mut ids = Vec::new();
    for (i, content) in GENERAL.iter().enumerate() {
        let author = if i % 2 == 0 { &alice } else { &bob };
        let m = f.message(general.id, author.id, content);
        store.insert_message(&m).await.unwrap();
        ids.push((*content, m.id));
    }
    let embed = Message {
        embeds: r#"[{"title":"pic","image":{"url":"https://example.org/a.png"}}]"#.into(),
        ..f.message(other.id, bob.id, "an image for the cat")
    };
    store.insert_message(&embed).await.unwrap();
    ids.push(("an image for the cat", embed.id));
    let cat = f.message(other.id, alice.id, "the cat sat, cat!");
    store.insert_message(&cat).await.unwrap();
    ids.push(("the cat sat, cat!", cat.id));
    Corpus {
        alice,
        bob,
        general: general.id,
        other: other.id,
        ids,
    }
}

fn query(c: &Corpus, text: &str) -> SearchQuery {
    SearchQuery {
        channels: vec![c.general, c.other],
        terms: terms(text),
        authors: vec![],
        mentions: vec![],
        has: 0,
        has_not: 0,
        min_id: None,
        max_id: None,
        sort: SearchSort::Timestamp,
        ascending: false,
        offset: 0,
        limit: 25,
    }
}

/// The contents found, in the order answered.
async fn found(store: &Arc<dyn Store>, q: &SearchQuery) -> Vec<String> {
    let page = store.fetch_search(q).await.unwrap();
    page.messages.into_iter().map(|m| m.content).collect()
}

async fn the_corpus_gives_the_expected_hits(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let c = seed(&f, &store).await;
    let cases: &[(&str, &[&str])] = &[
        ("hello", &["Hello world, the Quick brown fox"]),
        ("QUICK fox", &["Hello world, the Quick brown fox"]),
        ("quick cat", &[]),
        // accents fold both ways
        ("creme", &["Crème brûlée at the café"]),
        ("BRÛLÉE cafe", &["Crème brûlée at the café"]),
        // CJK: any run of characters, one character included
        ("東京", &["東京タワーへ行きましょう"]),
        ("タワー", &["東京タワーへ行きましょう"]),
        ("京", &["北京是中国的首都", "東京タワーへ行きましょう"]),
        ("首都", &["北京是中国的首都"]),
        ("서울", &["서울에서 만나요"]),
        ("에서", &["서울에서 만나요"]),
        // punctuation is a word break, in the query too
        ("don't", &["don't panic! 50% off"]),
        ("50%", &["don't panic! 50% off"]),
        (
            "example.org/docs",
            &["see https://example.org/docs for details"],
        ),
        // words match from their start
        ("cat", &["the cat sat, cat!", "an image for the cat"]),
        ("concat", &["concatenate strings"]),
        ("tenate", &[]),
        ("nothing-here", &[]),
    ];
    for (text, expected) in cases {
        let q = query(&c, text);
        assert_eq!(&found(&store, &q).await, expected, "query {text:?}");
        let total = store.fetch_search(&q).await.unwrap().total;
        assert_eq!(total, expected.len() as i64, "total of {text:?}");
    }
}

async fn filters_narrow_the_hits(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let c = seed(&f, &store).await;
    let by_bob = SearchQuery {
        authors: vec![c.bob.id],
        ..query(&c, "")
    };
    assert_eq!(store.fetch_search(&by_bob).await.unwrap().total, 5);
    let both = SearchQuery {
        authors: vec![c.bob.id, c.alice.id],
        ..query(&c, "cat")
    };
    assert_eq!(store.fetch_search(&both).await.unwrap().total, 2);
    let mentioning = SearchQuery {
        mentions: vec![UserId::from(hearth_core::Snowflake(2222))],
        ..query(&c, "")
    };
    assert_eq!(
        found(&store, &mentioning).await,
        vec!["ping <@1111> and <@!2222>"]
    );
    let links = SearchQuery {
        has: has::LINK,
        ..query(&c, "")
    };
    assert_eq!(
        found(&store, &links).await,
        vec!["see https://example.org/docs for details"]
    );
    let images = SearchQuery {
        has: has::IMAGE | has::EMBED,
        ..query(&c, "")
    };
    assert_eq!(found(&store, &images).await, vec!["an image for the cat"]);
    let files = SearchQuery {
        has: has::FILE,
        ..query(&c, "")
    };
    assert_eq!(store.fetch_search(&files).await.unwrap().total, 0);
    let no_embed = SearchQuery {
        has_not: has::EMBED,
        ..query(&c, "cat")
    };
    assert_eq!(found(&store, &no_embed).await, vec!["the cat sat, cat!"]);
    let one_channel = SearchQuery {
        channels: vec![c.other],
        ..query(&c, "")
    };
    assert_eq!(store.fetch_search(&one_channel).await.unwrap().total, 2);
    let window = SearchQuery {
        min_id: Some(c.id("Crème brûlée at the café")),
        max_id: Some(c.id("北京是中国的首都")),
        ..query(&c, "")
    };
    assert_eq!(
        found(&store, &window).await,
        vec!["東京タワーへ行きましょう"]
    );
}

async fn pages_and_orders_are_kept(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let c = seed(&f, &store).await;
    let all = query(&c, "");
    let newest: Vec<MessageId> = c.ids.iter().rev().map(|(_, id)| *id).collect();
    let page = store.fetch_search(&all).await.unwrap();
    assert_eq!(page.total, 11);
    let ids: Vec<MessageId> = page.messages.iter().map(|m| m.id).collect();
    assert_eq!(ids, newest);
    let second = SearchQuery {
        offset: 3,
        limit: 2,
        ..query(&c, "")
    };
    let ids: Vec<MessageId> = store
        .fetch_search(&second)
        .await
        .unwrap()
        .messages
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, newest[3..5]);
    let oldest = SearchQuery {
        ascending: true,
        limit: 1,
        ..query(&c, "")
    };
    assert_eq!(found(&store, &oldest).await, vec![GENERAL[0]]);
    // Relevance: the message with "cat" twice and as whole words comes first.
    let relevant = SearchQuery {
        sort: SearchSort::Relevance,
        ..query(&c, "cat")
    };
    assert_eq!(
        found(&store, &relevant).await,
        vec!["the cat sat, cat!", "an image for the cat"]
    );
    let least = SearchQuery {
        ascending: true,
        offset: 1,
        ..relevant.clone()
    };
    assert_eq!(found(&store, &least).await, vec!["the cat sat, cat!"]);
    assert_eq!(store.fetch_search(&least).await.unwrap().total, 2);
}

async fn an_edited_message_is_found_by_its_new_text_only(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let c = seed(&f, &store).await;
    let id = c.id("Hello world, the Quick brown fox");
    let mut m = store.fetch_message(c.general, id).await.unwrap().unwrap();
    m.content = "Goodbye moon, see https://example.net".into();
    m.edited_at = Some(Timestamp::now().0);
    store.update_message(&m).await.unwrap().unwrap();
    assert!(found(&store, &query(&c, "hello")).await.is_empty());
    assert_eq!(
        found(&store, &query(&c, "goodbye moon")).await,
        vec![m.content.clone()]
    );
    let links = SearchQuery {
        has: has::LINK,
        ..query(&c, "")
    };
    assert_eq!(store.fetch_search(&links).await.unwrap().total, 2);
}

async fn deleted_messages_leave_the_index(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let c = seed(&f, &store).await;
    assert!(store
        .delete_message(
            c.general,
            c.id("東京タワーへ行きましょう"),
            Timestamp::now()
        )
        .await
        .unwrap());
    assert_eq!(
        found(&store, &query(&c, "京")).await,
        vec!["北京是中国的首都"]
    );
    let gone = store
        .delete_messages(
            c.other,
            &[c.id("an image for the cat"), c.id("the cat sat, cat!")],
            Timestamp::now(),
        )
        .await
        .unwrap();
    assert_eq!(gone.len(), 2);
    assert_eq!(
        store.fetch_search(&query(&c, "cat")).await.unwrap().total,
        0
    );
    // A ban that deletes the banned member's messages takes them out too.
    let guild_id = store
        .fetch_channel(c.general)
        .await
        .unwrap()
        .unwrap()
        .guild_id
        .unwrap();
    store
        .insert_member(&f.member(guild_id, c.bob.id, vec![]))
        .await
        .unwrap();
    let ban = Ban {
        guild_id,
        user_id: c.bob.id,
        reason: None,
        created_at: Timestamp::now().0,
    };
    store
        .ban_member(&ban, Some(Timestamp(0)), Timestamp::now())
        .await
        .unwrap();
    let by_bob = SearchQuery {
        authors: vec![c.bob.id],
        ..query(&c, "")
    };
    assert_eq!(store.fetch_search(&by_bob).await.unwrap().total, 0);
    assert_eq!(store.update_search_backlog(100).await.unwrap(), 0);
}

async fn nothing_is_found_outside_the_channels_named(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let c = seed(&f, &store).await;
    let none = SearchQuery {
        channels: vec![],
        ..query(&c, "")
    };
    assert_eq!(store.fetch_search(&none).await.unwrap().total, 0);
    let elsewhere = SearchQuery {
        channels: vec![f.id()],
        ..query(&c, "cat")
    };
    assert!(found(&store, &elsewhere).await.is_empty());
}

//! The store contract for a message's mentions: the mentioned users, roles and @everyone are
//! stored with the message by the same insert, read back by every read (one message, history),
//! and replaced by an edit. Every test runs on SQLite, and on PostgreSQL when
//! `HEARTH_TEST_POSTGRES_URL` is set, each on a database of its own.

use std::sync::Arc;

use hearth_core::{RoleId, Timestamp, UserId};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

contract!(
    mentions_are_stored_with_the_message_and_read_back,
    an_edit_replaces_the_mentions,
    id_lists_read_what_they_write,
);

async fn mentions_are_stored_with_the_message_and_read_back(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let (guild, general) = f.guild(&store, &alice).await;
    let role = f.role(&store, guild.id, "crew").await;
    let plain = f.message(general.id, alice.id, "hello");
    let mut m = f.message(general.id, alice.id, "hi @everyone");
    m.mention_user_ids = id_text(&[bob.id, alice.id]);
    m.mention_role_ids = id_text(&[role.id]);
    m.mention_everyone = true;

    // Act
    store.insert_message(&plain).await.unwrap();
    store.insert_message(&m).await.unwrap();

    // Assert
    let one = store
        .fetch_message(general.id, m.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one, m);
    assert_eq!(
        id_list::<UserId>(&one.mention_user_ids),
        vec![bob.id, alice.id]
    );
    assert_eq!(id_list::<RoleId>(&one.mention_role_ids), vec![role.id]);
    let page = store
        .fetch_messages(general.id, HistoryPage::Latest, 10)
        .await
        .unwrap();
    assert_eq!(page, vec![m, plain.clone()]);
    assert_eq!(page[1].mention_user_ids, "");
    assert!(!page[1].mention_everyone);
}

async fn an_edit_replaces_the_mentions(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;
    let (_, general) = f.guild(&store, &alice).await;
    let mut m = f.message(general.id, alice.id, "hi");
    m.mention_user_ids = id_text(&[bob.id]);
    m.mention_everyone = true;
    store.insert_message(&m).await.unwrap();

    // Act
    m.content = "bye".into();
    m.mention_user_ids = id_text(&[alice.id]);
    m.mention_everyone = false;
    m.edited_at = Some(Timestamp::now().0);
    let edited = store.update_message(&m).await.unwrap().unwrap();

    // Assert
    assert_eq!(edited, m);
    assert_eq!(
        store.fetch_message(general.id, m.id).await.unwrap(),
        Some(m)
    );
}

async fn id_lists_read_what_they_write(_store: Arc<dyn Store>) {
    let ids = [UserId::from_i64(1), UserId::from_i64(9_007_199_254_740_993)];
    assert_eq!(id_list::<UserId>(&id_text(&ids)), ids.to_vec());
    assert_eq!(id_text::<UserId>(&[]), "");
    assert!(id_list::<UserId>("").is_empty());
}

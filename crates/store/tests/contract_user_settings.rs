//! The store contract for user settings: nothing stored is version 0, each write names the
//! version it read and adds one, a stale write changes nothing and returns what is stored, and
//! of two writers naming the same version exactly one wins. Like `contract.rs`, every test runs
//! on SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set, each on a database of
//! its own.

use std::sync::Arc;

use hearth_core::{Timestamp, UserId};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

contract!(
    nothing_is_stored_until_the_first_write_which_is_version_one,
    a_write_naming_the_stored_version_replaces_the_document_one_version_up,
    a_stale_write_changes_nothing_and_returns_what_is_stored,
    a_stale_write_when_nothing_is_stored_returns_none,
    two_writers_naming_the_same_version_one_wins,
    settings_are_kept_per_user,
    settings_of_a_missing_user_fail_as_missing_parent,
    a_document_holding_nul_is_refused,
);

/// How many times each race is run.
const ROUNDS: usize = 8;

fn at(micros: i64) -> Timestamp {
    Timestamp(micros)
}

/// Writes `document` expecting `version`; the written row (panics on a stale write).
async fn write(store: &Arc<dyn Store>, user: UserId, version: i64, document: &str) -> UserSettings {
    match store
        .update_user_settings(user, version, document, at(version + 100))
        .await
        .unwrap()
    {
        SettingsWrite::Written(row) => row,
        stale => panic!("expected a write at version {version}, got {stale:?}"),
    }
}

async fn nothing_is_stored_until_the_first_write_which_is_version_one(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    assert_eq!(store.fetch_user_settings(alice.id).await.unwrap(), None);

    // Act
    let done = store
        .update_user_settings(alice.id, 0, r#"{"theme":"dark"}"#, at(42))
        .await
        .unwrap();

    // Assert
    let row = UserSettings {
        user_id: alice.id,
        version: 1,
        document: r#"{"theme":"dark"}"#.into(),
        updated_at: 42,
    };
    assert_eq!(done, SettingsWrite::Written(row.clone()));
    assert_eq!(
        store.fetch_user_settings(alice.id).await.unwrap(),
        Some(row)
    );
}

async fn a_write_naming_the_stored_version_replaces_the_document_one_version_up(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    write(&store, alice.id, 0, "{}").await;

    let second = write(&store, alice.id, 1, r#"{"locale":"fr"}"#).await;
    let third = write(&store, alice.id, 2, r#"{"locale":"de"}"#).await;

    assert_eq!((second.version, second.updated_at), (2, 101));
    assert_eq!(
        (third.version, third.document.as_str(), third.updated_at),
        (3, r#"{"locale":"de"}"#, 102)
    );
    assert_eq!(
        store.fetch_user_settings(alice.id).await.unwrap(),
        Some(third)
    );
}

async fn a_stale_write_changes_nothing_and_returns_what_is_stored(store: Arc<dyn Store>) {
    // Arrange: version 2 is stored.
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    write(&store, alice.id, 0, r#"{"n":1}"#).await;
    let stored = write(&store, alice.id, 1, r#"{"n":2}"#).await;

    // Act and assert: every version but 2 is stale (0 as if nothing were stored, an old one, one
    // from the future, a negative one).
    for version in [0, 1, 3, 99, -1] {
        let done = store
            .update_user_settings(alice.id, version, r#"{"n":"stale"}"#, at(7))
            .await
            .unwrap();
        assert_eq!(
            done,
            SettingsWrite::Stale(Some(stored.clone())),
            "version {version}"
        );
    }
    assert_eq!(
        store.fetch_user_settings(alice.id).await.unwrap(),
        Some(stored)
    );
}

async fn a_stale_write_when_nothing_is_stored_returns_none(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;

    for version in [1, 5, -3] {
        let done = store
            .update_user_settings(alice.id, version, "{}", at(1))
            .await
            .unwrap();
        assert_eq!(done, SettingsWrite::Stale(None), "version {version}");
    }
    assert_eq!(store.fetch_user_settings(alice.id).await.unwrap(), None);
}

async fn two_writers_naming_the_same_version_one_wins(store: Arc<dyn Store>) {
    let f = Fixture::new();
    for _ in 0..ROUNDS {
        // Arrange: a user with nothing stored (the race of two INSERTs), then at version 1
        // (the race of two UPDATEs).
        let user = f.someone(&store).await;
        for version in [0, 1] {
            let (a, b) = (
                format!(r#"{{"by":"a{version}"}}"#),
                format!(r#"{{"by":"b{version}"}}"#),
            );

            // Act
            let (first, second) = tokio::join!(
                store.update_user_settings(user.id, version, &a, at(1)),
                store.update_user_settings(user.id, version, &b, at(2))
            );

            // Assert: one written, the other stale and told what the winner wrote.
            let (won, lost) = match (first.unwrap(), second.unwrap()) {
                (SettingsWrite::Written(w), SettingsWrite::Stale(s))
                | (SettingsWrite::Stale(s), SettingsWrite::Written(w)) => (w, s),
                both => panic!("expected one winner at version {version}, got {both:?}"),
            };
            assert_eq!(won.version, version + 1);
            assert!([&a, &b].contains(&&won.document), "{won:?}");
            assert_eq!(lost.as_ref(), Some(&won));
            assert_eq!(store.fetch_user_settings(user.id).await.unwrap(), Some(won));
        }
    }
}

async fn settings_are_kept_per_user(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let bob = f.user(&store, "bob").await;

    write(&store, alice.id, 0, r#"{"who":"alice"}"#).await;
    write(&store, alice.id, 1, r#"{"who":"alice again"}"#).await;
    let bobs = write(&store, bob.id, 0, r#"{"who":"bob"}"#).await;

    assert_eq!(bobs.version, 1);
    let alices = store.fetch_user_settings(alice.id).await.unwrap().unwrap();
    assert_eq!(
        (alices.version, alices.document.as_str()),
        (2, r#"{"who":"alice again"}"#)
    );
    assert_eq!(store.fetch_user_settings(bob.id).await.unwrap(), Some(bobs));
}

async fn settings_of_a_missing_user_fail_as_missing_parent(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let nobody: UserId = f.id();

    let first = store.update_user_settings(nobody, 0, "{}", at(1)).await;
    let later = store.update_user_settings(nobody, 4, "{}", at(1)).await;

    assert!(
        matches!(first, Err(StoreError::MissingParent(_))),
        "{first:?}"
    );
    assert_eq!(later.unwrap(), SettingsWrite::Stale(None));
    assert_eq!(store.fetch_user_settings(nobody).await.unwrap(), None);
}

async fn a_document_holding_nul_is_refused(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;

    let done = store
        .update_user_settings(alice.id, 0, "{\"a\":\"\0\"}", at(1))
        .await;

    assert!(
        matches!(&done, Err(StoreError::InvalidText(field)) if field == "document"),
        "{done:?}"
    );
    assert_eq!(store.fetch_user_settings(alice.id).await.unwrap(), None);
}

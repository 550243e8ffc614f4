//! The `contract!` macro shared by the store contract test files: each named test runs on
//! SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set, each on a database of its
//! own.

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = hearth_store::testing::TestDatabase::sqlite();
                    let store = hearth_store::connect(&db.url).await.expect("connect");
                    super::$name(store.clone()).await;
                    store.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = hearth_store::testing::TestDatabase::postgres().await else { return };
                    let store = hearth_store::connect(&db.url).await.expect("connect");
                    super::$name(store.clone()).await;
                    store.close().await;
                }
            )*
        }
    };
}

//! End-to-end tests: the real server on an ephemeral port, driven over HTTP. Every test runs on
//! SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set, each on a fresh database.

/// Runs each named test against both backends: `async fn name(app: &TestApp)`.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let app = crate::helpers::TestApp::spawn(crate::helpers::Backend::Sqlite).await.expect("sqlite app");
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(app) = crate::helpers::TestApp::spawn(crate::helpers::Backend::Postgres).await else { return };
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
    };
}

mod accounts;
mod audit;
mod bots;
mod bounds;
mod channel_preferences;
mod channels;
mod directed_invites;
mod errors;
mod events;
mod gateway;
mod guests;
mod guilds;
mod helpers;
mod invites;
mod matrix;
mod mentions;
mod messages;
mod moderation;
mod nodes;
mod nul;
mod overwrites;
mod positions;
mod presence;
mod private_channels;
mod races;
mod reactions;
mod relationships;
mod retention;
mod roles;
mod search;
mod state;
mod threads;
mod throttle;
mod user_settings;
mod walkthrough;
mod web;

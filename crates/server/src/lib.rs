//! hearth, the binary's library half: configuration and the server as a function of a
//! listener and a shutdown signal, so that tests can run the real server on port 0.
#![forbid(unsafe_code)]

pub mod config;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hearth_api::{ApiConfig, AppState};
use hearth_bus::{Bus, LocalBus};
use hearth_gateway::Hub;
use tokio::net::TcpListener;

pub use config::Config;

/// Opens storage (creating the data directory and applying migrations) and builds the app.
pub async fn prepare(config: &Config) -> anyhow::Result<(axum::Router, AppState)> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    }
    let store = hearth_store::connect(&url)
        .await
        .with_context(|| format!("opening database {}", config::redact_url(&url)))?;
    let api = ApiConfig {
        public_url: config.public_url.clone(),
        max_body_bytes: config.http.max_body_bytes,
    };
    let bus: Arc<dyn Bus> = Arc::new(LocalBus::default());
    let hub = Hub::new(store.clone(), bus.clone(), config.gateway.clone());
    hub.start();
    let state = AppState::new(store, bus, hub, config.node_id, api);
    Ok((hearth_api::router(state.clone()), state))
}

/// Serves on `listener` until `shutdown` completes, then lets in-flight requests finish (for at
/// most `http.shutdown_timeout_secs`) and closes the database.
pub async fn serve(
    config: &Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (app, state) = prepare(config).await?;
    serve_prepared(config, app, state, listener, shutdown).await
}

/// [`serve`] for an application made by [`prepare`] (tests subscribe to its bus first).
pub async fn serve_prepared(
    config: &Config,
    app: axum::Router,
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let hub = state.hub.clone();
    let drain = Duration::from_secs(config.http.shutdown_timeout_secs);
    tokio::spawn(async move {
        shutdown.await;
        // New HTTP connections stop; gateway clients are told to reconnect (op 7) elsewhere.
        let _ = stop_tx.send(true);
        hub.shutdown(drain).await;
    });
    let mut graceful_rx = stop_rx.clone();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = graceful_rx.wait_for(|stop| *stop).await;
    });
    tokio::select! {
        result = std::future::IntoFuture::into_future(server) => result.context("serving")?,
        _ = async {
            let _ = stop_rx.wait_for(|stop| *stop).await;
            tokio::time::sleep(drain).await;
        } => tracing::warn!("requests still running after {}s; closing them", drain.as_secs()),
    }
    state.hub.shutdown(Duration::from_secs(2)).await;
    state.store.close().await;
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

//! hearth, the binary's library half: configuration and the server as a function of a
//! listener and a shutdown signal, so that tests can run the real server on port 0.
#![forbid(unsafe_code)]

pub mod cluster;
pub mod config;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::serve::ListenerExt;
use hearth_api::{ApiConfig, AppState};
use hearth_bus::{Bus, LocalBus, NatsBus, NatsConfig};
use hearth_gateway::Hub;
use tokio::net::TcpListener;

pub use cluster::NodeLease;
pub use config::Config;

/// A node ready to serve: its routes, its shared state and its lease on its node id.
#[derive(Debug)]
pub struct Prepared {
    /// The HTTP and gateway routes.
    pub router: axum::Router,
    /// What the handlers share.
    pub state: AppState,
    /// This node's id, leased from the database.
    pub lease: NodeLease,
}

/// Opens storage (creating the data directory and applying migrations), connects the bus,
/// leases a node id and builds the app.
pub async fn prepare(config: &Config) -> anyhow::Result<Prepared> {
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
        node_url: config.cluster.node_url.clone(),
        max_body_bytes: config.http.max_body_bytes,
        trust_forwarded_for: config.http.trust_forwarded_for,
        auth: config.auth.clone(),
        primary_guild: config.primary_guild,
    };
    let bus: Arc<dyn Bus> = match &config.bus.url {
        Some(url) => {
            let nats = NatsConfig {
                url: url.clone(),
                subject_prefix: config.bus.subject_prefix.clone(),
                client_name: format!("hearth {}", config.listen),
            };
            let timeout = Duration::from_secs(config.bus.connect_timeout_secs);
            let bus = NatsBus::connect(&nats, timeout)
                .await
                .with_context(|| format!("connecting to NATS at {}", config::redact_url(url)))?;
            Arc::new(bus)
        }
        None => Arc::new(LocalBus::default()),
    };
    let ttl = Duration::from_secs(config.cluster.lease_secs);
    let url = config
        .cluster
        .node_url
        .as_ref()
        .or(config.public_url.as_ref());
    let lease =
        NodeLease::take(store.clone(), config.node_id, url.map(String::as_str), ttl).await?;
    let node_id = lease.node_id;
    let hub = Hub::new(store.clone(), bus.clone(), config.gateway.clone(), node_id);
    hub.start();
    // Presence left behind by an earlier life of this node id (a crash) goes offline now.
    let leftover = store.clear_node_presences(node_id).await?;
    if !leftover.is_empty() {
        hub.republish_presences(leftover).await;
    }
    tracing::info!(node_id, bus = bus.health().0, "node ready");
    let state = AppState::new(store, bus, hub, node_id, api);
    Ok(Prepared {
        router: hearth_api::router(state.clone()),
        state,
        lease,
    })
}

/// Serves on `listener` until `shutdown` completes, then lets in-flight requests finish (for at
/// most `http.shutdown_timeout_secs`) and closes the database.
pub async fn serve(
    config: &Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let prepared = prepare(config).await?;
    serve_prepared(config, prepared, listener, shutdown).await
}

/// [`serve`] for a node made by [`prepare`] (tests subscribe to its bus first). Also stops,
/// with an error, when the node loses its lease.
pub async fn serve_prepared(
    config: &Config,
    prepared: Prepared,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let Prepared {
        router: app,
        state,
        lease,
    } = prepared;
    let lease = Arc::new(lease);
    let lost = Arc::new(std::sync::Mutex::new(None));
    let keeper = {
        let (lease, hub, lost) = (lease.clone(), state.hub.clone(), lost.clone());
        tokio::spawn(async move {
            let e = lease.keep(hub).await;
            tracing::error!(error = %e, "stopping");
            *lost.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        })
    };
    let keeper_done = keeper.abort_handle();
    let purger = spawn_invite_purge(&state, config.invites.purge_interval_secs);
    let retainer = spawn_retention_purge(&state, config.retention.purge_interval_secs);
    let sweeper = tokio::spawn(sweep_guests(
        state.clone(),
        Duration::from_secs(config.guests.sweep_interval_secs),
    ));
    let archiver = tokio::spawn(archive_idle_threads(state.clone(), THREAD_SWEEP));
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let hub = state.hub.clone();
    let drain = Duration::from_secs(config.http.shutdown_timeout_secs);
    let lease_lost = {
        let lost = lost.clone();
        async move {
            loop {
                if lost.lock().unwrap_or_else(|p| p.into_inner()).is_some() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown => {},
            _ = lease_lost => {},
        }
        // New HTTP connections stop; gateway clients are told to reconnect (op 7) elsewhere.
        let _ = stop_tx.send(true);
        hub.shutdown(drain).await;
    });
    let mut graceful_rx = stop_rx.clone();
    // Small writes (a gateway event, a REST answer) go out at once instead of waiting for the
    // peer's delayed ACK (Nagle's algorithm).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "setting TCP_NODELAY");
        }
    });
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
    keeper_done.abort();
    for task in [purger, retainer].into_iter().flatten() {
        task.abort();
    }
    sweeper.abort();
    archiver.abort();
    let lost = lost.lock().unwrap_or_else(|p| p.into_inner()).take();
    // The sessions end with the node; their users' presence follows.
    state.hub.close_all().await;
    if lost.is_none() {
        lease.release().await;
    }
    state.store.close().await;
    match lost {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Purges expired invites every `interval_secs` (none when 0), until aborted. Every node runs
/// one: the store hands each expired invite to one purge only, so each is announced once.
fn spawn_invite_purge(state: &AppState, interval_secs: u64) -> Option<tokio::task::JoinHandle<()>> {
    if interval_secs == 0 {
        return None;
    }
    let state = state.clone();
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(interval_secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = hearth_core::Timestamp::now();
            match hearth_api::directed::purge_expired(&state, now).await {
                Ok(p) if p.codes + p.directed > 0 => {
                    tracing::info!(
                        codes = p.codes,
                        directed = p.directed,
                        "purged expired invites"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging expired invites"),
            }
        }
    }))
}

/// Purges messages past their channel's retention every `interval_secs` (none when 0), until
/// aborted. Every node runs one; each message is purged and announced once.
fn spawn_retention_purge(
    state: &AppState,
    interval_secs: u64,
) -> Option<tokio::task::JoinHandle<()>> {
    if interval_secs == 0 {
        return None;
    }
    let state = state.clone();
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(interval_secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = hearth_core::Timestamp::now();
            match hearth_api::expiry::purge_expired_messages(&state, now).await {
                Ok(p) if p.rows > 0 => {
                    tracing::info!(
                        channels = p.channels,
                        rows = p.rows,
                        "purged messages past their retention"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging messages past their retention"),
            }
        }
    }))
}

/// Removes the guests whose access expired, every `interval`, until aborted.
async fn sweep_guests(state: hearth_api::AppState, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match hearth_api::workspace::sweep_expired_guests(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "expired guests removed"),
            Err(e) => tracing::warn!(error = %e, "sweeping expired guests"),
        }
    }
}

/// How often threads idle past their auto_archive_duration are archived (the shortest
/// duration is an hour: a thread is archived at most this late).
const THREAD_SWEEP: Duration = Duration::from_secs(60);

/// Archives the threads idle past their auto_archive_duration, every `interval`, until aborted.
/// Every node runs it; each thread is archived, and announced, once.
async fn archive_idle_threads(state: hearth_api::AppState, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = hearth_core::Timestamp::now();
        match hearth_api::thread_rules::archive_idle(&state, now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(archived = n, "idle threads archived"),
            Err(e) => tracing::warn!(error = %e, "archiving idle threads"),
        }
    }
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

//! `hearth`: the command line.
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use hearth::config::{Config, EXAMPLE};

/// hearth: a self-hosted chat server speaking Discord's API v10.
#[derive(Debug, Parser)]
#[command(name = "hearth", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (SQLite in ./hearth-data unless configured otherwise).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Data directory (default ./hearth-data).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Configuration file (default: hearth.toml if present).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print a commented example configuration with every setting and its default.
    Example,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Config {
            command: ConfigCommand::Example,
        } => {
            print!("{EXAMPLE}");
            ExitCode::SUCCESS
        }
        Command::Serve {
            listen,
            data_dir,
            config,
        } => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| "info,sqlx=warn".into()),
                )
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
                .init();
            match run(listen, data_dir, config) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!("{e:#}");
                    eprintln!("hearth: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn run(
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    file: Option<PathBuf>,
) -> anyhow::Result<()> {
    let mut config = Config::load(file.as_deref()).context("reading configuration")?;
    if let Some(l) = listen {
        config.listen = l;
    }
    if let Some(d) = data_dir {
        config.data_dir = d;
    }
    let runtime = tokio::runtime::Runtime::new().context("starting runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        tracing::info!(
            listen = %config.listen,
            database = %hearth::config::redact_url(&config.database_url()),
            "hearth is starting"
        );
        hearth::serve(&config, listener, hearth::shutdown_signal()).await
    })
}

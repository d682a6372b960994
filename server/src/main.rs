//! The `wxkit` command: `serve` (default), `migrate`, `simulator`.

use clap::{Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use wxkit::config::Config;

/// wxkit: pages for WeChat, signed on the server. Configured by WXKIT_*
/// environment variables (see README).
#[derive(Parser)]
#[command(name = "wxkit", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Run only the WeChat simulator (for several wxkit processes sharing one).
    Simulator {
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:3100")]
        addr: SocketAddr,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WXKIT_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Simulator { addr } => wxkit::serve_simulator(addr)
            .await
            .map_err(|e| e.to_string()),
        command => match Config::from_env() {
            Err(e) => Err(e.to_string()),
            Ok(config) => match command {
                Command::Migrate => migrate(&config).await,
                _ => wxkit::serve(config).await.map_err(|e| e.to_string()),
            },
        },
    };
    let _ = std::io::stdout().flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("wxkit: {message}");
            ExitCode::from(2)
        }
    }
}

async fn migrate(config: &Config) -> Result<(), String> {
    let pool = wxkit::db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    wxkit::db::migrate(&pool).await.map_err(|e| e.to_string())?;
    println!("migrations applied");
    Ok(())
}

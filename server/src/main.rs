//! The `wxkit` command: `serve` (default), `migrate`, `simulator`, `admin`.

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
    /// Manage the dashboard's admins (passwords are read from standard input).
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Run only the WeChat simulator (for several wxkit processes sharing one).
    Simulator {
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:3100")]
        addr: SocketAddr,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create an admin; the password is the first line of standard input.
    Create {
        #[arg(long)]
        username: String,
    },
    /// Set an admin's password (first line of standard input).
    Passwd {
        #[arg(long)]
        username: String,
    },
    /// List the admins.
    List,
}

/// mimalloc: per-request allocations are most of wxkit's own CPU time under
/// load (perf, README's benchmark section).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
                Command::Admin { action } => admin(&config, action).await,
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

/// Reads the password: the first line of standard input (a prompt goes to
/// standard error when it is a terminal).
fn read_password() -> Result<String, String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        eprint!("password (at least 10 characters): ");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err("no password on standard input".into());
    }
    Ok(password)
}

async fn admin(config: &Config, action: AdminAction) -> Result<(), String> {
    let pool = wxkit::db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    wxkit::db::migrate(&pool).await.map_err(|e| e.to_string())?;
    match action {
        AdminAction::Create { username } => {
            let password = read_password()?;
            wxkit::admin::create(&pool, &username, &password)
                .await
                .map_err(|e| e.to_string())?;
            println!("admin `{username}` created");
        }
        AdminAction::Passwd { username } => {
            let password = read_password()?;
            wxkit::admin::set_password(&pool, &username, &password)
                .await
                .map_err(|e| e.to_string())?;
            println!("password of `{username}` changed");
        }
        AdminAction::List => {
            for (name, created, last) in
                wxkit::admin::list(&pool).await.map_err(|e| e.to_string())?
            {
                println!(
                    "{name}\tcreated {created}\tlast sign-in {}",
                    if last == 0 {
                        "never".to_string()
                    } else {
                        last.to_string()
                    }
                );
            }
        }
    }
    Ok(())
}

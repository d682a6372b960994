//! The `wxkit` command: `serve` (default), `check`, `migrate`, `backup`,
//! `simulator`, `admin`.

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
    /// Check the configuration against WeChat: the token and tickets the
    /// account uses, the public origin, the safe domains. Exits 0 only when
    /// everything works.
    Check {
        /// Fetch each credential anew instead of accepting a valid cached one
        /// (counts against WeChat's daily quota).
        #[arg(long)]
        refresh: bool,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Write a consistent copy of the SQLite database to PATH while wxkit runs.
    Backup {
        /// The new file (it must not exist).
        path: String,
    },
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
    let cli = Cli::parse();
    match wxkit::config::parse::log_format(std::env::var("WXKIT_LOG_FORMAT").ok().as_deref()) {
        Ok(format) => {
            // `check` prints its own findings: only errors besides them.
            let default = match cli.command {
                Some(Command::Check { .. }) => "error",
                _ => wxkit::telemetry::DEFAULT_FILTER,
            };
            wxkit::telemetry::init_logging(format, default)
        }
        Err(e) => {
            eprintln!("wxkit: {e}");
            return ExitCode::from(2);
        }
    }
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Simulator { addr } => wxkit::serve_simulator(addr)
            .await
            .map_err(|e| e.to_string()),
        command => match Config::from_env() {
            Err(e) => Err(e.to_string()),
            Ok(config) => match command {
                Command::Migrate => migrate(&config).await,
                Command::Check { refresh } => return check(&config, refresh).await,
                Command::Backup { path } => backup(&config, &path).await,
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

/// `wxkit check`: one line per item; exit 0 only when nothing failed.
async fn check(config: &Config, refresh: bool) -> ExitCode {
    match wxkit::check::run(config, refresh).await {
        Ok(lines) => {
            for line in &lines {
                println!("{line}");
            }
            let failed = lines
                .iter()
                .filter(|l| l.status == wxkit::check::Status::Fail)
                .count();
            let _ = std::io::stdout().flush();
            if failed == 0 {
                println!("everything works");
                ExitCode::SUCCESS
            } else {
                println!("{failed} item(s) failed");
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("wxkit: {e}");
            ExitCode::from(2)
        }
    }
}

async fn backup(config: &Config, path: &str) -> Result<(), String> {
    wxkit::db::backup(&config.database_url, path)
        .await
        .map_err(|e| e.to_string())?;
    println!("database copied to {path}");
    Ok(())
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

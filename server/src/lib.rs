//! wxkit's server: configuration, database, WeChat credentials and client,
//! signatures, the simulator, and the HTTP router that serves the Leptos app.

pub mod accounts;
pub mod admin;
pub mod api_error;
pub mod card_codes;
pub mod cards;
pub mod check;
pub mod client_ip;
pub mod config;
pub mod credentials;
pub mod db;
pub mod guard;
pub mod jssdk;
pub mod limits;
pub mod media;
pub mod oauth;
pub mod page_cache;
pub mod services;
pub mod sessions;
pub mod share;
pub mod signature;
pub mod simulator;
pub mod telemetry;
pub mod users;
pub mod verify_files;
pub mod web;
pub mod wechat;

use config::Config;
use std::net::SocketAddr;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("cannot read the account settings: {0}")]
    Settings(sqlx::Error),
    #[error("cannot read the pages: {0}")]
    Pages(sqlx::Error),
}

/// `http://` + the bound address, with a wildcard address replaced by loopback.
pub(crate) fn local_base(addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    format!("http://{host}:{}", addr.port())
}

/// Runs wxkit until SIGINT/SIGTERM.
pub async fn serve(config: Config) -> Result<(), StartError> {
    db::set_clock_offset(config.test_clock_offset_secs);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(StartError::Serve)?;
    let app = services::build(&config, addr).await?;
    println!("wxkit listening on {}", local_base(addr));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(StartError::Serve)
}

/// Runs the simulator alone (for several wxkit processes sharing one).
pub async fn serve_simulator(addr: SocketAddr) -> Result<(), StartError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let addr = listener.local_addr().map_err(StartError::Serve)?;
    println!("simulator listening on {}", local_base(addr));
    // With the peer address: the control API answers loopback callers only.
    let app = simulator::Simulator::new().router();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(StartError::Serve)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

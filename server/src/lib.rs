//! wxkit's server: configuration, database, WeChat credentials and client,
//! signatures, the simulator, and the HTTP router that serves the Leptos app.

pub mod accounts;
pub mod admin;
pub mod card_codes;
pub mod cards;
pub mod client_ip;
pub mod config;
pub mod credentials;
pub mod db;
pub mod guard;
pub mod jssdk;
pub mod limits;
pub mod media;
pub mod oauth;
pub mod sessions;
pub mod share;
pub mod signature;
pub mod simulator;
pub mod users;
pub mod web;
pub mod wechat;

use config::Config;
use credentials::{Credentials, Settings, Upstream};
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::sync::Arc;

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
}

/// `http://` + the bound address, with a wildcard address replaced by loopback.
fn local_base(addr: SocketAddr) -> String {
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
    let base = local_base(addr);
    let public_origin = config.public_origin.clone().unwrap_or_else(|| base.clone());

    let db = db::connect(&config.database_url).await?;
    db::migrate(&db).await?;

    let account =
        accounts::Account::load(db.clone(), accounts::AccountSettings::from_config(&config))
            .await
            .map_err(StartError::Settings)?;
    account.spawn_reload(std::time::Duration::from_secs(10));
    let upstream = Upstream {
        client: wechat::Client::new(config.upstream_timeout),
        api: config.wechat_api_base(&base),
        wecom_api: config.wecom_api_base(&base),
        account: account.clone(),
    };
    let credentials = Arc::new(Credentials::new(
        db.clone(),
        upstream,
        Settings::from_config(&config),
    ));
    let media = Arc::new(media::MediaStore {
        db: db.clone(),
        credentials: credentials.clone(),
        client: wechat::Client::new(config.upstream_timeout),
        api: config.wechat_api_base(&base),
        dir: std::path::Path::new(&config.data_dir).join("media"),
        max_bytes: config.media_max_bytes,
        quotas: media::Quotas::new(
            config.protection.media_max_total_bytes,
            config.protection.media_max_visitor_bytes,
        ),
    });
    let oauth_key = oauth::attempt::key(&db, config.protection.secret_key.as_deref())
        .await
        .map_err(StartError::Settings)?;
    let oauth = Arc::new(oauth::OAuth {
        sealer: oauth::attempt::Sealer::new(
            oauth_key,
            public_origin.starts_with("https://"),
            config.protection.oauth_attempt_secs,
        ),
        db: db.clone(),
        client: wechat::Client::new(config.upstream_timeout),
        api: config.wechat_api_base(&base),
        wecom_api: config.wecom_api_base(&base),
        open: config.wechat_open_base(&base),
        public_origin: public_origin.clone(),
        account: account.clone(),
        credentials: credentials.clone(),
        profile_ttl: config.profile_ttl,
    });
    oauth::OAuth::spawn_sweeper(&oauth);
    let sign_in = Arc::new(admin::SignIn::new(
        db.clone(),
        admin::AttemptLimits {
            per_ip: config.sign_in_per_ip,
            per_user_ip: config.sign_in_per_user,
            per_user_total: config.protection.sign_in_per_user_total,
        },
        config.protection.admin_session,
    ));
    let jssdk = Arc::new(jssdk::JsSdk {
        credentials,
        account: account.clone(),
    });
    let site = app::SiteInfo {
        simulate: config.simulate,
        sdk_url: sdk_url(&config, &base),
    };
    let limits = Arc::new(limits::Limits::new(&config.protection));
    limits.spawn_sweeper();
    let state = web::AppState {
        limits,
        protection: Arc::new(config.protection.clone()),
        jssdk,
        db,
        public_origin: public_origin.clone(),
        site,
        media,
        oauth,
        mp_token: config.mp_token.clone(),
        sign_in,
        account,
    };
    let options = LeptosOptions::builder()
        .output_name("wxkit")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let simulator = config
        .mounts_simulator()
        .then(|| simulator::Simulator::new().with_js_domains(&config.js_domains));
    let app = web::router(state, options, simulator);

    tracing::info!(origin = %public_origin, simulate = config.simulate, account = config.account_id(), "wxkit started");
    println!("wxkit listening on {base}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(StartError::Serve)
}

/// The JS-SDK script pages load: WeChat's, or in simulate mode the simulated
/// client served next to the simulated API.
fn sdk_url(config: &Config, base: &str) -> String {
    if !config.simulate {
        return app::SiteInfo::default().sdk_url;
    }
    let api = config.wechat_api_base(base);
    match api.strip_suffix("/_sim/api") {
        Some(sim) if sim != base => format!("{sim}/_sim/client/jweixin.js"),
        _ => "/_sim/client/jweixin.js".into(),
    }
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

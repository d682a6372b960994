//! Builds every service of a wxkit process once, from its configuration:
//! the database, the live account settings, one WeChat API client, the
//! credential cache, media, web authorization, dashboard sign-in, rate
//! limits, and the router over them. `serve` binds and runs what this builds;
//! nothing here listens.

use crate::config::Config;
use crate::credentials::{Credentials, Settings, Upstream};
use crate::{
    accounts, admin, db, jssdk, limits, local_base, media, oauth, page_cache, simulator, web,
    wechat, StartError,
};
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::sync::Arc;

/// What every command that talks to WeChat needs (`serve`, `check`): the
/// database (migrated), the live account, the API client and the
/// credential cache.
pub struct Core {
    pub db: sqlx::AnyPool,
    pub account: accounts::Account,
    pub api: Arc<wechat::Api>,
    pub credentials: Arc<Credentials>,
}

impl Core {
    /// Builds the core; `base` is this server's own base (the simulator's
    /// when simulating).
    pub async fn build(config: &Config, base: &str) -> Result<Core, StartError> {
        let db = db::connect(&config.database_url).await?;
        db::migrate(&db).await?;
        let account =
            accounts::Account::load(db.clone(), accounts::AccountSettings::from_config(config))
                .await
                .map_err(StartError::Settings)?;
        account.spawn_reload(std::time::Duration::from_secs(10));
        let api = Arc::new(wechat::Api {
            client: wechat::Client::new(config.upstream_timeout),
            mp: config.wechat_api_base(base),
            wecom: config.wecom_api_base(base),
            open: config.wechat_open_base(base),
        });
        let credentials = Arc::new(Credentials::new(
            db.clone(),
            Upstream {
                api: api.clone(),
                account: account.clone(),
            },
            Settings::from_config(config),
        ));
        Ok(Core {
            db,
            account,
            api,
            credentials,
        })
    }
}

/// Every service of a process, and the router, for a server bound to `addr`.
pub async fn build(config: &Config, addr: SocketAddr) -> Result<axum::Router, StartError> {
    let base = local_base(addr);
    let public_origin = config.public_origin.clone().unwrap_or_else(|| base.clone());
    let Core {
        db,
        account,
        api,
        credentials,
    } = Core::build(config, &base).await?;
    let media = Arc::new(media::MediaStore {
        db: db.clone(),
        credentials: credentials.clone(),
        api: api.clone(),
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
        api,
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
    let pages = page_cache::PageCache::load(db.clone(), &public_origin)
        .await
        .map_err(StartError::Pages)?;
    pages.spawn_reload();
    let verify_files = crate::verify_files::VerifyFiles::load(
        db.clone(),
        std::path::Path::new(&config.data_dir).join("verify"),
    )
    .await
    .map_err(StartError::Settings)?;
    verify_files.spawn_reload();
    let limits = Arc::new(limits::Limits::new(&config.protection));
    limits.spawn_sweeper();
    if let Some(addr) = config.metrics_addr {
        crate::telemetry::metrics::Scrape {
            credentials: credentials.clone(),
            db: db.clone(),
            handle: crate::telemetry::metrics::install(),
            last_read: Default::default(),
        }
        .serve(addr)
        .await?;
    }
    let state = web::AppState::new(web::Services {
        limits,
        protection: Arc::new(config.protection.clone()),
        jssdk: Arc::new(jssdk::JsSdk {
            credentials,
            account: account.clone(),
        }),
        db,
        public_origin: public_origin.clone(),
        site: app::SiteInfo {
            simulate: config.simulate,
            sdk_url: sdk_url(config, &base),
        },
        pages,
        media,
        oauth,
        mp_token: config.mp_token.clone(),
        sign_in,
        account,
        metrics: config.metrics_addr.is_some(),
        playground: config.playground,
        verify_files,
    });
    let options = LeptosOptions::builder()
        .output_name("wxkit")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let simulator = config
        .mounts_simulator()
        .then(|| simulator::Simulator::new().with_js_domains(&config.js_domains));
    tracing::info!(origin = %public_origin, simulate = config.simulate, account = config.account_id(), "wxkit started");
    Ok(web::router(state, options, simulator))
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

//! Black-box harness: each test talks HTTP (reqwest) to a wxkit and a
//! simulator on random ports, with its own SQLite file or PostgreSQL database.
//!
//! Two ways to run a server, with the same API ([`App::base`], [`App::sign`],
//! [`App::html`], [`App::post_form`], …, [`Sim::control`], …):
//!
//! - in the test process (the default): [`App::start`] builds the router
//!   with `wxkit::services::build` and serves it on a task of the test's
//!   runtime, on 127.0.0.1:0, as `wxkit serve` would; [`Sim::start`]
//!   likewise serves the standalone simulator's router. What a server
//!   logs goes to the test's captured output. (Barely faster: a start
//!   takes about 50 ms in-process against 65 ms spawned, nearly all of it
//!   building the services and migrating a fresh database.)
//! - as a process of the real binary: [`App::spawn`] (`wxkit serve`) and
//!   [`Sim::spawn`] (`wxkit simulator`).
//!
//! The rule: a test spawns only when what it checks needs a process of its
//! own. That is a test that
//!
//! - kills a server ([`App::stop`] as a crash or a restart) or measures its
//!   memory ([`App::proc`], `rss_kib`);
//! - runs several servers on one database to check what they coordinate
//!   through it (credential leases, sign-in limits shared by replicas): those
//!   share a standalone simulator process too ([`Sim::spawn`]), as in
//!   production;
//! - shifts a server's clock (`WXKIT_TEST_CLOCK_OFFSET_SECS`: the offset is
//!   process-global, so [`App::start`] refuses it);
//! - is about the command line (`wxkit admin …` through
//!   [`admin::admin_cli`], `wxkit migrate` through [`migrate`], start-up
//!   errors, `--help`), signals, or what the process prints.
//!
//! Everything else starts in-process. Set-up that is not under test goes
//! through the library, not the command line: [`admin::add_admin`] and the
//! fixture [`App::with_admin`] (an app with the admin `root` signed in).
//! `WXKIT_TEST_LOG` (an `EnvFilter`, default `error,tower_http=off`) sets
//! what servers log, in-process to the test's captured output.
#![allow(dead_code)]

pub mod admin;

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const SIM_APP_ID: &str = wxkit::config::SIM_APP_ID;
pub const SIM_APP_SECRET: &str = wxkit::config::SIM_APP_SECRET;

/// A child process killed on drop, with the base URL it printed.
pub struct Proc {
    child: Child,
    pub base: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    /// Sends SIGTERM (what systemd and `docker stop` send).
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits up to `limit` for the process to end; its exit status, or `None`.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let until = std::time::Instant::now() + limit;
        while std::time::Instant::now() < until {
            if let Some(status) = self.child.try_wait().expect("wait for wxkit") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The process's resident memory, in KiB (Linux).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

fn wxkit() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wxkit"));
    for (k, _) in std::env::vars() {
        if k.starts_with("WXKIT_") {
            cmd.env_remove(k);
        }
    }
    cmd.env(
        "WXKIT_LOG",
        std::env::var("WXKIT_TEST_LOG").unwrap_or_else(|_| "error,tower_http=off".into()),
    );
    cmd
}

/// Spawns and waits for the line `<prefix> http://…`.
fn spawn(cmd: Command, prefix: &'static str) -> Proc {
    spawn_logging(cmd, prefix, Stdio::inherit())
}

/// [`spawn`], with the process's standard error (its log) going to `stderr`.
fn spawn_logging(mut cmd: Command, prefix: &'static str, stderr: Stdio) -> Proc {
    cmd.stdout(Stdio::piped()).stderr(stderr);
    let mut child = cmd.spawn().expect("spawn wxkit");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix(prefix) {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(rest.trim().to_string());
                }
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(base) => Proc { child, base },
        Err(_) => {
            let _ = child.kill();
            panic!("{prefix} did not start: {:?}", child.wait());
        }
    }
}

/// Where a server runs.
enum Server {
    /// A child process, killed on drop.
    Proc(Proc),
    /// A task of the test's runtime, shut down on drop.
    Task(Task),
}

/// A router served on a task of the test's runtime. Dropped, it stops
/// accepting and closes its idle connections (what it spawned in the
/// background runs on until the test's runtime ends).
struct Task {
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Serves `router` on `listener` as `wxkit::serve` does (with the peer
/// address), on a task of the current runtime.
fn serve_task(listener: tokio::net::TcpListener, router: axum::Router) -> Task {
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await;
    });
    Task {
        _shutdown: shutdown,
    }
}

/// `http://` + the bound address, a wildcard address replaced by loopback
/// (what the binary prints).
fn local_base(addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    format!("http://{host}:{}", addr.port())
}

/// In-process servers log to the test's output, filtered by `WXKIT_TEST_LOG`
/// like the spawned ones.
fn log_to_test_output() {
    let filter = std::env::var("WXKIT_TEST_LOG").unwrap_or_else(|_| "error,tower_http=off".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_test_writer()
        .try_init();
}

/// A standalone simulator and a client for its control API.
pub struct Sim {
    base: String,
    pub http: reqwest::Client,
    _server: Server,
}

impl Sim {
    /// The simulator in the test process, on 127.0.0.1 (random port).
    pub fn start() -> Sim {
        Sim::start_on("127.0.0.1:0")
    }

    /// The simulator in the test process, listening on `addr` (e.g. `0.0.0.0:0`).
    pub fn start_on(addr: &str) -> Sim {
        let listener = std::net::TcpListener::bind(addr).expect("bind the simulator");
        listener.set_nonblocking(true).unwrap();
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let base = local_base(listener.local_addr().unwrap());
        let router = wxkit::simulator::Simulator::new().router();
        Sim {
            base,
            http: reqwest::Client::new(),
            _server: Server::Task(serve_task(listener, router)),
        }
    }

    /// A standalone simulator process (`wxkit simulator`), as several wxkit
    /// processes share one.
    pub fn spawn() -> Sim {
        let mut cmd = wxkit();
        cmd.args(["simulator", "--addr", "127.0.0.1:0"]);
        let proc = spawn(cmd, "simulator listening on");
        Sim {
            base: proc.base.clone(),
            http: reqwest::Client::new(),
            _server: Server::Proc(proc),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn api(&self) -> String {
        format!("{}/_sim/api", self.base())
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/_sim/control/{path}", self.base()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "control {path}: {}", r.status());
        r.json().await.unwrap()
    }

    pub async fn calls(&self, endpoint: &str) -> u64 {
        let v: Value = self
            .http
            .get(format!("{}/_sim/control/stats", self.base()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["calls"][endpoint].as_u64().unwrap_or(0)
    }

    /// `GET path?query` on the simulator, as JSON.
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        self.http
            .get(format!("{}{path}", self.base()))
            .query(query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The simulator's reply to a client_credential token request of the simulated account.
    pub async fn token_reply(&self) -> Value {
        let q = [
            ("grant_type", "client_credential"),
            ("appid", SIM_APP_ID),
            ("secret", SIM_APP_SECRET),
        ];
        self.get("/_sim/api/cgi-bin/token", &q).await
    }

    /// A new access_token of the simulated account, straight from the simulator.
    pub async fn token(&self) -> String {
        let v = self.token_reply().await;
        v["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token: {v}"))
            .to_string()
    }

    /// A new ticket of type `ty` (jsapi, wx_card) for `token`: the whole reply.
    pub async fn ticket(&self, token: &str, ty: &str) -> Value {
        self.get(
            "/_sim/api/cgi-bin/ticket/getticket",
            &[("access_token", token), ("type", ty)],
        )
        .await
    }

    /// `POST /_sim/client/{path}`: what the simulated in-page client asks.
    pub async fn client_post(&self, path: &str, body: Value) -> Value {
        self.http
            .post(format!("{}/_sim/client/{path}", self.base()))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Stores an upload in the simulator as `wx.uploadImage` would: its serverId.
    pub async fn media(&self, content_type: &str, bytes: Vec<u8>) -> String {
        let r: Value = self
            .http
            .post(format!(
                "{}/_sim/control/media?owner={SIM_APP_ID}&content_type={content_type}",
                self.base()
            ))
            .body(bytes)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["media_id"].as_str().unwrap().to_string()
    }

    pub async fn fault(&self, fault: Value) {
        self.control("faults", fault).await;
    }

    pub async fn clear_faults(&self) {
        self.http
            .delete(format!("{}/_sim/control/faults", self.base()))
            .send()
            .await
            .unwrap();
    }

    pub async fn lifetimes(&self, l: Value) {
        self.control("lifetimes", l).await;
    }

    /// The tickets the simulator accepts now, of `kind` (jsapi, wx_card, ...).
    pub async fn tickets(&self, kind: &str) -> Vec<String> {
        let v: Value = self
            .http
            .get(format!("{}/_sim/control/state", self.base()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"] == kind)
            .map(|t| t["value"].as_str().unwrap().to_string())
            .collect()
    }
}

/// Where a test's data lives.
pub enum Db {
    Sqlite(tempfile::TempDir),
    Postgres { admin: String, name: String },
}

impl Db {
    pub fn sqlite() -> Db {
        Db::Sqlite(tempfile::tempdir().unwrap())
    }

    /// A fresh database on the test PostgreSQL (WXKIT_TEST_POSTGRES).
    pub async fn postgres() -> Db {
        use sqlx::Connection;
        let admin = std::env::var("WXKIT_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let name = format!("wxkit_t_{}", wxkit::signature::nonce().to_ascii_lowercase());
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL at {admin} is required for this test (.ci/ensure-postgres): {e}")
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        Db::Postgres { admin, name }
    }

    pub fn url(&self) -> String {
        match self {
            Db::Sqlite(dir) => format!("sqlite://{}/wxkit.db", dir.path().display()),
            Db::Postgres { admin, name } => {
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
                format!("{base}/{name}")
            }
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Db::Postgres { admin, name } = self {
            let (admin, name) = (admin.clone(), name.clone());
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut c)
                                .await;
                    }
                })
            })
            .join();
        }
    }
}

/// Runs `wxkit migrate` against `db`.
pub fn migrate(db: &Db) {
    let out = wxkit()
        .arg("migrate")
        .env("WXKIT_SIMULATE", "1")
        .env("WXKIT_DATABASE_URL", db.url())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "migrate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `WXKIT_*` settings of a wxkit pointed at `sim` and storing into `db`,
/// then `extra` (a later entry wins). `simulate`: with the simulator mounted;
/// without: as in production, a real-looking account (the simulated one's ID
/// and secret) and public origin, and every WeChat API pointed at `sim`.
/// The `wxkit` command with the settings [`App::spawn`] (`simulate`) or
/// [`App::start_unsimulated`] use, for a test of another subcommand
/// (`check`, `backup`) or of what the process writes.
pub fn command(sim: &Sim, db: &Db, simulate: bool, extra: &[(&str, &str)]) -> Command {
    let mut cmd = wxkit();
    for (k, v) in settings(sim, db, simulate, extra) {
        cmd.env(k, v);
    }
    cmd
}

/// A port free on 127.0.0.1 a moment ago (for a listener a test names,
/// such as the metrics one).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn settings(sim: &Sim, db: &Db, simulate: bool, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut vars: Vec<(&str, String)> = Vec::new();
    if simulate {
        vars.push(("WXKIT_SIMULATE", "1".into()));
    }
    vars.extend([
        ("WXKIT_ADDR", "127.0.0.1:0".to_string()),
        ("WXKIT_DATABASE_URL", db.url()),
    ]);
    if !simulate {
        vars.extend([
            ("WXKIT_APP_ID", SIM_APP_ID.to_string()),
            ("WXKIT_APP_SECRET", SIM_APP_SECRET.to_string()),
            ("WXKIT_PUBLIC_ORIGIN", "https://h5.example.com".to_string()),
        ]);
    }
    vars.extend([
        ("WXKIT_WECHAT_API", sim.api()),
        ("WXKIT_WECOM_API", format!("{}/_sim/qyapi", sim.base())),
        ("WXKIT_WECHAT_OPEN", format!("{}/_sim/open", sim.base())),
        // Tests run in server/; the site cargo-leptos built is in the workspace's target/.
        (
            "WXKIT_SITE_ROOT",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site").to_string(),
        ),
    ]);
    vars.into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .chain(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

/// A running wxkit pointed at `sim`, storing into `db`: in the test process
/// or a child process (see the module's header for which a test uses).
pub struct App {
    base: String,
    pub http: reqwest::Client,
    server: Server,
}

impl App {
    /// wxkit in the test process, simulating: the router `wxkit serve` builds,
    /// served on a task of the test's runtime. `extra`: `WXKIT_*` settings.
    pub async fn start(sim: &Sim, db: &Db, extra: &[(&str, &str)]) -> App {
        App::serve(settings(sim, db, true, extra)).await
    }

    /// wxkit in the test process as in production: `WXKIT_SIMULATE` unset, a
    /// real-looking account (the simulated one's ID and secret) and public
    /// origin, and every WeChat API pointed at `sim`: no simulator is mounted.
    pub async fn start_unsimulated(sim: &Sim, db: &Db, extra: &[(&str, &str)]) -> App {
        App::serve(settings(sim, db, false, extra)).await
    }

    /// `wxkit serve` as a child process, simulating (see the module's header
    /// for when a test needs one).
    pub fn spawn(sim: &Sim, db: &Db, extra: &[(&str, &str)]) -> App {
        let mut cmd = command(sim, db, true, extra);
        cmd.arg("serve");
        let proc = spawn(cmd, "wxkit listening on");
        App {
            base: proc.base.clone(),
            http: reqwest::Client::new(),
            server: Server::Proc(proc),
        }
    }

    /// [`App::spawn`], with the process's log (standard error) written to `log`.
    pub fn spawn_logging(sim: &Sim, db: &Db, extra: &[(&str, &str)], log: std::fs::File) -> App {
        let mut cmd = command(sim, db, true, extra);
        cmd.arg("serve");
        let proc = spawn_logging(cmd, "wxkit listening on", Stdio::from(log));
        App {
            base: proc.base.clone(),
            http: reqwest::Client::new(),
            server: Server::Proc(proc),
        }
    }

    /// The process of an app made by [`App::spawn`], to signal it.
    pub fn proc_mut(&mut self) -> &mut Proc {
        match &mut self.server {
            Server::Proc(proc) => proc,
            Server::Task(_) => panic!("this app runs in the test process: use App::spawn"),
        }
    }

    /// Builds the configuration from `settings` as `Config::from_env` would
    /// from the environment, then what `wxkit::serve` does, on a task.
    async fn serve(settings: Vec<(String, String)>) -> App {
        log_to_test_output();
        let mut vars = BTreeMap::new();
        for (k, v) in settings {
            assert_ne!(
                k, "WXKIT_TEST_CLOCK_OFFSET_SECS",
                "a clock offset shifts the whole process's clock: use App::spawn"
            );
            let key = k
                .strip_prefix("WXKIT_")
                .unwrap_or_else(|| panic!("{k}: not a WXKIT_ setting"))
                .to_ascii_lowercase();
            vars.insert(key, v);
        }
        let config = wxkit::config::Config::from_map(&vars)
            .unwrap_or_else(|e| panic!("wxkit's configuration: {e}"));
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .expect("bind wxkit");
        let addr = listener.local_addr().unwrap();
        let router = wxkit::services::build(&config, addr)
            .await
            .unwrap_or_else(|e| panic!("wxkit did not start: {e}"));
        App {
            base: local_base(addr),
            http: reqwest::Client::new(),
            server: Server::Task(serve_task(listener, router)),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The process of an app made by [`App::spawn`].
    pub fn proc(&self) -> &Proc {
        match &self.server {
            Server::Proc(proc) => proc,
            Server::Task(_) => panic!("this app runs in the test process: use App::spawn"),
        }
    }

    /// Stops the server. A spawned one is killed (a crash or a restart); an
    /// in-process one stops accepting, but what it started in the background
    /// runs on, so a test of a crash or a restart spawns.
    pub fn stop(self) {
        drop(self);
    }

    /// `POST /api/jssdk_config` with `url`; (status, JSON body).
    pub async fn sign(&self, url: &str) -> (u16, Value) {
        self.post_form("/api/jssdk_config", &[("url", url)]).await
    }

    /// `GET path` (path and query) on this app: the response as it came.
    pub async fn fetch(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base()))
            .send()
            .await
            .unwrap()
    }

    /// The HTML of `path` (path and query) on this app.
    pub async fn html(&self, path: &str) -> String {
        let html = self
            .http
            .get(format!("{}{path}", self.base()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains(SIM_APP_SECRET),
            "the app secret leaked into a page"
        );
        html
    }

    /// `POST path` with a url-encoded form: (status, JSON body or null).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base()))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert!(
            !text.contains(SIM_APP_SECRET),
            "the app secret leaked into a response"
        );
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Signs this app's own landing page and expects success.
    pub async fn sign_ok(&self) -> Value {
        self.sign_ok_for(&format!("{}/", self.base())).await
    }

    /// Signs `url` and expects success.
    pub async fn sign_ok_for(&self, url: &str) -> Value {
        let (status, body) = self.sign(url).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// The signature WeChat computes for a config.
pub fn expected_signature(ticket: &str, config: &Value, url: &str) -> String {
    use sha1::{Digest, Sha1};
    let s = format!(
        "jsapi_ticket={ticket}&noncestr={}&timestamp={}&url={url}",
        config["nonceStr"].as_str().unwrap(),
        config["timestamp"].as_i64().unwrap()
    );
    hex::encode(Sha1::digest(s.as_bytes()))
}

/// Whether `config` for `url` verifies against one of the `tickets`.
pub fn verifies(tickets: &[String], config: &Value, url: &str) -> bool {
    let sig = config["signature"].as_str().unwrap_or_default();
    tickets
        .iter()
        .any(|t| expected_signature(t, config, url) == sig)
}

/// The `wx.config` a server-rendered page embeds.
pub fn embedded_config(html: &str) -> Value {
    let start = html
        .find(r#"<script id="wxkit-wx-config" type="application/json">"#)
        .expect("config script in the page");
    let rest = &html[start..];
    let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(json).unwrap()
}

/// A visitor's browser: keeps cookies, follows no redirect by itself.
pub struct Browser {
    pub http: reqwest::Client,
}

/// A response as a browser sees it.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// The user agent of WeChat's in-app browser on an iPhone whose app is set
/// to `lang` (`zh_CN`, `zh_TW`, `en`, …: its `Language/` field).
pub fn wechat_ua(lang: &str) -> String {
    format!("Mozilla/5.0 (iPhone) Mobile/15E148 MicroMessenger/8.0.49 NetType/WIFI Language/{lang}")
}

impl Default for Browser {
    fn default() -> Self {
        Browser::new()
    }
}

impl Browser {
    pub fn new() -> Browser {
        Browser::with_headers(&[])
    }

    /// A browser that sends these headers with every request (e.g. a
    /// WeChat user agent, an Accept-Language).
    pub fn with_headers(headers: &[(&'static str, &str)]) -> Browser {
        let mut map = reqwest::header::HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Browser {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(map)
                .build()
                .unwrap(),
        }
    }

    pub async fn get(&self, url: &str) -> Page {
        let r = self.http.get(url).send().await.unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let body = r.text().await.unwrap();
        assert!(
            !body.contains(SIM_APP_SECRET),
            "the app secret leaked into a response"
        );
        Page {
            status,
            location,
            body,
        }
    }

    /// What WeChat does on its authorize page at `authorize_url` when the user
    /// taps Allow (`allow`) or Deny: the URL it sends the browser back to.
    pub async fn consent(&self, authorize_url: &str, nickname: &str, allow: bool) -> String {
        let url = url::Url::parse(authorize_url).unwrap();
        assert_eq!(url.fragment(), Some("wechat_redirect"), "{authorize_url}");
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        let mut form = vec![
            ("appid", q["appid"].clone()),
            ("redirect_uri", q["redirect_uri"].clone()),
            ("scope", q["scope"].clone()),
            ("state", q["state"].clone()),
            ("nickname", nickname.to_string()),
            ("decision", if allow { "allow" } else { "deny" }.to_string()),
        ];
        if let Some(agent) = q.get("agentid") {
            form.push(("agentid", agent.clone()));
        }
        let confirm = format!(
            "{}://{}/_sim/open/connect/oauth2/authorize/confirm",
            url.scheme(),
            url.host_str().unwrap().to_string()
                + &url.port().map(|p| format!(":{p}")).unwrap_or_default()
        );
        let r = self.http.post(confirm).form(&form).send().await.unwrap();
        assert!(r.status().is_redirection(), "consent: {}", r.status());
        r.headers()["location"].to_str().unwrap().to_string()
    }

    /// Opens `path` on `app`, which requires authorization, follows the app's
    /// redirect to WeChat and declines there: answers the page the callback
    /// shows.
    pub async fn decline(&self, app: &App, path: &str) -> Page {
        let start = self.get(&format!("{}{path}", app.base())).await;
        let back = self
            .consent(start.location.as_deref().unwrap(), "", false)
            .await;
        self.get(&back).await
    }

    /// Opens `path` on `app`, which requires authorization: follows the app's
    /// redirect to WeChat, consents as `nickname`, and follows the callback's
    /// redirect back. Answers the landing page.
    pub async fn sign_in(&self, app: &App, path: &str, nickname: &str) -> Page {
        let first = self.get(&format!("{}{path}", app.base())).await;
        assert_eq!(
            first.status, 302,
            "{path} should send the visitor to WeChat"
        );
        let back = self
            .consent(first.location.as_deref().unwrap(), nickname, true)
            .await;
        let callback = self.get(&back).await;
        assert_eq!(callback.status, 302, "callback: {}", callback.body);
        let to = callback.location.unwrap();
        assert!(to.starts_with('/') && !to.starts_with("//"), "{to}");
        self.get(&format!("{}{to}", app.base())).await
    }
}

impl Sim {
    /// Moves the simulator's clock `secs` forward (tokens and tickets issued
    /// afterwards expire by the moved clock).
    pub async fn advance_clock(&self, secs: i64) -> Value {
        self.control("clock", serde_json::json!({ "advance_secs": secs }))
            .await
    }
}

impl App {
    /// `GET /healthz`: (status, JSON body or null).
    pub async fn healthz(&self) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}/healthz", self.base()))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// The admin URL of the test PostgreSQL (WXKIT_TEST_POSTGRES).
pub fn postgres_admin_url() -> String {
    std::env::var("WXKIT_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A TCP proxy in front of the test PostgreSQL, to take the database away from
/// a running app and give it back. While down it drops every connection it
/// carries and closes new ones at once (accept, then close: the client sees
/// the connection end, not a refusal, which a pool would keep retrying).
pub struct DbProxy {
    pub addr: std::net::SocketAddr,
    shared: std::sync::Arc<ProxyShared>,
    accept: tokio::task::JoinHandle<()>,
}

struct ProxyShared {
    /// Whether it forwards; changed and read under `conns`' lock, so no
    /// connection accepted while it goes down survives.
    up: std::sync::atomic::AtomicBool,
    conns: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
}

impl DbProxy {
    /// A proxy to the host and port of WXKIT_TEST_POSTGRES, forwarding.
    pub async fn postgres() -> DbProxy {
        let admin = url::Url::parse(&postgres_admin_url()).expect("WXKIT_TEST_POSTGRES is a URL");
        let target = format!(
            "{}:{}",
            admin.host_str().unwrap_or("127.0.0.1"),
            admin.port().unwrap_or(5432)
        );
        DbProxy::start(target).await
    }

    /// A proxy on 127.0.0.1 (random port) to `target` (host:port), forwarding.
    pub async fn start(target: String) -> DbProxy {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = std::sync::Arc::new(ProxyShared {
            up: std::sync::atomic::AtomicBool::new(true),
            conns: std::sync::Mutex::new(Vec::new()),
        });
        let accept = tokio::spawn({
            let shared = shared.clone();
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    let mut conns = shared.conns.lock().unwrap();
                    if !shared.up.load(Ordering::SeqCst) {
                        drop(client);
                        continue;
                    }
                    let target = target.clone();
                    let task = tokio::spawn(async move {
                        if let Ok(mut server) = tokio::net::TcpStream::connect(&target).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    conns.retain(|c| !c.is_finished());
                    conns.push(task.abort_handle());
                }
            }
        });
        DbProxy {
            addr,
            shared,
            accept,
        }
    }

    /// The URL of `db` (on the proxied PostgreSQL) through this proxy.
    pub fn url(&self, db: &Db) -> String {
        let mut u = url::Url::parse(&db.url()).unwrap();
        u.set_host(Some("127.0.0.1")).unwrap();
        u.set_port(Some(self.addr.port())).unwrap();
        u.to_string()
    }

    /// The database goes away: live connections are cut, new ones closed.
    pub fn down(&self) {
        let mut conns = self.shared.conns.lock().unwrap();
        self.shared
            .up
            .store(false, std::sync::atomic::Ordering::SeqCst);
        for c in conns.drain(..) {
            c.abort();
        }
    }

    /// The database is back: new connections are forwarded again.
    pub fn up(&self) {
        let _conns = self.shared.conns.lock().unwrap();
        self.shared
            .up
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for DbProxy {
    fn drop(&mut self) {
        self.accept.abort();
        for c in self.shared.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }
}

/// 300 sign requests spread over `apps` (each for its own URL): every one is
/// answered 200 with a signature that verifies, and the simulator issued
/// exactly one token and one jsapi_ticket for all of them (`who` says which
/// processes, for the messages).
pub async fn assert_one_fetch_across(sim: &Sim, apps: &[App], who: &str) {
    let requests = (0..300).map(|i| {
        let app = &apps[i % apps.len()];
        let url = format!("{}/p/{i}", app.base());
        async move { (app.sign(&url).await, url) }
    });
    let replies = futures::future::join_all(requests).await;
    let tickets = sim.tickets("jsapi").await;
    for ((status, body), url) in &replies {
        assert_eq!(*status, 200, "{url}: {body}");
        assert!(verifies(&tickets, body, url), "{url}: {body}");
    }
    assert_eq!(sim.calls("token").await, 1, "{who}, one token fetch");
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        1,
        "{who}, one ticket fetch"
    );
}

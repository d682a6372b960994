//! The WeChat simulator: a fake WeChat API (`/_sim/api`), WeCom API
//! (`/_sim/qyapi`) and OAuth authorize page (`/_sim/open`) that behave like the
//! real ones for every endpoint wxkit uses (wrong appid/secret, tokens that
//! expire or are superseded after a grace period, tickets that rotate,
//! single-use OAuth codes that expire, media that expire), plus a control API
//! (`/_sim/control`) that counts calls, injects faults and moves the clock.
//!
//! Active only with `WXKIT_SIMULATE=1` (mounted into the app), as
//! `wxkit simulator` (standalone), or in tests.

mod client;
mod control;
mod endpoints;

use crate::config::{SIM_AGENT_ID, SIM_APP_ID, SIM_APP_SECRET, SIM_CORP_ID, SIM_CORP_SECRET};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Lifetimes the simulator hands out (seconds); tests shorten them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Lifetimes {
    pub token_ttl: i64,
    pub ticket_ttl: i64,
    /// How long a superseded token keeps working.
    pub grace: i64,
    pub code_ttl: i64,
    pub web_token_ttl: i64,
    pub refresh_token_ttl: i64,
    pub media_ttl: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            token_ttl: 7200,
            ticket_ttl: 7200,
            grace: 300,
            code_ttl: 300,
            web_token_ttl: 7200,
            refresh_token_ttl: 30 * 86400,
            media_ttl: 3 * 86400,
        }
    }
}

/// A fault to inject into an endpoint's next replies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fault {
    /// Endpoint name (see [`endpoint names`](endpoints)), or a prefix of one
    /// before `:` (e.g. `getticket` matches `getticket:jsapi`).
    pub endpoint: String,
    #[serde(default)]
    pub errcode: Option<i64>,
    #[serde(default)]
    pub errmsg: Option<String>,
    /// Answer with this HTTP status and an HTML body instead.
    #[serde(default)]
    pub status: Option<u16>,
    /// Answer with a body that is not JSON.
    #[serde(default)]
    pub malformed: bool,
    /// Answer the normal reply without this JSON field (e.g. `expires_in`): a
    /// reply that carries the real token or ticket in a shape wxkit does not
    /// expect (the value is issued and stays valid, as a real one would).
    #[serde(default)]
    pub drop_field: Option<String>,
    /// Wait this long before answering (combined with the above or a normal reply).
    #[serde(default)]
    pub delay_ms: u64,
    /// How many replies to affect; 0 = until the faults are cleared.
    #[serde(default)]
    pub times: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub owner: String,
    pub expires_at: i64,
    /// When a newer token replaced it: it keeps working for `grace` seconds.
    pub superseded_at: Option<i64>,
    pub revoked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Ticket {
    pub value: String,
    pub owner: String,
    pub kind: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Code {
    pub appid: String,
    pub scope: String,
    pub openid: String,
    pub issued_at: i64,
    pub used: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct WebToken {
    pub appid: String,
    pub openid: String,
    pub scope: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimUser {
    pub openid: String,
    pub nickname: String,
    pub sex: i64,
    pub province: String,
    pub city: String,
    pub country: String,
    pub headimgurl: String,
    pub unionid: String,
    /// For WeCom: the member's userid.
    pub userid: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Media {
    pub owner: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub created_at: i64,
}

#[derive(Default)]
pub(crate) struct State {
    pub lifetimes: Lifetimes,
    pub clock_offset: i64,
    /// appid → secret
    pub accounts: BTreeMap<String, String>,
    /// corpid → (secret, agentid)
    pub corps: BTreeMap<String, (String, String)>,
    pub tokens: HashMap<String, Token>,
    /// owner → current client_credential token
    pub current_token: HashMap<String, String>,
    /// owner → current stable token
    pub current_stable: HashMap<String, String>,
    /// (owner, kind) → tickets issued, newest last
    pub tickets: Vec<Ticket>,
    pub codes: HashMap<String, Code>,
    pub web_tokens: HashMap<String, WebToken>,
    /// refresh_token → (web token fields, refresh expiry)
    pub refresh_tokens: HashMap<String, (WebToken, i64)>,
    pub users: BTreeMap<String, SimUser>,
    pub media: HashMap<String, Media>,
    pub calls: BTreeMap<String, u64>,
    pub faults: Vec<Fault>,
    /// The JS interface safe domains the simulated client accepts (empty: any).
    pub js_domains: Vec<String>,
}

/// The simulator; cheap to clone.
#[derive(Clone)]
pub struct Simulator {
    state: Arc<Mutex<State>>,
}

impl Default for Simulator {
    fn default() -> Self {
        Simulator::new()
    }
}

impl Simulator {
    /// A simulator that knows the simulated Official Account and WeCom corp.
    pub fn new() -> Simulator {
        let mut state = State::default();
        state
            .accounts
            .insert(SIM_APP_ID.into(), SIM_APP_SECRET.into());
        state.corps.insert(
            SIM_CORP_ID.into(),
            (SIM_CORP_SECRET.into(), SIM_AGENT_ID.into()),
        );
        Simulator {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// The JS interface safe domains the simulated client accepts.
    pub fn with_js_domains(self, domains: &[String]) -> Simulator {
        self.lock().js_domains = domains.to_vec();
        self
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Everything under `/_sim`.
    pub fn router(&self) -> Router {
        Router::new()
            .nest("/_sim/api", endpoints::wechat_api())
            .nest("/_sim/qyapi", endpoints::wecom_api())
            .nest("/_sim/open", endpoints::open())
            .nest("/_sim/control", control::router())
            .nest("/_sim/client", client::router())
            .with_state(self.clone())
            .layer(axum::middleware::from_fn(drop_fields))
    }

    /// Counts a call to `endpoint` and applies the first matching fault: `Some`
    /// reply replaces the normal one.
    pub(crate) async fn enter(&self, endpoint: &str) -> Option<Response> {
        let fault = {
            let mut s = self.lock();
            *s.calls.entry(endpoint.to_string()).or_default() += 1;
            let hit = s.faults.iter().position(|f| {
                f.endpoint == endpoint || endpoint.split(':').next() == Some(f.endpoint.as_str())
            });
            hit.map(|i| {
                let f = s.faults[i].clone();
                if f.times == 1 {
                    s.faults.remove(i);
                } else if f.times > 1 {
                    s.faults[i].times -= 1;
                }
                f
            })
        }?;
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if let Some(status) = fault.status {
            let status =
                http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY);
            return Some(
                (
                    status,
                    axum::response::Html("<html><body>upstream error</body></html>"),
                )
                    .into_response(),
            );
        }
        if fault.malformed {
            return Some(
                (
                    [(http::header::CONTENT_TYPE, "application/json")],
                    "{\"access_token\": oops",
                )
                    .into_response(),
            );
        }
        if let (None, Some(field)) = (fault.errcode, &fault.drop_field) {
            // The normal reply goes on; `drop_fields` takes the field out of it.
            let _ = DROP_FIELD.try_with(|d| *d.borrow_mut() = Some(field.clone()));
            return None;
        }
        fault.errcode.map(|code| {
            let msg = fault
                .errmsg
                .unwrap_or_else(|| crate::wechat::errcode_meaning(code).to_string());
            error(code, &msg)
        })
    }

    /// Now, as the simulator sees it (the control API can move its clock).
    pub(crate) fn now(&self) -> i64 {
        crate::db::now() + self.lock().clock_offset
    }

    /// The tickets currently accepted for `owner` and `kind` (newest last).
    pub fn valid_tickets(&self, owner: &str, kind: &str) -> Vec<String> {
        let now = self.now();
        self.lock()
            .tickets
            .iter()
            .filter(|t| t.owner == owner && t.kind == kind && t.expires_at > now)
            .map(|t| t.value.clone())
            .collect()
    }

    /// How often `endpoint` was called.
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.lock().calls.get(endpoint).copied().unwrap_or_default()
    }
}

tokio::task_local! {
    /// The field a `drop_field` fault takes out of the reply being made.
    static DROP_FIELD: std::cell::RefCell<Option<String>>;
}

/// Applies a `drop_field` fault: the handler (run in this task) names the
/// field through [`DROP_FIELD`]; it is removed from the JSON object it answered.
async fn drop_fields(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let (response, field) = DROP_FIELD
        .scope(std::cell::RefCell::new(None), async move {
            let response = next.run(req).await;
            (response, DROP_FIELD.with(|d| d.borrow_mut().take()))
        })
        .await;
    let Some(field) = field else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut reply)) => {
            reply.remove(&field);
            parts.headers.remove(http::header::CONTENT_LENGTH);
            serde_json::to_vec(&reply).unwrap_or_default().into()
        }
        _ => bytes,
    };
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// A WeChat error reply.
pub(crate) fn error(errcode: i64, errmsg: &str) -> Response {
    axum::Json(serde_json::json!({ "errcode": errcode, "errmsg": errmsg })).into_response()
}

/// A random id of `n` characters.
pub(crate) fn random_id(n: usize) -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), n)
}

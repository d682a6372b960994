//! A fuzz test from outside: thousands of random, malformed requests against
//! every public endpoint (every non-admin server function, enumerated from the
//! app's own registry, and every route a visitor can reach), asserting that
//! none is answered with a 5xx other than 502/503 (WeChat's errors), that no
//! connection is dropped (a panicking handler would drop it), that no secret
//! appears, and that the server is still up afterwards. Deterministic: the
//! seed is printed, and `WXKIT_FUZZ_SEED` replays a run.

mod common;

use common::*;
use futures::StreamExt;

/// How many requests one run sends.
const REQUESTS: usize = 6000;

/// xorshift64*: small, deterministic, good enough to pick garbage.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const NASTY: &[&str] = &[
    "",
    "%",
    "%ff%fe",
    "%00",
    "\u{0}",
    "a=b=c",
    "&&&",
    "[]",
    "form[kind]=x",
    "../../etc/passwd",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "😀",
    "\u{202e}",
    "9999999999999999999999",
    "-1",
    "null",
    "{\"a\":1}",
];

/// A random value: nasty, random bytes percent-encoded, or long.
fn value(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => rng.pick(NASTY).to_string(),
        1 => {
            let n = rng.below(40);
            let b = rng.bytes(n);
            b.iter().map(|c| format!("%{c:02x}")).collect()
        }
        2 => {
            let n = rng.below(5000);
            "x".repeat(n)
        }
        3 => {
            let n = rng.below(1000);
            format!("http://127.0.0.1/p/demo?{n}")
        }
        _ => rng.next().to_string(),
    }
}

/// A random body: a form with random fields (some of the endpoint's own
/// names), raw bytes, invalid UTF-8, JSON, or something too large.
fn body(rng: &mut Rng) -> Vec<u8> {
    const NAMES: &[&str] = &[
        "url",
        "js_api_list",
        "slug",
        "channel",
        "outcome",
        "server_ids",
        "card_id",
        "card_type",
        "shop_id",
        "outer_str",
        "page_url",
        "signed_url",
        "user_agent",
        "err_msg",
        "code",
        "openid",
        "username",
        "password",
    ];
    match rng.below(6) {
        0 | 1 => {
            let n = rng.below(6);
            (0..n)
                .map(|_| {
                    let name = *rng.pick(NAMES);
                    format!("{name}={}", value(rng))
                })
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes()
        }
        2 => {
            let n = rng.below(2000);
            rng.bytes(n)
        }
        3 => b"url=\xff\xfe\xfd&slug=\xc3".to_vec(),
        4 => br#"{"url": 1, "slug": [null]}"#.to_vec(),
        _ => {
            let extra = rng.below(1 << 20);
            vec![b'a'; 70 * 1024 + extra]
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn random_malformed_requests_never_hurt_the_server() {
    let seed: u64 = std::env::var("WXKIT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("fuzz seed: {seed} (WXKIT_FUZZ_SEED={seed} replays this run)");
    let sim = Sim::start();
    let db = Db::sqlite();
    // Limits high enough that the fuzzer reaches the handlers behind them.
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_WRITES_PER_IP", "1000000"),
            ("WXKIT_MEDIA_GETS_PER_IP", "1000000"),
            ("WXKIT_SIGN_IN_PER_IP", "10000"),
        ],
    )
    .await;
    let mut paths: Vec<String> = wxkit::web::public_functions();
    assert!(paths.len() >= 8, "the public server functions: {paths:?}");
    paths.extend(
        [
            "/",
            "/p/demo",
            "/p/demo/photos",
            "/p/demo/cards",
            "/p/demo-userinfo",
            "/p/nosuchpage",
            "/oauth/callback",
            "/oauth/start",
            &format!("/wechat/{SIM_APP_ID}/messages"),
            "/wechat/x/messages",
            "/media/nothing.jpg",
            "/healthz",
            "/admin/sign-in",
            "/api/admin/sign_in",
            "/pkg/wxkit.js",
        ]
        .map(String::from),
    );
    const METHODS: &[&str] = &[
        "GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD",
    ];
    const TYPES: &[&str] = &[
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-8",
        "application/json",
        "multipart/form-data; boundary=x",
        "text/plain",
        "",
    ];
    let mut rng = Rng(seed);
    let mut requests = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let path = rng.pick(&paths).clone();
        let query: Vec<String> = (0..rng.below(4))
            .map(|_| format!("{}={}", value(&mut rng), value(&mut rng)))
            .collect();
        let url = if query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{}", query.join("&"))
        };
        let method = *rng.pick(METHODS);
        let content_type = *rng.pick(TYPES);
        let body = if method == "GET" || method == "HEAD" {
            Vec::new()
        } else {
            body(&mut rng)
        };
        let cookie = match rng.below(4) {
            0 => format!("wxkit_session={}", value(&mut rng)),
            1 => format!("wxkit_oauth={}.{}", value(&mut rng), value(&mut rng)),
            _ => String::new(),
        };
        let xff = if rng.below(3) == 0 {
            value(&mut rng)
        } else {
            String::new()
        };
        // Header values a client can send at all (visible ASCII).
        let printable = |s: String| -> String {
            s.chars()
                .filter(|c| c.is_ascii_graphic() || *c == ' ')
                .collect()
        };
        requests.push((
            method,
            url,
            content_type,
            body,
            printable(cookie),
            printable(xff),
        ));
    }

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let base = app.base().to_string();
    let failures: Vec<String> = futures::stream::iter(requests)
        .map(|(method, url, content_type, body, cookie, xff)| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                let mut r = http.request(method.parse().unwrap(), format!("{base}{url}"));
                if !content_type.is_empty() {
                    r = r.header("content-type", content_type);
                }
                if !cookie.is_empty() {
                    r = r.header("cookie", cookie);
                }
                if !xff.is_empty() {
                    r = r.header("x-forwarded-for", xff);
                }
                let what = format!("{method} {}", url.chars().take(120).collect::<String>());
                let oversized = body.len() > 64 * 1024;
                match r.body(body).send().await {
                    // Refused by its Content-Length before it was read: the
                    // server may close while the client is still sending.
                    Err(e) if oversized && !e.is_timeout() => None,
                    Err(e) => Some(format!("{what}: no answer ({e})")),
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        let text = resp.text().await.unwrap_or_default();
                        if text.contains(SIM_APP_SECRET) {
                            Some(format!("{what}: the app secret leaked"))
                        } else if status >= 500 && status != 502 && status != 503 {
                            Some(format!(
                                "{what}: {status} {}",
                                text.chars().take(200).collect::<String>()
                            ))
                        } else {
                            None
                        }
                    }
                }
            }
        })
        .buffer_unordered(16)
        .filter_map(|f| async move { f })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {REQUESTS} requests failed, e.g.:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Still up, and still doing its job.
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(app.sign_ok().await["appId"], SIM_APP_ID);
}

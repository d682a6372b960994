//! Admin helpers for black-box tests: the `wxkit admin …` command line, the
//! same through the library ([`add_admin`]), a browser signed in to the
//! dashboard, the fixture [`App::with_admin`], and same-site form posts.

use super::*;
use std::io::Write;
use std::process::{Command, Stdio};

pub const PASSWORD: &str = "a long admin password";

/// `wxkit admin …` against `db`, with `stdin`: (success, stdout + stderr).
pub fn admin_cli(db: &Db, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxkit"))
        .arg("admin")
        .args(args)
        .env("WXKIT_SIMULATE", "1")
        .env("WXKIT_DATABASE_URL", db.url())
        .env("WXKIT_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Creates the admin `name` (password [`PASSWORD`]) with `wxkit admin create`.
pub fn create_admin(db: &Db, name: &str) {
    let (ok, out) = admin_cli(
        db,
        &["create", "--username", name],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok, "{out}");
}

/// Creates the admin `name` (password [`PASSWORD`]) as `wxkit admin create`
/// does, through the library: no process. For set-up; a test of the command
/// line uses [`admin_cli`] or [`create_admin`].
pub async fn add_admin(db: &Db, name: &str) {
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    wxkit::db::migrate(&pool).await.unwrap();
    wxkit::admin::create(&pool, name, PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("admin `{name}`: {e}"));
    pool.close().await;
}

impl App {
    /// The fixture of the dashboard's tests: an in-process app
    /// ([`App::start`]) with the admin `root` created, and a browser signed
    /// in as `root`.
    pub async fn with_admin(sim: &Sim, db: &Db, extra: &[(&str, &str)]) -> (App, Browser) {
        let app = App::start(sim, db, extra).await;
        add_admin(db, "root").await;
        let admin = signed_in(&app, "root").await;
        (app, admin)
    }
}

/// A browser signed in as `name`, reading English (the dashboard's other
/// language has tests of its own).
pub async fn signed_in(app: &App, name: &str) -> Browser {
    let b = Browser::with_headers(&[("accept-language", "en")]);
    let r = post(
        &b,
        app,
        "/api/admin/sign_in",
        &[("username", name), ("password", PASSWORD)],
        &[],
    )
    .await;
    assert!(signed(r.0), "sign-in: {} {}", r.0, r.1);
    b
}

/// `POST path` as a same-site browser would send it (Origin = the app):
/// (status, body).
pub async fn post(
    b: &Browser,
    app: &App,
    path: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut req = b
        .http
        .post(format!("{}{path}", app.base()))
        .header("origin", app.base())
        .form(form);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    (status, body)
}

/// A sign-in succeeded: 302 to the dashboard for a browser's form post, 200
/// for a script.
pub fn signed(status: u16) -> bool {
    status == 200 || status == 302
}

/// The editor's form for page `slug` (`original` empty: a new one), titled
/// `title`, asking for `js_api_list`, its share content left to defaults.
pub fn page_form(
    original: &str,
    slug: &str,
    title: &str,
    js_api_list: &str,
) -> Vec<(String, String)> {
    [
        ("original", original),
        ("form[slug]", slug),
        ("form[title]", title),
        ("form[body]", "Body"),
        ("form[auth_scope]", "none"),
        ("form[js_api_list]", js_api_list),
        ("form[share_title]", ""),
        ("form[share_desc]", ""),
        ("form[share_link]", ""),
        ("form[share_image]", ""),
        ("form[timeline_title]", ""),
        ("form[timeline_link]", ""),
        ("form[timeline_image]", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Posts `form` to `path` as the admin (a same-site browser): (status, body).
pub async fn post_owned(
    admin: &Browser,
    app: &App,
    path: &str,
    form: &[(String, String)],
) -> (u16, String) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(admin, app, path, &form, &[]).await
}

/// Creates (`original` empty) or renames/updates a page as the admin, titled
/// `title`, with the photo APIs.
pub async fn save_page(admin: &Browser, app: &App, original: &str, slug: &str, title: &str) {
    let form = page_form(original, slug, title, "chooseImage,uploadImage");
    let (status, body) = post_owned(admin, app, "/api/admin/save_page", &form).await;
    assert_eq!(status, 200, "{body}");
}

/// Deletes page `slug` as the admin: (status, body).
pub async fn delete_page(admin: &Browser, app: &App, slug: &str) -> (u16, String) {
    post(admin, app, "/api/admin/delete_page", &[("slug", slug)], &[]).await
}

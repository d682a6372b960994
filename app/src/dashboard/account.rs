//! `/admin/account`: the account the pages belong to, the form to change it
//! (secrets are write-only), and the domain verification files.

use super::{dashboard_page, form_error};
use crate::admin::*;
use leptos::prelude::*;

/// `/admin/account`: what is configured, and the form to change it. Secrets
/// are write-only: the form shows whether one is set, and an empty field keeps it.
#[component]
pub fn AccountView() -> impl IntoView {
    dashboard_page(
        "Account",
        || (),
        |_| Box::pin(async { Ok((admin_account().await?, admin_verify_files().await?)) }),
        |(a, files): (AccountInfo, Vec<VerifyFileRow>)| {
            let set = |b: bool| if b { "set (never shown)" } else { "not set" };
            let secret_hint = |b: bool| {
                if b {
                    "set: leave empty to keep it"
                } else {
                    "not set"
                }
            };
            view! {
                <section class="card">
                    <dl data-testid="account">
                        <dt>"Kind"</dt><dd>{a.kind.clone()}</dd>
                        <dt>"AppID"</dt><dd>{a.app_id.clone()}</dd>
                        <dt>"AppSecret"</dt><dd>{set(a.app_secret_set)}</dd>
                        <dt>"WeCom corp ID"</dt><dd>{a.corp_id.clone()}</dd>
                        <dt>"WeCom agent ID"</dt><dd>{a.agent_id.clone()}</dd>
                        <dt>"WeCom secret"</dt><dd>{set(a.corp_secret_set)}</dd>
                        <dt>"JS interface safe domains"</dt><dd>{a.js_domains.join(", ")}</dd>
                        <dt>"Token mode"</dt><dd>{a.token_mode.clone()}</dd>
                        <dt>"Message-server token"</dt><dd>{set(a.mp_token_set)}</dd>
                    </dl>
                </section>
                <section class="card">
                    <h2>"Change the account"</h2>
                    {form_error::<AdminSaveAccount>()}
                    <form method="post" action="/api/admin/save_account" class="grid-form" data-testid="account-form">
                        <label>"Kind"
                            <select name="form[kind]">
                                <option value="official" selected=a.kind == "official">"official (Official Account)"</option>
                                <option value="wecom" selected=a.kind == "wecom">"wecom (WeCom corp)"</option>
                            </select>
                        </label>
                        <label>"AppID" <input name="form[app_id]" value=a.app_id.clone() required/></label>
                        <label>"AppSecret" <input name="form[app_secret]" type="password" autocomplete="off" placeholder=secret_hint(a.app_secret_set)/></label>
                        <label>"WeCom corp ID" <input name="form[corp_id]" value=a.corp_id.clone()/></label>
                        <label>"WeCom agent ID" <input name="form[agent_id]" value=a.agent_id.clone()/></label>
                        <label>"WeCom secret" <input name="form[corp_secret]" type="password" autocomplete="off" placeholder=secret_hint(a.corp_secret_set)/></label>
                        <label>"JS interface safe domains (comma-separated)" <input name="form[js_domains]" value=a.js_domains.join(",") required/></label>
                        <label>"Token mode"
                            <select name="form[token_mode]">
                                <option value="client_credential" selected=a.token_mode == "client_credential">"client_credential"</option>
                                <option value="stable" selected=a.token_mode == "stable">"stable (safe when other systems also fetch tokens)"</option>
                            </select>
                        </label>
                        <label>"Your password (required to replace a secret)" <input name="form[password]" type="password" autocomplete="current-password" data-testid="confirm-password"/></label>
                        <button class="button small" data-testid="save-account">"Save the account"</button>
                    </form>
                    <p class="muted">"Saved settings override the WXKIT_* environment and reach every wxkit process within seconds."</p>
                </section>
                {verify_files(files)}
            }
            .into_any()
        },
    )
}

/// Why an upload was refused, from the redirect's `verify_error` (a fixed
/// reason, never text from the URL).
fn upload_error() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        let reason = query.with(|q| q.get("verify_error"))?;
        let text = match reason.as_str() {
            "name" => "The file must be named MP_verify_<code>.txt or WW_verify_<code>.txt, as WeChat names it.",
            "content" => "The file must hold a short text (at most 256 printable characters), as WeChat's does.",
            "too_many" => "There are too many verification files: remove one first.",
            "missing" => "Choose the file to upload.",
            _ => "The file could not be kept; try again.",
        };
        Some(view! { <p class="error" data-testid="verify-error">{text}</p> })
    }
}

/// The domain verification files: the list, removing an uploaded one, and
/// the upload form (a plain multipart post: no script needed).
fn verify_files(files: Vec<VerifyFileRow>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Domain verification files"</h2>
            <p class="muted">"WeChat asks for one before it accepts a JS interface safe domain or a web authorization domain. It is served at the site root under its own name."</p>
            {upload_error()}
            {form_error::<AdminDeleteVerifyFile>()}
            <table class="table" data-testid="verify-files">
                {files.into_iter().map(|f| {
                    let link = format!("/{}", f.name);
                    view! {
                        <tr>
                            <td><a href=link.clone() data-testid="verify-file">{f.name.clone()}</a></td>
                            <td>{if f.uploaded {
                                view! {
                                    <form method="post" action="/api/admin/delete_verify_file">
                                        <input type="hidden" name="name" value=f.name.clone()/>
                                        <button class="button small danger">"Remove"</button>
                                    </form>
                                }.into_any()
                            } else {
                                view! { <span class="muted">"in the data folder"</span> }.into_any()
                            }}</td>
                        </tr>
                    }
                }).collect::<Vec<_>>()}
            </table>
            <form method="post" action=SAVE_VERIFY_FILE enctype="multipart/form-data" class="grid-form" data-testid="verify-upload">
                <label>"File (MP_verify_….txt or WW_verify_….txt)" <input type="file" name="file" accept=".txt,text/plain" required data-testid="verify-file-input"/></label>
                <button class="button small" data-testid="verify-upload-button">"Upload"</button>
            </form>
        </section>
    }
}

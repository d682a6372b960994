//! `/admin/account`: the account the pages belong to, the form to change it
//! (secrets are write-only), the domain verification files, and where the
//! dashboard's language is chosen.

use super::{dashboard_page, form_error};
use crate::admin::*;
use crate::i18n::Lang;
use leptos::prelude::*;

/// `/admin/account`: what is configured, and the form to change it. Secrets
/// are write-only: the form shows whether one is set, and an empty field keeps it.
#[component]
pub fn AccountView() -> impl IntoView {
    dashboard_page(
        super::t::ACCOUNT,
        || (),
        |_| Box::pin(async { Ok((admin_account().await?, admin_verify_files().await?)) }),
        |(a, files): (AccountInfo, Vec<VerifyFileRow>)| {
            let lang = crate::lang();
            let set = move |b: bool| {
                if b {
                    t::SET.get(lang)
                } else {
                    t::NOT_SET.get(lang)
                }
            };
            let secret_hint = move |b: bool| {
                if b {
                    t::SECRET_HINT_SET.get(lang)
                } else {
                    t::NOT_SET.get(lang)
                }
            };
            view! {
                <section class="card">
                    <dl data-testid="account">
                        <dt>{t::KIND.get(lang)}</dt><dd>{a.kind.clone()}</dd>
                        <dt>"AppID"</dt><dd>{a.app_id.clone()}</dd>
                        <dt>"AppSecret"</dt><dd>{set(a.app_secret_set)}</dd>
                        <dt>{t::CORP_ID.get(lang)}</dt><dd>{a.corp_id.clone()}</dd>
                        <dt>{t::AGENT_ID.get(lang)}</dt><dd>{a.agent_id.clone()}</dd>
                        <dt>{t::CORP_SECRET.get(lang)}</dt><dd>{set(a.corp_secret_set)}</dd>
                        <dt>{t::JS_DOMAINS.get(lang)}</dt><dd>{a.js_domains.join(", ")}</dd>
                        <dt>{t::TOKEN_MODE.get(lang)}</dt><dd>{a.token_mode.clone()}</dd>
                        <dt>{t::MP_TOKEN.get(lang)}</dt><dd>{set(a.mp_token_set)}</dd>
                    </dl>
                </section>
                <section class="card">
                    <h2>{t::CHANGE.get(lang)}</h2>
                    {form_error::<AdminSaveAccount>()}
                    <form method="post" action="/api/admin/save_account" class="grid-form" data-testid="account-form">
                        <label>{t::KIND.get(lang)}
                            <select name="form[kind]">
                                <option value="official" selected=a.kind == "official">{t::KIND_OFFICIAL.get(lang)}</option>
                                <option value="wecom" selected=a.kind == "wecom">{t::KIND_WECOM.get(lang)}</option>
                            </select>
                        </label>
                        <label>"AppID" <input name="form[app_id]" value=a.app_id.clone() required/></label>
                        <label>"AppSecret" <input name="form[app_secret]" type="password" autocomplete="off" placeholder=secret_hint(a.app_secret_set)/></label>
                        <label>{t::CORP_ID.get(lang)} <input name="form[corp_id]" value=a.corp_id.clone()/></label>
                        <label>{t::AGENT_ID.get(lang)} <input name="form[agent_id]" value=a.agent_id.clone()/></label>
                        <label>{t::CORP_SECRET.get(lang)} <input name="form[corp_secret]" type="password" autocomplete="off" placeholder=secret_hint(a.corp_secret_set)/></label>
                        <label>{t::JS_DOMAINS_FIELD.get(lang)} <input name="form[js_domains]" value=a.js_domains.join(",") required/></label>
                        <label>{t::TOKEN_MODE.get(lang)}
                            <select name="form[token_mode]">
                                <option value="client_credential" selected=a.token_mode == "client_credential">{t::MODE_CLIENT_CREDENTIAL.get(lang)}</option>
                                <option value="stable" selected=a.token_mode == "stable">{t::MODE_STABLE.get(lang)}</option>
                            </select>
                        </label>
                        <label>{t::PASSWORD.get(lang)} <input name="form[password]" type="password" autocomplete="current-password" data-testid="confirm-password"/></label>
                        <button class="button small" data-testid="save-account">{t::SAVE.get(lang)}</button>
                    </form>
                    <p class="muted">{t::SAVED_OVERRIDE.get(lang)}</p>
                </section>
                {verify_files(files, lang)}
                <section class="card">
                    <h2>{t::LANG_TITLE.get(lang)}</h2>
                    <p class="muted">{t::LANG_WHERE.get(lang)}</p>
                </section>
            }
            .into_any()
        },
    )
}

/// Why an upload was refused, from the redirect's `verify_error` (a fixed
/// reason, never text from the URL).
fn upload_error(lang: Lang) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        let reason = query.with(|q| q.get("verify_error"))?;
        let text = match reason.as_str() {
            "name" => t::ERROR_NAME,
            "content" => t::ERROR_CONTENT,
            "too_many" => t::ERROR_TOO_MANY,
            "missing" => t::ERROR_MISSING,
            _ => t::ERROR_OTHER,
        };
        Some(view! { <p class="error" data-testid="verify-error">{text.get(lang)}</p> })
    }
}

/// The domain verification files: the list, removing an uploaded one, and
/// the upload form (a plain multipart post: no script needed).
fn verify_files(files: Vec<VerifyFileRow>, lang: Lang) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{t::VERIFY_TITLE.get(lang)}</h2>
            <p class="muted">{t::VERIFY_WHY.get(lang)}</p>
            {upload_error(lang)}
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
                                        <button class="button small danger">{t::REMOVE.get(lang)}</button>
                                    </form>
                                }.into_any()
                            } else {
                                view! { <span class="muted">{t::IN_DATA_FOLDER.get(lang)}</span> }.into_any()
                            }}</td>
                        </tr>
                    }
                }).collect::<Vec<_>>()}
            </table>
            <form method="post" action=SAVE_VERIFY_FILE enctype="multipart/form-data" class="grid-form" data-testid="verify-upload">
                <label>{t::FILE.get(lang)} <input type="file" name="file" accept=".txt,text/plain" required data-testid="verify-file-input"/></label>
                <button class="button small" data-testid="verify-upload-button">{t::UPLOAD.get(lang)}</button>
            </form>
        </section>
    }
}

/// The texts of the account page.
pub mod t {
    crate::texts! {
        KIND: "账号类型", "Kind";
        KIND_OFFICIAL: "official（公众号）", "official (Official Account)";
        KIND_WECOM: "wecom（企业微信）", "wecom (WeCom corp)";
        CORP_ID: "企业微信企业ID（CorpID）", "WeCom corp ID";
        AGENT_ID: "企业微信应用 AgentId", "WeCom agent ID";
        CORP_SECRET: "企业微信应用 Secret", "WeCom secret";
        JS_DOMAINS: "JS接口安全域名", "JS interface safe domains";
        JS_DOMAINS_FIELD: "JS接口安全域名（用英文逗号分隔）", "JS interface safe domains (comma-separated)";
        TOKEN_MODE: "access_token 获取方式", "Token mode";
        MODE_CLIENT_CREDENTIAL: "client_credential（获取 access_token 接口）", "client_credential";
        MODE_STABLE: "stable（稳定版接口调用凭据，其他系统也获取 access_token 时不会互相失效）", "stable (safe when other systems also fetch tokens)";
        MP_TOKEN: "服务器配置令牌（Token）", "Message-server token";
        SET: "已设置（不会显示）", "set (never shown)";
        NOT_SET: "未设置", "not set";
        SECRET_HINT_SET: "已设置：留空则保持不变", "set: leave empty to keep it";
        CHANGE: "修改账号", "Change the account";
        PASSWORD: "你的登录密码（更换密钥时必填）", "Your password (required to replace a secret)";
        SAVE: "保存账号设置", "Save the account";
        SAVED_OVERRIDE: "保存的设置优先于 WXKIT_* 环境变量，几秒内对所有 wxkit 进程生效。", "Saved settings override the WXKIT_* environment and reach every wxkit process within seconds.";
        VERIFY_TITLE: "域名校验文件", "Domain verification files";
        VERIFY_WHY: "设置JS接口安全域名或网页授权域名前，微信要求先上传域名校验文件。文件以原文件名在网站根目录下提供访问。", "WeChat asks for one before it accepts a JS interface safe domain or a web authorization domain. It is served at the site root under its own name.";
        REMOVE: "删除", "Remove";
        IN_DATA_FOLDER: "位于数据目录", "in the data folder";
        FILE: "文件（MP_verify_….txt 或 WW_verify_….txt）", "File (MP_verify_….txt or WW_verify_….txt)";
        UPLOAD: "上传", "Upload";
        ERROR_NAME: "文件名须为 MP_verify_<校验码>.txt 或 WW_verify_<校验码>.txt，与微信提供的文件名一致。", "The file must be named MP_verify_<code>.txt or WW_verify_<code>.txt, as WeChat names it.";
        ERROR_CONTENT: "文件内容须为一段短文本（最多 256 个可打印字符），与微信提供的文件一致。", "The file must hold a short text (at most 256 printable characters), as WeChat's does.";
        ERROR_TOO_MANY: "域名校验文件过多：请先删除一个。", "There are too many verification files: remove one first.";
        ERROR_MISSING: "请选择要上传的文件。", "Choose the file to upload.";
        ERROR_OTHER: "文件未能保存，请重试。", "The file could not be kept; try again.";
        LANG_TITLE: "后台语言", "Dashboard language";
        LANG_WHERE: "在页面顶部的语言菜单中切换，设置随管理员账号保存。", "Switch it in the language menu at the top of the page; the choice is kept with your admin account.";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_are_in_both_languages() {
        let problems = crate::i18n::check_catalogue("dashboard::account", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

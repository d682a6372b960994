//! The page editor (a lazy island, loaded only on the dashboard): a page's
//! fields and share content, checked as the admin types (the same checks the
//! server makes), a live preview of the share card as WeChat draws it in a
//! chat and in Moments, and saving through `admin_save_page` without losing
//! what was typed when the server refuses it. Its words, and those of the
//! checks, come as props in the admin's language ([`t`], [`check_t`](crate::admin::check_t)).

use crate::admin::{validate_page, EditorContext, PageForm};
use crate::error::{ApiError, FieldError};
use leptos::prelude::*;

/// The page editor's texts.
pub mod t {
    crate::island_texts! {
        SLUG: "页面标识（页面地址为 /p/{slug}）", "Slug (the page is /p/{slug})";
        TITLE: "页面标题", "Title";
        BODY: "正文", "Body";
        AUTH: "网页授权", "Authorization";
        SCOPE_NONE: "不需要授权（none）", "No authorization (none)";
        SCOPE_BASE: "静默授权，仅获取 openid（snsapi_base）", "Silent, the openid only (snsapi_base)";
        SCOPE_USERINFO: "用户确认授权，获取用户信息（snsapi_userinfo）", "With consent, the user's profile (snsapi_userinfo)";
        LANG: "页面语言", "Language";
        LANG_VISITOR: "跟随访客（先看微信的语言，再看浏览器的）", "The visitor's (WeChat's, then the browser's)";
        JS_API_LIST: "jsApiList（用英文逗号分隔）", "jsApiList (comma-separated)";
        MENU: "在右上角菜单中隐藏（wx.ready 之后生效）", "Hide from the menu at the top right (after wx.ready)";
        MENU_ALL_NON_BASE: "所有非基础菜单项（hideAllNonBaseMenuItem）", "every non-basic item (hideAllNonBaseMenuItem)";
        SHARE_CHAT: "分享给朋友", "Share to a chat";
        SHARE_TITLE: "分享标题（留空：使用页面标题）", "Title (empty: the page title)";
        SHARE_DESC: "分享描述", "Description";
        SHARE_LINK: "分享链接（留空：页面本身）", "Link (empty: the page itself)";
        SHARE_IMAGE: "分享图片网址（留空：站点默认图片）", "Image URL (empty: the site's default)";
        SHARE_MOMENTS: "分享到朋友圈", "Share to Moments";
        TIMELINE_TITLE: "朋友圈标题（留空：使用分享标题）", "Title (empty: the chat title)";
        TIMELINE_LINK: "朋友圈链接（留空：使用分享链接）", "Link (empty: the chat link)";
        TIMELINE_IMAGE: "朋友圈图片网址（留空：使用分享图片）", "Image URL (empty: the chat image)";
        SAVE: "保存", "Save";
        FIX_FIRST: "请先修改标红的字段。", "Fix the fields marked in red first.";
        SAVING: "正在保存…", "Saving…";
        SAVED: "已保存。微信中的页面下次打开时显示新内容。", "Saved. The in-app page shows it on its next load.";
        IN_CHAT: "在聊天中", "In a chat";
        IN_MOMENTS: "在朋友圈中", "In Moments";
        HIDDEN: "菜单中隐藏：{items}", "Hidden from the menu: {items}";
        HIDDEN_NOTHING: "无", "nothing";
        HIDDEN_ALL_NON_BASE: "所有非基础菜单项", "every non-basic item";
    }
}

/// The label key of an `auth_scope` value (`None`: shown as it is).
fn scope_label(scope: &str) -> Option<t::Key> {
    match scope {
        "none" => Some(t::SCOPE_NONE),
        "snsapi_base" => Some(t::SCOPE_BASE),
        "snsapi_userinfo" => Some(t::SCOPE_USERINFO),
        _ => None,
    }
}

#[island(lazy)]
pub fn PageEditor(
    form: PageForm,
    original: String,
    ctx: EditorContext,
    texts: t::Texts,
    check: crate::admin::check_t::Texts,
) -> impl IntoView {
    let texts = StoredValue::new(texts);
    let say = move |key: t::Key| texts.with_value(|x| x.get(key).to_string());
    let form = RwSignal::new(form);
    let original = RwSignal::new(original);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let status = RwSignal::new((String::from("idle"), String::new()));
    // Fields stay disabled until the island has hydrated: what is typed
    // before would not reach the preview nor the save.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let domains = ctx.js_domains.clone();
    let errors = Memo::new(move |_| validate_page(&form.get(), &domains, &check));

    let error_of = move |field: &'static str| {
        move || {
            let local = errors.get();
            let server = server_errors.get();
            local
                .iter()
                .chain(server.iter())
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
        }
    };

    // One text field bound to the form.
    let field = move |name: &'static str,
                      label: t::Key,
                      get: fn(&PageForm) -> &String,
                      set: fn(&mut PageForm, String),
                      multiline: bool| {
        let value = move || get(&form.read()).clone();
        let on_input = move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            form.update(|f| set(f, v));
            server_errors.update(|e| e.retain(|x| x.field != name));
        };
        let error = error_of(name);
        view! {
            <label class="field" class:invalid=move || error().is_some()>
                <span>{say(label)}</span>
                {if multiline {
                    view! { <textarea name=name rows="4" prop:value=value on:input=on_input disabled=move || !hydrated.get() data-testid=format!("field-{name}")></textarea> }.into_any()
                } else {
                    view! { <input name=name prop:value=value on:input=on_input disabled=move || !hydrated.get() data-testid=format!("field-{name}")/> }.into_any()
                }}
                <small class="error" data-testid=format!("error-{name}")>{error}</small>
            </label>
        }
    };

    let origin = ctx.origin.clone();
    let link = {
        let origin = origin.clone();
        move || {
            let f = form.read();
            if f.share_link.is_empty() {
                format!("{origin}/p/{}", f.slug.trim())
            } else {
                f.share_link.clone()
            }
        }
    };
    let image = {
        let origin = origin.clone();
        move || {
            let f = form.read();
            if f.share_image.is_empty() {
                format!("{origin}/share.png")
            } else {
                f.share_image.clone()
            }
        }
    };
    let chat_title = move || {
        let f = form.read();
        if f.share_title.trim().is_empty() {
            f.title.clone()
        } else {
            f.share_title.clone()
        }
    };
    let timeline_title = move || {
        let f = form.read();
        if !f.timeline_title.trim().is_empty() {
            f.timeline_title.clone()
        } else if !f.share_title.trim().is_empty() {
            f.share_title.clone()
        } else {
            f.title.clone()
        }
    };
    let timeline_image = {
        let image = image.clone();
        move || {
            let f = form.read();
            if f.timeline_image.is_empty() {
                image()
            } else {
                f.timeline_image.clone()
            }
        }
    };
    let host = move || {
        let l = link();
        l.split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_default()
            .to_string()
    };

    // The menu items the page hides: one checkbox per item WeChat lets a
    // page hide, and one for every non-basic item at once.
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    };
    let hidden = move || split(&form.read().menu_hidden);
    let toggle = move |name: String, on: bool| {
        form.update(|f| {
            let mut list = split(&f.menu_hidden);
            list.retain(|n| *n != name);
            if on {
                list.push(name);
            }
            f.menu_hidden = list.join(",");
        });
        server_errors.update(|e| e.retain(|x| x.field != "menu_hidden"));
    };
    let menu_box = move |name: String, label: String| {
        let checked = name.clone();
        view! {
            <label class="check">
                <input type="checkbox" data-testid=format!("menu-{name}") disabled=move || !hydrated.get()
                    prop:checked=move || hidden().contains(&checked)
                    on:change=move |ev| toggle(name.clone(), event_target_checked(&ev))/>
                " " {label}
            </label>
        }
    };
    let menu_items = ctx.menu_items.clone();
    let hidden_labels = {
        let menu_items = menu_items.clone();
        move || {
            let list = hidden();
            if list.is_empty() {
                return say(t::HIDDEN_NOTHING);
            }
            list.iter()
                .map(|n| {
                    if n == crate::wx::ALL_NON_BASE {
                        return say(t::HIDDEN_ALL_NON_BASE);
                    }
                    menu_items
                        .iter()
                        .find(|(name, _)| name == n)
                        .map_or_else(|| n.clone(), |(_, label)| label.clone())
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let hidden_text = move || {
        let items = hidden_labels();
        texts.with_value(|x| x.fill(t::HIDDEN, &[("items", &items)]))
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !errors.get_untracked().is_empty() {
            status.set(("invalid".into(), say(t::FIX_FIRST)));
            return;
        }
        status.set(("saving".into(), say(t::SAVING)));
        let f = form.get_untracked();
        let from = original.get_untracked();
        leptos::task::spawn_local(async move {
            match crate::admin::admin_save_page(from, f.clone()).await {
                Ok(()) => {
                    let slug = f.slug.trim().to_string();
                    original.set(slug.clone());
                    server_errors.set(Vec::new());
                    status.set(("saved".into(), say(t::SAVED)));
                    #[cfg(feature = "hydrate")]
                    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                        let _ = h.replace_state_with_url(
                            &wasm_bindgen::JsValue::NULL,
                            "",
                            Some(&format!("/admin/pages/{slug}")),
                        );
                    }
                }
                Err(ApiError::Invalid { message, fields }) => {
                    server_errors.set(fields);
                    status.set(("invalid".into(), message));
                }
                Err(e) => status.set(("failed".into(), e.to_string())),
            }
        });
    };

    view! {
        <div class="editor">
            <form class="card editor-form" on:submit=save data-testid="page-form" data-hydrated=move || hydrated.get().to_string()>
                {field("slug", t::SLUG, |f| &f.slug, |f, v| f.slug = v, false)}
                {field("title", t::TITLE, |f| &f.title, |f, v| f.title = v, false)}
                {field("body", t::BODY, |f| &f.body, |f, v| f.body = v, true)}
                <label class="field">
                    <span>{say(t::AUTH)}</span>
                    <select name="auth_scope" data-testid="field-auth_scope" disabled=move || !hydrated.get()
                        on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.auth_scope = v) }>
                        {crate::scope::AUTH_SCOPES.iter().map(|s| {
                            let s = *s;
                            let label = scope_label(s).map_or_else(|| s.to_string(), say);
                            view! { <option value=s selected=move || form.read().auth_scope == s>{label}</option> }
                        }).collect::<Vec<_>>()}
                    </select>
                    <small class="error">{error_of("auth_scope")}</small>
                </label>
                <label class="field">
                    <span>{say(t::LANG)}</span>
                    <select name="lang" data-testid="field-lang" disabled=move || !hydrated.get()
                        on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.lang = v) }>
                        {[("", say(t::LANG_VISITOR)), ("zh-CN", "简体中文".to_string()), ("en", "English".to_string())]
                            .into_iter()
                            .map(|(v, label)| view! { <option value=v selected=move || form.read().lang == v>{label}</option> })
                            .collect::<Vec<_>>()}
                    </select>
                    <small class="error">{error_of("lang")}</small>
                </label>
                {field("js_api_list", t::JS_API_LIST, |f| &f.js_api_list, |f, v| f.js_api_list = v, false)}
                <fieldset class="field menu-items" data-testid="menu-items">
                    <legend>{say(t::MENU)}</legend>
                    {menu_box(crate::wx::ALL_NON_BASE.to_string(), say(t::MENU_ALL_NON_BASE))}
                    {menu_items.iter()
                        .map(|(name, label)| menu_box(name.clone(), format!("{label} ({name})")))
                        .collect::<Vec<_>>()}
                    <small class="error" data-testid="error-menu_hidden">{error_of("menu_hidden")}</small>
                </fieldset>
                <h2>{say(t::SHARE_CHAT)}</h2>
                {field("share_title", t::SHARE_TITLE, |f| &f.share_title, |f, v| f.share_title = v, false)}
                {field("share_desc", t::SHARE_DESC, |f| &f.share_desc, |f, v| f.share_desc = v, false)}
                {field("share_link", t::SHARE_LINK, |f| &f.share_link, |f, v| f.share_link = v, false)}
                {field("share_image", t::SHARE_IMAGE, |f| &f.share_image, |f, v| f.share_image = v, false)}
                <h2>{say(t::SHARE_MOMENTS)}</h2>
                {field("timeline_title", t::TIMELINE_TITLE, |f| &f.timeline_title, |f, v| f.timeline_title = v, false)}
                {field("timeline_link", t::TIMELINE_LINK, |f| &f.timeline_link, |f, v| f.timeline_link = v, false)}
                {field("timeline_image", t::TIMELINE_IMAGE, |f| &f.timeline_image, |f, v| f.timeline_image = v, false)}
                <button class="button" data-testid="save-page" disabled=move || !hydrated.get()>{say(t::SAVE)}</button>
                <p class="save-status" data-testid="save-status" data-status=move || status.get().0>{move || status.get().1}</p>
            </form>
            <aside class="preview" data-testid="preview">
                <h2>{say(t::IN_CHAT)}</h2>
                <div class="chat">
                    <div class="bubble share-card">
                        <p class="share-title" data-testid="preview-chat-title">{chat_title}</p>
                        <div class="share-body">
                            <p class="share-desc" data-testid="preview-chat-desc">{move || form.read().share_desc.clone()}</p>
                            <img src=image.clone() alt="" width="48" height="48"/>
                        </div>
                        <p class="share-source">{host}</p>
                    </div>
                </div>
                <p class="muted" data-testid="preview-menu-hidden">{hidden_text}</p>
                <h2>{say(t::IN_MOMENTS)}</h2>
                <div class="moments">
                    <div class="moment-card">
                        <img src=timeline_image alt="" width="44" height="44"/>
                        <p data-testid="preview-timeline-title">{timeline_title}</p>
                    </div>
                </div>
            </aside>
        </div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_editor_is_written_in_both_languages() {
        let problems = crate::i18n::check_catalogue("editor", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_scope_has_a_label() {
        for scope in crate::scope::AUTH_SCOPES {
            assert!(super::scope_label(scope).is_some(), "{scope}");
        }
    }
}

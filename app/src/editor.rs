//! The page editor (a lazy island, loaded only on the dashboard): a page's
//! fields and share content, checked as the admin types (the same checks the
//! server makes), a live preview of the share card as WeChat draws it in a
//! chat and in Moments, and saving through `admin_save_page` without losing
//! what was typed when the server refuses it.

use crate::admin::{validate_page, EditorContext, PageForm};
use crate::error::{ApiError, FieldError};
use leptos::prelude::*;

#[island(lazy)]
pub fn PageEditor(form: PageForm, original: String, ctx: EditorContext) -> impl IntoView {
    let form = RwSignal::new(form);
    let original = RwSignal::new(original);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let status = RwSignal::new((String::from("idle"), String::new()));
    // Fields stay disabled until the island has hydrated: what is typed
    // before would not reach the preview nor the save.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let domains = ctx.js_domains.clone();
    let errors = Memo::new(move |_| validate_page(&form.get(), &domains));

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
                      label: &'static str,
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
                <span>{label}</span>
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
                return "nothing".to_string();
            }
            list.iter()
                .map(|n| {
                    if n == crate::wx::ALL_NON_BASE {
                        return "every non-basic item".to_string();
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

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !errors.get_untracked().is_empty() {
            status.set((
                "invalid".into(),
                "Fix the fields marked in red first.".into(),
            ));
            return;
        }
        status.set(("saving".into(), "Saving…".into()));
        let f = form.get_untracked();
        let from = original.get_untracked();
        leptos::task::spawn_local(async move {
            match crate::admin::admin_save_page(from, f.clone()).await {
                Ok(()) => {
                    let slug = f.slug.trim().to_string();
                    original.set(slug.clone());
                    server_errors.set(Vec::new());
                    status.set((
                        "saved".into(),
                        "Saved. The in-app page shows it on its next load.".into(),
                    ));
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
                {field("slug", "Slug (the page is /p/{slug})", |f| &f.slug, |f, v| f.slug = v, false)}
                {field("title", "Title", |f| &f.title, |f, v| f.title = v, false)}
                {field("body", "Body", |f| &f.body, |f, v| f.body = v, true)}
                <label class="field">
                    <span>"Authorization"</span>
                    <select name="auth_scope" data-testid="field-auth_scope" disabled=move || !hydrated.get()
                        on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.auth_scope = v) }>
                        {crate::scope::AUTH_SCOPES.iter().map(|s| {
                            let s = *s;
                            view! { <option value=s selected=move || form.read().auth_scope == s>{s}</option> }
                        }).collect::<Vec<_>>()}
                    </select>
                    <small class="error">{error_of("auth_scope")}</small>
                </label>
                <label class="field">
                    <span>"Language"</span>
                    <select name="lang" data-testid="field-lang" disabled=move || !hydrated.get()
                        on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.lang = v) }>
                        {[("", "The visitor's (WeChat's, then the browser's)"), ("zh-CN", "简体中文"), ("en", "English")]
                            .into_iter()
                            .map(|(v, label)| view! { <option value=v selected=move || form.read().lang == v>{label}</option> })
                            .collect::<Vec<_>>()}
                    </select>
                    <small class="error">{error_of("lang")}</small>
                </label>
                {field("js_api_list", "jsApiList (comma-separated)", |f| &f.js_api_list, |f, v| f.js_api_list = v, false)}
                <fieldset class="field menu-items" data-testid="menu-items">
                    <legend>"Hide from the menu at the top right (after wx.ready)"</legend>
                    {menu_box(crate::wx::ALL_NON_BASE.to_string(), "every non-basic item (hideAllNonBaseMenuItem)".into())}
                    {menu_items.iter()
                        .map(|(name, label)| menu_box(name.clone(), format!("{label} ({name})")))
                        .collect::<Vec<_>>()}
                    <small class="error" data-testid="error-menu_hidden">{error_of("menu_hidden")}</small>
                </fieldset>
                <h2>"Share to a chat"</h2>
                {field("share_title", "Title (empty: the page title)", |f| &f.share_title, |f, v| f.share_title = v, false)}
                {field("share_desc", "Description", |f| &f.share_desc, |f, v| f.share_desc = v, false)}
                {field("share_link", "Link (empty: the page itself)", |f| &f.share_link, |f, v| f.share_link = v, false)}
                {field("share_image", "Image URL (empty: the site's default)", |f| &f.share_image, |f, v| f.share_image = v, false)}
                <h2>"Share to Moments"</h2>
                {field("timeline_title", "Title (empty: the chat title)", |f| &f.timeline_title, |f, v| f.timeline_title = v, false)}
                {field("timeline_link", "Link (empty: the chat link)", |f| &f.timeline_link, |f, v| f.timeline_link = v, false)}
                {field("timeline_image", "Image URL (empty: the chat image)", |f| &f.timeline_image, |f, v| f.timeline_image = v, false)}
                <button class="button" data-testid="save-page" disabled=move || !hydrated.get()>"Save"</button>
                <p class="save-status" data-testid="save-status" data-status=move || status.get().0>{move || status.get().1}</p>
            </form>
            <aside class="preview" data-testid="preview">
                <h2>"In a chat"</h2>
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
                <p class="muted" data-testid="preview-menu-hidden">"Hidden from the menu: " {hidden_labels}</p>
                <h2>"In Moments"</h2>
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

//! `/jssdk`: the JS-SDK playground, like WeChat's own JS-SDK demo page: a
//! section per group with a button for every interface of JS-SDK 1.6.0,
//! each showing the exact call and WeChat's reply (`errMsg` and data). The
//! page signs itself for every API, so inside WeChat with a real account it
//! shows at once which interfaces the account may use; in simulate mode it
//! works in any desktop browser. Server-rendered; the buttons are wired by
//! `public/jssdk.js` (plain JavaScript, as the calls it shows are), so the
//! in-app pages' WASM does not grow by a byte.

use leptos::prelude::*;

/// `/jssdk`.
#[component]
pub fn PlaygroundPage() -> impl IntoView {
    view! {
        <leptos_meta::Title text="JS-SDK playground · wxkit"/>
        <main class="page playground">
            <h1>"JS-SDK playground"</h1>
            <p class="muted">"Every interface of WeChat's JS-SDK 1.6.0, signed for this page: each button shows the call and WeChat's reply. Inside WeChat with your account, it shows which interfaces the account may use."</p>
            <p data-testid="playground-status" data-status="signing">"signing…"</p>
            {crate::backend::API_GROUPS.iter().map(|(name, apis)| view! {
                <section class="card" data-group=*name>
                    <h2>{*name}</h2>
                    {apis.iter().map(|api| view! {
                        <div class="api">
                            <button class="button small" data-api=*api data-testid=format!("api-{api}")>{*api}</button>
                            <pre data-testid=format!("reply-{api}") data-errmsg=""></pre>
                        </div>
                    }).collect::<Vec<_>>()}
                </section>
            }).collect::<Vec<_>>()}
            <script src="/jssdk.js" defer></script>
        </main>
    }
}

//! Cards on a page: add the offered cards to the WeChat card holder
//! (`addCard` with a server-signed `cardExt`), choose one (`chooseCard` with a
//! server-signed `cardSign`) and open it (`openCard`).

use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The card types WeChat has (`card_type` of 卡券; the one list the server
/// checks and the dashboard offers).
pub const CARD_TYPES: &[&str] = &[
    "GENERAL_COUPON",
    "GROUPON",
    "DISCOUNT",
    "GIFT",
    "CASH",
    "MEMBER_CARD",
    "SCENIC_TICKET",
    "MOVIE_TICKET",
    "BOARDING_PASS",
    "MEETING_TICKET",
    "BUS_TICKET",
];

/// A card a page offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardInfo {
    pub card_id: String,
    pub title: String,
    pub card_type: String,
}

/// What `wx.chooseCard` needs besides shopId, cardType and cardId.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChooseCardSign {
    pub timestamp: i64,
    pub nonce_str: String,
    pub sign_type: String,
    pub card_sign: String,
}

/// The cards pages offer.
#[server(prefix = "/api", endpoint = "cards")]
pub async fn list_cards() -> Result<Vec<CardInfo>, ApiError> {
    crate::backend::use_backend()?.list_cards().await
}

/// The `cardExt` (a JSON string) for adding the registered card `card_id`;
/// `outer_str` is optional. The server chooses the code and the openid: the
/// signed-in visitor's for bound cards, none otherwise.
#[server(prefix = "/api", endpoint = "card_ext")]
pub async fn card_ext(
    card_id: String,
    #[server(default)] outer_str: String,
) -> Result<String, ApiError> {
    crate::backend::use_backend()?
        .card_ext(&card_id, &outer_str)
        .await
}

/// The `cardSign` for choosing among cards (all filters optional).
#[server(prefix = "/api", endpoint = "card_sign")]
pub async fn card_sign(
    #[server(default)] card_id: String,
    #[server(default)] card_type: String,
    #[server(default)] shop_id: String,
) -> Result<ChooseCardSign, ApiError> {
    crate::backend::use_backend()?
        .card_sign(&card_id, &card_type, &shop_id)
        .await
}

/// The cards island's texts.
pub mod t {
    crate::island_texts! {
        ADD: "添加到卡包", "Add to card holder";
        CHOOSE: "选择卡券", "Choose a card";
        OPEN: "查看已添加的卡券", "Open the added card";
        ADDED: "已将 {n} 张卡券添加到卡包。", "Added {n} card(s) to your card holder.";
        CHOSEN: "已选择：{list}", "Chosen: {list}";
        OPENED: "已打开。", "Opened.";
    }
}

#[island(lazy)]
pub fn CardsIsland(cards: Vec<CardInfo>, texts: t::Texts) -> impl IntoView {
    let texts = StoredValue::new(texts);
    let say = move |key: t::Key| texts.with_value(|x| x.get(key).to_string());
    let added = RwSignal::new(Vec::<(String, String)>::new());
    let message = RwSignal::new((String::from("idle"), String::new()));
    // Starts not ready, as the server rendered it; the effect (which runs after
    // hydration, possibly long after the runtime got ready: this island loads
    // lazily) brings it up to date.
    let wx_state = crate::runtime::use_wx_state();
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(wx_state.get() == crate::runtime::WxState::Ready));
    #[allow(unused_variables)]
    let act = move |what: &'static str, card_id: String| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let result = browser::act(what, card_id, added, texts).await;
            message.set(match result {
                Ok(text) => ("ok".into(), text),
                Err(e) => ("failed".into(), e),
            });
        });
    };
    view! {
        <div class="cards">
            <ul class="card-list">
                {cards.into_iter().map(|c| {
                    let id = c.card_id.clone();
                    view! {
                        <li>
                            <span class="card-title">{c.title.clone()}</span>
                            <button class="button small" data-testid=format!("add-{}", c.card_id)
                                disabled=move || !ready.get() on:click=move |_| act("add", id.clone())>
                                {say(t::ADD)}
                            </button>
                        </li>
                    }
                }).collect::<Vec<_>>()}
            </ul>
            <button class="button secondary" data-testid="choose-card" disabled=move || !ready.get()
                on:click=move |_| act("choose", String::new())>{say(t::CHOOSE)}</button>
            <button class="button secondary" data-testid="open-card" disabled=move || !ready.get() || added.get().is_empty()
                on:click=move |_| act("open", String::new())>{say(t::OPEN)}</button>
            <p class="step" data-testid="cards-result" data-result=move || message.get().0>{move || message.get().1}</p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::wx;

    pub async fn act(
        what: &str,
        card_id: String,
        added: RwSignal<Vec<(String, String)>>,
        texts: StoredValue<t::Texts>,
    ) -> Result<String, String> {
        let fill = |key, name, value: &str| texts.with_value(|x| x.fill(key, &[(name, value)]));
        match what {
            "add" => {
                let ext = card_ext(card_id.clone(), String::new())
                    .await
                    .map_err(|e| e.to_string())?;
                let cards = wx::add_card(&[(card_id, ext)])
                    .await
                    .map_err(|e| e.to_string())?;
                let n = cards.len().to_string();
                added.update(|a| a.extend(cards));
                Ok(fill(t::ADDED, "n", &n))
            }
            "choose" => {
                let sign = card_sign(String::new(), String::new(), String::new())
                    .await
                    .map_err(|e| e.to_string())?;
                let list = wx::choose_card(&[
                    ("shopId", String::new()),
                    ("cardType", String::new()),
                    ("cardId", String::new()),
                    ("timestamp", sign.timestamp.to_string()),
                    ("nonceStr", sign.nonce_str),
                    ("signType", sign.sign_type),
                    ("cardSign", sign.card_sign),
                ])
                .await
                .map_err(|e| e.to_string())?;
                Ok(fill(t::CHOSEN, "list", &list))
            }
            _ => {
                let cards = added.get_untracked();
                wx::open_card(&cards).await.map_err(|e| e.to_string())?;
                Ok(texts.with_value(|x| x.get(t::OPENED).to_string()))
            }
        }
    }
}

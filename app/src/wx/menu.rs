//! Bindings to the interface operations of the JS-SDK 1.6.0 (the menu at
//! the top right, and closing the page), with the official list of menu
//! items ("Appendix | List of All Menu Items" in WeChat's JS-SDK
//! documentation).

/// A menu item of the official list. Only communication and protection
/// items can be hidden one by one; the basic ones go only with
/// `hideAllNonBaseMenuItem`'s opposite (they always stay).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MenuItem {
    // Basic
    ExposeArticle,
    SetFont,
    DayMode,
    NightMode,
    Refresh,
    Profile,
    AddContact,
    // Communication
    ShareAppMessage,
    ShareTimeline,
    ShareQq,
    ShareWeiboApp,
    Favorite,
    ShareFacebook,
    ShareQZone,
    // Protection
    EditTag,
    Delete,
    CopyUrl,
    OriginPage,
    ReadMode,
    OpenWithQqBrowser,
    OpenWithSafari,
    ShareEmail,
    ShareBrand,
}

/// The entry of a page's hidden menu items that means "every item but the
/// basic ones" (`hideAllNonBaseMenuItem`).
pub const ALL_NON_BASE: &str = "all_non_base";

/// A page's hidden menu items, checked: each entry is [`ALL_NON_BASE`] or the
/// name of a communication or protection item (basic items cannot be
/// hidden). Answers the normalised list (trimmed, without repeats), or what
/// was wrong.
pub fn parse_hidden(list: &str) -> Result<Vec<&str>, String> {
    let mut out: Vec<&str> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if name != ALL_NON_BASE {
            match MenuItem::from_name(name) {
                None => return Err(format!("`{name}` is not a menu item of WeChat's list")),
                Some(m) if m.category() == MenuCategory::Basic => {
                    return Err(format!(
                        "`{name}` is a basic menu item: WeChat does not let a page hide it"
                    ))
                }
                Some(_) => {}
            }
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

/// A stored list's entries that [`parse_hidden`] accepts, one by one (a
/// row written before the check, or by hand, loses only its bad entries);
/// the bad ones are answered too, for a warning.
pub fn filter_hidden(list: &str) -> (Vec<String>, Vec<String>) {
    let mut good: Vec<String> = Vec::new();
    let mut bad = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match parse_hidden(name) {
            Ok(_) if !good.iter().any(|g| g == name) => good.push(name.to_string()),
            Ok(_) => {}
            Err(_) => bad.push(name.to_string()),
        }
    }
    (good, bad)
}

/// A category of the official list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuCategory {
    Basic,
    Communication,
    Protection,
}

impl MenuItem {
    /// Every item, in the official list's order.
    pub const ALL: [MenuItem; 23] = [
        MenuItem::ExposeArticle,
        MenuItem::SetFont,
        MenuItem::DayMode,
        MenuItem::NightMode,
        MenuItem::Refresh,
        MenuItem::Profile,
        MenuItem::AddContact,
        MenuItem::ShareAppMessage,
        MenuItem::ShareTimeline,
        MenuItem::ShareQq,
        MenuItem::ShareWeiboApp,
        MenuItem::Favorite,
        MenuItem::ShareFacebook,
        MenuItem::ShareQZone,
        MenuItem::EditTag,
        MenuItem::Delete,
        MenuItem::CopyUrl,
        MenuItem::OriginPage,
        MenuItem::ReadMode,
        MenuItem::OpenWithQqBrowser,
        MenuItem::OpenWithSafari,
        MenuItem::ShareEmail,
        MenuItem::ShareBrand,
    ];

    /// The name `hideMenuItems`/`showMenuItems` take.
    pub fn name(self) -> &'static str {
        match self {
            MenuItem::ExposeArticle => "menuItem:exposeArticle",
            MenuItem::SetFont => "menuItem:setFont",
            MenuItem::DayMode => "menuItem:dayMode",
            MenuItem::NightMode => "menuItem:nightMode",
            MenuItem::Refresh => "menuItem:refresh",
            MenuItem::Profile => "menuItem:profile",
            MenuItem::AddContact => "menuItem:addContact",
            MenuItem::ShareAppMessage => "menuItem:share:appMessage",
            MenuItem::ShareTimeline => "menuItem:share:timeline",
            MenuItem::ShareQq => "menuItem:share:qq",
            MenuItem::ShareWeiboApp => "menuItem:share:weiboApp",
            MenuItem::Favorite => "menuItem:favorite",
            MenuItem::ShareFacebook => "menuItem:share:facebook",
            MenuItem::ShareQZone => "menuItem:share:QZone",
            MenuItem::EditTag => "menuItem:editTag",
            MenuItem::Delete => "menuItem:delete",
            MenuItem::CopyUrl => "menuItem:copyUrl",
            MenuItem::OriginPage => "menuItem:originPage",
            MenuItem::ReadMode => "menuItem:readMode",
            MenuItem::OpenWithQqBrowser => "menuItem:openWithQQBrowser",
            MenuItem::OpenWithSafari => "menuItem:openWithSafari",
            MenuItem::ShareEmail => "menuItem:share:email",
            MenuItem::ShareBrand => "menuItem:share:brand",
        }
    }

    /// The item named `name`.
    pub fn from_name(name: &str) -> Option<MenuItem> {
        MenuItem::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The item's category in the official list.
    pub fn category(self) -> MenuCategory {
        match MenuItem::ALL.iter().position(|m| *m == self) {
            Some(0..=6) => MenuCategory::Basic,
            Some(7..=13) => MenuCategory::Communication,
            _ => MenuCategory::Protection,
        }
    }

    /// Its label in WeChat's menu (the official list's words).
    pub fn label(self) -> &'static str {
        match self {
            MenuItem::ExposeArticle => "举报",
            MenuItem::SetFont => "调整字体",
            MenuItem::DayMode => "日间模式",
            MenuItem::NightMode => "夜间模式",
            MenuItem::Refresh => "刷新",
            MenuItem::Profile => "查看服务号(已添加)",
            MenuItem::AddContact => "查看服务号(未添加)",
            MenuItem::ShareAppMessage => "发送给朋友",
            MenuItem::ShareTimeline => "分享到朋友圈",
            MenuItem::ShareQq => "分享到QQ",
            MenuItem::ShareWeiboApp => "分享到Weibo",
            MenuItem::Favorite => "收藏",
            MenuItem::ShareFacebook => "分享到FB",
            MenuItem::ShareQZone => "分享到 QQ 空间",
            MenuItem::EditTag => "编辑标签",
            MenuItem::Delete => "删除",
            MenuItem::CopyUrl => "复制链接",
            MenuItem::OriginPage => "原网页",
            MenuItem::ReadMode => "阅读模式",
            MenuItem::OpenWithQqBrowser => "在QQ浏览器中打开",
            MenuItem::OpenWithSafari => "在Safari中打开",
            MenuItem::ShareEmail => "邮件",
            MenuItem::ShareBrand => "一些特殊服务号",
        }
    }
}

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::wx::browser::{call, obj, strings};
    use crate::wx::Outcome;
    use js_sys::Object;

    async fn plain(api: &str) -> Outcome<()> {
        call(api, Object::new()).await.map(drop)
    }

    /// `hideOptionMenu`: no menu at the top right.
    pub async fn hide_option_menu() -> Outcome<()> {
        plain("hideOptionMenu").await
    }

    /// `showOptionMenu`.
    pub async fn show_option_menu() -> Outcome<()> {
        plain("showOptionMenu").await
    }

    fn names(items: &[MenuItem]) -> wasm_bindgen::JsValue {
        let names: Vec<&str> = items.iter().map(|m| m.name()).collect();
        strings(&names)
    }

    /// `hideMenuItems` (communication and protection items only).
    pub async fn hide_menu_items(items: &[MenuItem]) -> Outcome<()> {
        call("hideMenuItems", obj(&[("menuList", names(items))]))
            .await
            .map(drop)
    }

    /// `showMenuItems`.
    pub async fn show_menu_items(items: &[MenuItem]) -> Outcome<()> {
        call("showMenuItems", obj(&[("menuList", names(items))]))
            .await
            .map(drop)
    }

    /// `hideAllNonBaseMenuItem`: only the basic items stay.
    pub async fn hide_all_non_base_menu_item() -> Outcome<()> {
        plain("hideAllNonBaseMenuItem").await
    }

    /// `showAllNonBaseMenuItem`.
    pub async fn show_all_non_base_menu_item() -> Outcome<()> {
        plain("showAllNonBaseMenuItem").await
    }

    /// A page's hidden menu items (as [`parse_hidden`] accepted them):
    /// `hideAllNonBaseMenuItem` for [`ALL_NON_BASE`], `hideMenuItems` for
    /// the named ones.
    pub async fn hide_page_menu(hidden: &[String]) -> Outcome<()> {
        let (all, names): (Vec<&String>, Vec<&String>) =
            hidden.iter().partition(|n| n.as_str() == ALL_NON_BASE);
        if !all.is_empty() {
            plain("hideAllNonBaseMenuItem").await?;
        }
        if !names.is_empty() {
            call("hideMenuItems", obj(&[("menuList", strings(&names))]))
                .await
                .map(drop)?;
        }
        Ok(())
    }

    /// `closeWindow`: closes the page.
    pub async fn close_window() -> Outcome<()> {
        plain("closeWindow").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_list_round_trips() {
        for m in MenuItem::ALL {
            assert_eq!(MenuItem::from_name(m.name()), Some(m));
        }
        assert_eq!(MenuItem::CopyUrl.category(), MenuCategory::Protection);
        assert_eq!(MenuItem::ShareQZone.category(), MenuCategory::Communication);
        assert_eq!(MenuItem::AddContact.category(), MenuCategory::Basic);
        assert_eq!(MenuItem::from_name("menuItem:nope"), None);
    }

    #[test]
    fn a_page_hides_only_what_wechat_lets_it() {
        assert_eq!(
            parse_hidden(" menuItem:copyUrl, all_non_base,menuItem:copyUrl ,").unwrap(),
            ["menuItem:copyUrl", "all_non_base"]
        );
        assert!(parse_hidden("menuItem:refresh")
            .unwrap_err()
            .contains("basic"));
        assert!(parse_hidden("menuItem:copyURL").is_err());
        assert_eq!(parse_hidden("").unwrap(), Vec::<&str>::new());
        assert_eq!(
            filter_hidden("menuItem:copyUrl,menuItem:refresh,nope,menuItem:copyUrl"),
            (
                vec!["menuItem:copyUrl".to_string()],
                vec!["menuItem:refresh".to_string(), "nope".to_string()]
            )
        );
    }
}

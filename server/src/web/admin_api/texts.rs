//! What an admin is told, in the admin's language (the messages of the page
//! form's own checks are `app::admin::check_t`).

app::texts! {
    TOO_LONG: "最多 {max} 个字符", "at most {max} characters";
    NOT_A_MENU_ITEM: "`{name}` 不在微信的菜单项列表中", "`{name}` is not a menu item of WeChat's list";
    BASIC_MENU_ITEM: "`{name}` 是基础菜单项：微信不允许页面隐藏它", "`{name}` is a basic menu item: WeChat does not let a page hide it";
    BAD_PAGE_LANG: "只能为空（跟随访客的语言）、zh-CN 或 en", "empty (the visitor's language), zh-CN or en";
    FIELDS_TO_FIX: "有 {n} 个字段需要修改", "{n} field(s) need fixing";
    SLUG_TAKEN: "该页面标识已被使用", "the slug is taken";
    PAGE_EXISTS: "页面 `{slug}` 已存在", "a page `{slug}` exists already";
    NO_PAGE: "没有页面 `{slug}`", "there is no page `{slug}`";
    NO_UPLOAD: "没有上传的文件 `{id}`", "there is no upload `{id}`";
    UNKNOWN_CREDENTIAL: "未知的凭证 `{kind}`", "unknown credential `{kind}`";
    ENTER_URL: "请输入页面网址（最多 4 KiB）", "enter the page URL (at most 4 KiB)";
    BAD_TIMESTAMP: "时间戳是 Unix 秒数，只能包含数字", "the timestamp is Unix seconds, digits only";
    NO_VERIFY_FILE: "没有该名称的已上传验证文件", "there is no uploaded verification file of that name";
    VERIFY_BAD_NAME: "验证文件的名称须为 MP_verify_<字母和数字>.txt 或 WW_verify_<字母和数字>.txt", "a verification file is named MP_verify_<letters and digits>.txt or WW_verify_<letters and digits>.txt";
    VERIFY_BAD_CONTENT: "验证文件最多包含 {max} 个可打印字符（微信的验证文件只有一段短代码）", "a verification file holds at most {max} characters of printable text (WeChat's hold a short code)";
    VERIFY_TOO_MANY: "最多可上传 {max} 个验证文件：请先删除一个", "at most {max} verification files can be uploaded: remove one first";
    PASSWORD_FOR_SECRET: "替换密钥前请输入你的密码", "enter your password to replace a secret";
    PASSWORD_REQUIRED: "替换密钥时必填", "required to replace a secret";
    WRONG_PASSWORD: "密码不正确", "your password is not right";
    NOT_YOUR_PASSWORD: "不是你的密码", "not your password";
}

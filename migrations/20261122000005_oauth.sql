-- Web authorization (OAuth): what each page requires, the attempts in flight,
-- the users who authorized, their web tokens, and the sessions that remember
-- them. Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- none | snsapi_base | snsapi_userinfo
ALTER TABLE pages ADD COLUMN auth_scope TEXT NOT NULL DEFAULT 'none';

INSERT INTO pages (slug, title, body, share_title, share_desc, js_api_list, auth_scope)
VALUES (
    'demo-base',
    'wxkit 演示页 · 静默授权',
    'Only visitors WeChat has identified may see this page: it asks for snsapi_base, which WeChat grants silently (no consent page) and which tells wxkit the visitor''s openid.',
    'wxkit 演示：静默授权',
    'snsapi_base: the openid, silently.',
    'updateAppMessageShareData,updateTimelineShareData,onMenuShareAppMessage,onMenuShareTimeline',
    'snsapi_base'
);

INSERT INTO pages (slug, title, body, share_title, share_desc, js_api_list, auth_scope)
VALUES (
    'demo-userinfo',
    'wxkit 演示页 · 用户信息',
    'This page asks for snsapi_userinfo: WeChat shows a consent page once, then wxkit knows the visitor''s nickname and avatar.',
    'wxkit 演示：网页授权',
    'snsapi_userinfo: nickname and avatar, with consent.',
    'updateAppMessageShareData,updateTimelineShareData,onMenuShareAppMessage,onMenuShareTimeline',
    'snsapi_userinfo'
);

INSERT INTO pages (slug, title, body, share_title, share_desc, js_api_list, auth_scope)
VALUES (
    'demo-wecom',
    'wxkit 演示页 · 企业微信',
    'For a WeCom (enterprise WeChat) account: the member is identified by the corp, and the page asks for agent APIs, so it gets a wx.agentConfig signed with the agent ticket as well.',
    'wxkit 演示：企业微信',
    'WeCom: corp config and agentConfig.',
    'updateAppMessageShareData,onMenuShareAppMessage,selectEnterpriseContact,openUserProfile',
    'snsapi_base'
);

-- One row per authorization attempt: single use, bound to the visitor's
-- session, valid for 10 minutes. The return target is kept here, never in the URL.
CREATE TABLE oauth_states (
    state TEXT PRIMARY KEY,
    binding TEXT NOT NULL,
    scope TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT NOT NULL DEFAULT 0
);

-- People who authorized a page. `account` is the AppID (or WeCom corp ID);
-- `openid` is the WeChat openid (WeCom: the member's userid).
CREATE TABLE users (
    account TEXT NOT NULL,
    openid TEXT NOT NULL,
    unionid TEXT NOT NULL DEFAULT '',
    userid TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL,
    nickname TEXT NOT NULL DEFAULT '',
    avatar_url TEXT NOT NULL DEFAULT '',
    sex BIGINT NOT NULL DEFAULT 0,
    province TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    profile_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, openid)
);

-- Web authorization tokens (not the account's access_token). Server side only.
CREATE TABLE web_tokens (
    account TEXT NOT NULL,
    openid TEXT NOT NULL,
    access_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    refresh_token TEXT NOT NULL,
    refresh_expires_at BIGINT NOT NULL,
    scope TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account, openid)
);

-- Sessions (tower-sessions records; data is JSON).
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

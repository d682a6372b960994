-- In-app pages and what happens on them: share outcomes per page and day,
-- config failures the pages report, and images uploaded through them.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

CREATE TABLE pages (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    -- Share to a chat (updateAppMessageShareData / onMenuShareAppMessage).
    share_title TEXT NOT NULL DEFAULT '',
    share_desc TEXT NOT NULL DEFAULT '',
    share_link TEXT NOT NULL DEFAULT '',   -- empty: the page's own URL
    share_image TEXT NOT NULL DEFAULT '',  -- absolute http(s) URL; empty: the site's default
    -- Share to Moments (updateTimelineShareData / onMenuShareTimeline).
    timeline_title TEXT NOT NULL DEFAULT '',
    timeline_link TEXT NOT NULL DEFAULT '',
    timeline_image TEXT NOT NULL DEFAULT '',
    -- Comma-separated JS-SDK APIs the page needs.
    js_api_list TEXT NOT NULL DEFAULT '',
    -- chooseImage options.
    image_count BIGINT NOT NULL DEFAULT 9,
    image_source TEXT NOT NULL DEFAULT 'album,camera',
    image_size TEXT NOT NULL DEFAULT 'original,compressed',
    created_at BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL DEFAULT 0
);

INSERT INTO pages (slug, title, body, share_title, share_desc, timeline_title, js_api_list, image_count)
VALUES (
    'demo',
    'wxkit 演示页',
    'This page is served by wxkit: its wx.config was signed on the server for this very URL. Share it, add photos, or try the cards.',
    'wxkit 演示：在微信里打开的页面',
    'Signed on the server, shared with the content you set.',
    'wxkit 演示页 · 朋友圈',
    'updateAppMessageShareData,updateTimelineShareData,onMenuShareAppMessage,onMenuShareTimeline,onMenuShareQQ,onMenuShareWeibo,onMenuShareQZone,chooseImage,previewImage,uploadImage,downloadImage,getLocalImgData,addCard,chooseCard,openCard',
    3
);

CREATE TABLE share_events (
    slug TEXT NOT NULL,
    channel TEXT NOT NULL,   -- app_message | timeline | qq | weibo | qzone
    outcome TEXT NOT NULL,   -- success | cancel
    day TEXT NOT NULL,       -- YYYY-MM-DD (UTC)
    count BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (slug, channel, outcome, day)
);

CREATE TABLE config_failures (
    id TEXT PRIMARY KEY,
    page_url TEXT NOT NULL,
    signed_url TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    err_msg TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE media (
    media_id TEXT PRIMARY KEY,
    slug TEXT NOT NULL,
    file TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploader TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

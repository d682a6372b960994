-- Per-page menu control: the menu items a page hides once wx.ready has run
-- (comma-separated names of WeChat's official list, or `all_non_base` for
-- hideAllNonBaseMenuItem). Portable SQL.
ALTER TABLE pages ADD COLUMN menu_hidden TEXT NOT NULL DEFAULT '';

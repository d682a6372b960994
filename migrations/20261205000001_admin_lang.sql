-- The language an admin reads the dashboard in: '' (the browser's), zh-CN or
-- en. Portable SQL.
ALTER TABLE admins ADD COLUMN lang TEXT NOT NULL DEFAULT '';

-- A page may pin the language it is shown in (`zh-CN`, `en`); empty: the
-- visitor's (WeChat's Language/ field, then Accept-Language). Portable SQL.
ALTER TABLE pages ADD COLUMN lang TEXT NOT NULL DEFAULT '';

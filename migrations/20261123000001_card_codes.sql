-- The code pools of custom-code cards (WeChat's "自定义code" cards: the
-- merchant, not WeChat, decides each card's code, and `wx.addCard`'s cardExt
-- carries it). The admin uploads the codes; each signed-in visitor is handed
-- one, once. `openid` is empty while the code is free. Portable SQL.
CREATE TABLE card_codes (
    card_id TEXT NOT NULL,
    code TEXT NOT NULL,
    openid TEXT NOT NULL DEFAULT '',
    claimed_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (card_id, code)
);

-- The claim looks up a card's first free code (openid = '', lowest code).
CREATE INDEX card_codes_free ON card_codes (card_id, openid, code);

-- One code per visitor and card, even when two requests race.
CREATE UNIQUE INDEX card_codes_one_per_visitor ON card_codes (card_id, openid) WHERE openid <> '';

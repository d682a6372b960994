-- Card IDs the pages offer (wx.addCard / chooseCard / openCard). Portable SQL.
CREATE TABLE cards (
    card_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    card_type TEXT NOT NULL,
    created_at BIGINT NOT NULL DEFAULT 0
);

INSERT INTO cards (card_id, title, card_type) VALUES ('pwxkitDemoCoupon00000000001', '演示优惠券 · 9折', 'DISCOUNT');

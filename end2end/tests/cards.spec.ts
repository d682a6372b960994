import { test, expect } from './fixtures';
import { DEVICES } from './ua';

const CARD = 'pwxkitDemoCoupon00000000001';

test.describe('cards', () => {
  test.use({ userAgent: DEVICES[0].userAgent });

  test('addCard with a server-signed cardExt, then chooseCard and openCard are accepted', async ({ page }) => {
    await page.goto('/p/demo/cards');
    await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
    const ext = page.waitForResponse(r => r.url().endsWith('/api/card_ext'));
    await page.getByTestId(`add-${CARD}`).click();
    const cardExt = JSON.parse(await (await ext).json());
    // cardExt is a JSON string with the signed fields; no ticket in it.
    expect(Object.keys(cardExt).sort()).toEqual(['code', 'nonce_str', 'openid', 'signature', 'timestamp']);
    expect(cardExt.signature).toMatch(/^[0-9a-f]{40}$/);
    await expect(page.getByTestId('cards-result')).toHaveAttribute('data-result', 'ok');
    await expect(page.getByTestId('cards-result')).toContainText('已将 1 张卡券添加到卡包');
    expect((await page.evaluate(() => (window as any).wxsim.cards)).map((c: any) => c.cardId)).toEqual([CARD]);

    await page.getByTestId('choose-card').click();
    await expect(page.getByTestId('cards-result')).toContainText('已选择：');
    await expect(page.getByTestId('cards-result')).toContainText(CARD);

    await page.getByTestId('open-card').click();
    await expect(page.getByTestId('cards-result')).toHaveText('已打开。');
    expect((await page.evaluate(() => (window as any).wxsim.opened)).map((c: any) => c.cardId)).toEqual([CARD]);
  });

  test('a tampered cardExt is refused by the client', async ({ page }) => {
    await page.route('**/api/card_ext', async route => {
      const r = await route.fetch();
      const ext = JSON.parse(await r.json());
      ext.code = 'forged-code';
      await route.fulfill({ response: r, body: JSON.stringify(JSON.stringify(ext)) });
    });
    await page.goto('/p/demo/cards');
    await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
    await page.getByTestId(`add-${CARD}`).click();
    await expect(page.getByTestId('cards-result')).toHaveAttribute('data-result', 'failed');
    await expect(page.getByTestId('cards-result')).toContainText('invalid signature');
    expect(await page.evaluate(() => (window as any).wxsim.cards)).toEqual([]);
  });
});

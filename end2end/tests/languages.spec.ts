// The islands of an in-app page speak the page's language: their texts come
// with the page (chosen on the server), so what the visitor sees after
// hydration and after acting is in the language <html lang> declares.
import { test, expect } from './fixtures';
import { ANDROID } from './ua';

const ENGLISH = ANDROID.replace('Language/zh_CN', 'Language/en');

for (const [lang, ua, t] of [
  ['zh-CN', ANDROID, {
    share: '点击右上角的 ··· 分享此页。', choose: '选择照片', gallery: '相册', added: '已添加 3 张照片。',
    record: '录音', stop: '停止并保存', add: '添加到卡包', opened: '已打开。',
  }],
  ['en', ENGLISH, {
    share: 'Tap ··· at the top right to share this page.', choose: 'Choose photos', gallery: 'Gallery', added: '3 photo(s) added.',
    record: 'Record', stop: 'Stop and keep', add: 'Add to card holder', opened: 'Opened.',
  }],
] as const) {
  test.describe(`in ${lang}`, () => {
    test.use({ userAgent: ua });

    test('the islands speak the page\'s language, before and after acting', async ({ page }) => {
      await page.goto('/p/demo/photos');
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(page.getByTestId('share-status')).toHaveAttribute('data-status', 'ready');
      await expect(page.getByTestId('share-status')).toHaveText(t.share);
      await expect(page.getByTestId('choose')).toHaveText(t.choose);
      await expect(page.locator('.photos h3')).toHaveText(t.gallery);
      await page.getByTestId('choose').click();
      await expect(page.getByTestId('photos-step')).toHaveAttribute('data-step', 'done', { timeout: 15_000 });
      await expect(page.getByTestId('photos-step')).toHaveText(t.added);

      await page.goto('/p/demo/voice');
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      await expect(page.getByTestId('record')).toHaveText(t.record);
      await expect(page.getByTestId('stop-record')).toHaveText(t.stop);

      await page.goto('/p/demo/cards');
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      const add = page.locator('[data-testid^="add-"]').first();
      await expect(add).toHaveText(t.add);
      await add.click();
      await expect(page.getByTestId('cards-result')).toHaveAttribute('data-result', 'ok');
      await page.getByTestId('open-card').click();
      await expect(page.getByTestId('cards-result')).toHaveText(t.opened);
    });
  });
}

test.describe('a browser outside WeChat that prefers Chinese', () => {
  test.use({ locale: 'zh-CN' });

  test('the landing page\'s status island speaks its language (Accept-Language)', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByTestId('config-status')).toHaveAttribute('data-hydrated', 'true');
    await expect(page.getByTestId('resign')).toHaveText('为此 URL 重新签名');
    await page.getByTestId('resign').click();
    await expect(page.getByTestId('resign-result')).toContainText('已重新签名：');
    await expect(page.getByTestId('resigned')).toHaveText(/^[0-9a-f]{40}$/);
  });
});

import { test, expect } from './fixtures';
import { DEVICES } from './ua';
import { productionURL } from '../servers';

for (const device of DEVICES) {
  test.describe(device.name, () => {
    test.use({ userAgent: device.userAgent });

    test('the page is configured and WeChat gets the share content stored for it', async ({ page, request }) => {
      await page.goto('/p/demo?from=singlemessage&isappinstalled=0#top');
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      await expect(page.getByTestId('share-status')).toHaveAttribute('data-status', 'ready');

      const stored = await (await request.post('/api/page', { form: { slug: 'demo' } })).json();
      const sim = await page.evaluate(() => (window as any).wxsim);
      expect(sim.configs.map((c: any) => c.result)).toEqual(['ok']);
      // wx.config asked for exactly the APIs the page lists.
      expect(sim.allowed).toEqual(stored.js_api_list);
      expect(sim.shares.updateAppMessageShareData).toEqual({
        title: stored.friend.title, desc: stored.friend.desc, link: stored.friend.link, imgUrl: stored.friend.imgUrl,
      });
      expect(sim.shares.updateTimelineShareData).toEqual({
        title: stored.timeline.title, desc: undefined, link: stored.timeline.link, imgUrl: stored.timeline.imgUrl,
      });
      // The link defaults to the page's own URL.
      expect(stored.friend.link).toMatch(/\/p\/demo$/);

      // The user shares to a chat, then cancels a share to Moments: both are recorded.
      const recorded = page.waitForResponse(r => r.url().endsWith('/api/share_event') && r.status() === 200);
      await page.evaluate(() => (window as any).wxsim.tapShare('appMessage'));
      await recorded;
      const cancelled = page.waitForResponse(r => r.url().endsWith('/api/share_event') && r.status() === 200);
      await page.evaluate(() => (window as any).wxsim.cancelShare('timeline'));
      const body = (await cancelled).request().postData() ?? '';
      expect(body).toContain('outcome=cancel');
      expect(body).toContain('channel=timeline');
    });
  });
}

test.describe('an old WeChat client', () => {
  test.use({ userAgent: DEVICES[0].userAgent });
  test('falls back to the legacy share APIs', async ({ page }) => {
    await page.addInitScript(() => { (window as any).__wxsimOptions = { oldClient: true }; });
    await page.goto('/p/demo');
    await expect(page.getByTestId('share-status')).toHaveAttribute('data-status', 'legacy');
    const shares = await page.evaluate(() => (window as any).wxsim.shares);
    expect(shares.updateAppMessageShareData).toBeUndefined();
    expect(shares.onMenuShareAppMessage.title).toBeTruthy();
    expect(shares.onMenuShareTimeline.title).toBeTruthy();
  });
});

test('outside WeChat the page still renders and says what needs WeChat', async ({ page }) => {
  // The production-mode server (simulator off), opened in a desktop browser.
  await page.goto(`${productionURL}/p/demo`);
  await expect(page.getByTestId('page-title')).toHaveText('wxkit 演示页');
  await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'outside');
  await expect(page.getByTestId('wx-notice')).toContainText('Open this page in WeChat');
  // The real SDK is what a production page loads.
  expect(await page.locator('script[src*="jweixin-1.6.0.js"]').count()).toBe(1);
});

test.describe('in WeChat, when the SDK cannot load', () => {
  test.use({ userAgent: DEVICES[0].userAgent });
  test('the page tries res2 after res, then says so', async ({ page }) => {
    const requested: string[] = [];
    page.on('request', r => { if (r.url().includes('jweixin-1.6.0.js')) requested.push(new URL(r.url()).host); });
    // Production mode loads WeChat's real script; this machine cannot reach it.
    await page.goto(`${productionURL}/p/demo`);
    await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'failed');
    await expect(page.getByTestId('wx-notice')).toContainText('无法加载微信 JS-SDK');
    expect(requested).toEqual(['res.wx.qq.com', 'res2.wx.qq.com']);
  });
});

test('an unknown page is a 404', async ({ request }) => {
  const r = await request.get('/p/no-such-page');
  expect(r.status()).toBe(404);
});

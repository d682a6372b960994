import { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { DEVICES } from './ua';

async function configs(page: Page) {
  return page.evaluate(() => (window as any).wxsim.configs as { url: string, result: string }[]);
}

for (const device of DEVICES) {
  test.describe(device.name, () => {
    test.use({ userAgent: device.userAgent });

    test('a client-side route change signs again and the config stays ok', async ({ page, baseURL }) => {
      await page.goto('/p/demo?from=timeline');
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      // The tabs island is lazy: switch on the client once it has loaded.
      await expect(page.getByTestId('tabs')).toHaveAttribute('data-enhanced', 'true');
      await page.getByTestId('tab-about').click();
      await expect(page).toHaveURL(/\/p\/demo\?tab=about$/);
      await expect.poll(async () => (await configs(page)).length).toBe(2);
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      const [first, second] = await configs(page);
      expect([first.result, second.result]).toEqual(['ok', 'ok']);
      // Android verifies the current URL, iOS the one the page was entered with.
      const expected = device.name === 'iPhone' ? `${baseURL}/p/demo?from=timeline` : `${baseURL}/p/demo?tab=about`;
      expect(second.url).toBe(expected);
      // Signed again for the page's own jsApiList.
      const stored = await (await page.request.post('/api/page', { form: { slug: 'demo' } })).json();
      expect(await page.evaluate(() => (window as any).wxsim.allowed)).toEqual(stored.js_api_list);
      // The share content is set again for the new config.
      await expect(page.getByTestId('share-status')).toHaveAttribute('data-status', 'ready');
      // Back: the tab the URL names again, and signed again.
      await page.goBack();
      await expect(page).toHaveURL(/\/p\/demo\?from=timeline$/);
      await expect(page.getByTestId('tabs')).toHaveAttribute('data-tab', 'story');
      await expect.poll(async () => (await configs(page))[2]?.result).toBe('ok');
    });

    test('a tab tapped before its island has loaded opens the page on that tab', async ({ page, baseURL }) => {
      // The first document asks for the tabs island's module and never gets
      // it; the next one does.
      let asked = 0;
      await page.route('**/pkg/split_section_tabs_*', (route) => {
        if (asked++ > 0) return route.continue();
      });
      await page.goto('/p/demo?from=timeline');
      await expect.poll(() => asked).toBe(1);
      await expect(page.getByTestId('tabs')).not.toHaveAttribute('data-enhanced', 'true');
      await page.getByTestId('tab-about').click();
      await expect(page).toHaveURL(/\/p\/demo\?tab=about$/);
      await expect(page.getByTestId('tabs')).toHaveAttribute('data-tab', 'about');
      // A new document, signed for its own URL (on iOS too: it landed there).
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      expect(await configs(page)).toEqual([{ url: `${baseURL}/p/demo?tab=about`, result: 'ok' }]);
    });

    for (const path of [
      '/p/demo?a=1&b=two#section-2',
      '/p/demo?name=中文&city=深圳',
      '/p/demo?from=singlemessage&isappinstalled=0',
      '/p/demo?from=groupmessage&isappinstalled=0#/deep/link?x=1',
    ]) {
      test(`config is ok at ${path}`, async ({ page }) => {
        await page.goto(path);
        await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
        expect((await configs(page)).map(c => c.result)).toEqual(['ok']);
      });
    }
  });
}

test.describe('before the page\'s script runs', () => {
  test.use({ userAgent: DEVICES[0].userAgent, javaScriptEnabled: false });

  test('a tab works as a plain form: the page opens on that tab', async ({ page }) => {
    await page.goto('/p/demo?from=timeline');
    await expect(page.getByTestId('tabs')).toHaveAttribute('data-tab', 'story');
    await expect(page.getByTestId('tabs')).not.toHaveAttribute('data-enhanced', 'true');
    await page.getByTestId('tab-about').click();
    await expect(page).toHaveURL(/\/p\/demo\?tab=about$/);
    await expect(page.getByTestId('tabs')).toHaveAttribute('data-tab', 'about');
    await expect(page.getByTestId('tab-about')).toHaveClass(/active/);
    await expect(page.getByTestId('tab-story')).not.toHaveClass(/active/);
  });
});

test.describe('failures', () => {
  test.use({ userAgent: DEVICES[0].userAgent });

  test('a domain outside the JS interface safe domains is explained', async ({ page }) => {
    // The server only lists 127.0.0.1; the same page opened as localhost.
    await page.goto('http://localhost:3917/p/demo');
    await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'failed');
    await expect(page.getByTestId('wx-notice')).toContainText('invalid url domain');
    // Explained in the page's language (this WeChat user reads Chinese).
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByTestId('wx-notice')).toContainText('不在公众号设置的 JS 接口安全域名中');
  });

  test('a signature that keeps failing is re-signed once, then reported', async ({ page }) => {
    const corrupt = (text: string) => text.replace(/"signature":"([0-9a-f]{40})"/, '"signature":"0000000000000000000000000000000000000000"');
    await page.route('**/p/demo', async route => {
      const r = await route.fetch();
      await route.fulfill({ response: r, body: corrupt(await r.text()) });
    });
    await page.route('**/api/jssdk_config', async route => {
      const r = await route.fetch();
      await route.fulfill({ response: r, body: corrupt(await r.text()) });
    });
    const report = page.waitForRequest(r => r.url().endsWith('/api/config_failure'));
    await page.goto('/p/demo');
    const sent = await report;
    expect(sent.postData()).toContain('err_msg=config%3Ainvalid+signature');
    expect((await sent.response())?.status()).toBe(200);
    await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'failed');
    await expect(page.getByTestId('wx-notice')).toContainText('invalid signature');
    expect((await configs(page)).map(c => c.result)).toEqual(['invalid signature', 'invalid signature']);
  });
});

import { test, expect } from './fixtures';
import { DEVICES, WECOM } from './ua';
import { wecomURL } from '../servers';

// Web authorization in a real browser: wxkit sends the visitor to the
// simulated WeChat authorize page, takes them back through its callback, and
// the page they land on signs its own URL.

type Verified = { url: string; result: string | null };
const configs = (page: import('@playwright/test').Page) =>
  page.evaluate(() => (window as any).wxsim.configs as Verified[]);

for (const device of DEVICES) {
  test.describe(device.name, () => {
    test.use({ userAgent: device.userAgent });

    test('snsapi_userinfo: consent, back on the page with the nickname, config ok', async ({ page, baseURL }) => {
      await page.goto('/p/demo-userinfo?from=singlemessage');
      expect(page.url()).toContain('/_sim/open/connect/oauth2/authorize?');
      await expect(page.locator('#sim-consent')).toBeVisible();
      await page.locator('#sim-nickname').fill('测试用户');
      await page.locator('#sim-allow').click();
      await page.waitForURL(u => u.pathname === '/p/demo-userinfo');
      expect(page.url()).toBe(`${baseURL}/p/demo-userinfo?from=singlemessage`);
      await expect(page.getByTestId('visitor-nickname')).toHaveText('测试用户');
      const avatarWidth = await page.getByTestId('visitor-avatar')
        .evaluate(img => (img as HTMLImageElement).naturalWidth);
      expect(avatarWidth).toBeGreaterThan(0);
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      const verified = await configs(page);
      expect(verified.at(-1)).toEqual({ url: `${baseURL}/p/demo-userinfo?from=singlemessage`, result: 'ok' });
      // The session remembers the visitor: no second trip to WeChat.
      await page.goto('/p/demo-userinfo');
      await expect(page.getByTestId('visitor-nickname')).toHaveText('测试用户');
    });

    test('snsapi_base: silent, straight back to the page, config ok', async ({ page, baseURL }) => {
      await page.goto('/p/demo-base');
      await page.waitForURL(u => u.pathname === '/p/demo-base');
      await expect(page.getByTestId('visitor')).toHaveAttribute('data-scope', 'snsapi_base');
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      expect((await configs(page)).at(-1)).toEqual({ url: `${baseURL}/p/demo-base`, result: 'ok' });
    });
  });
}

test('declining shows a friendly page that offers to try again', async ({ page }) => {
  await page.goto('/p/demo-userinfo');
  await page.locator('#sim-deny').click();
  await expect(page.getByTestId('oauth-outcome')).toHaveAttribute('data-kind', 'refused');
  await page.getByTestId('try-again').click();
  await expect(page.locator('#sim-consent')).toBeVisible();
  await page.locator('#sim-nickname').fill('改主意了');
  await page.locator('#sim-allow').click();
  await expect(page.getByTestId('visitor-nickname')).toHaveText('改主意了');
});

// The OAuth flow in either language: WeChat's Language/ field decides the
// in-app page's chrome and the outcome page, and <html lang> says which.
for (const [lang, ua, texts] of [
  ['zh-CN', DEVICES[0].userAgent, { photos: '照片', refused: '你拒绝了授权', retry: '重试' }],
  ['en', DEVICES[0].userAgent.replace('Language/zh_CN', 'Language/en'), { photos: 'Photos', refused: 'You did not sign in', retry: 'Try again' }],
] as const) {
  test.describe(`in ${lang}`, () => {
    test.use({ userAgent: ua });

    test('the page and the outcome of a declined sign-in speak the visitor\'s language', async ({ page }) => {
      await page.goto('/p/demo-userinfo');
      await page.locator('#sim-deny').click();
      await expect(page.getByTestId('oauth-outcome')).toHaveAttribute('data-kind', 'refused');
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(page.locator('h1')).toHaveText(texts.refused);
      await expect(page.getByTestId('try-again')).toHaveText(texts.retry);
      await page.getByTestId('try-again').click();
      await page.locator('#sim-allow').click();
      await page.waitForURL(u => u.pathname === '/p/demo-userinfo');
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(page.getByTestId('to-photos')).toHaveText(texts.photos);
    });
  });
}

test.describe('WeCom', () => {
  test.use({ userAgent: WECOM });

  test('a member signs in, the page gets a corp config and agentConfig ok', async ({ page }) => {
    await page.goto(`${wecomURL}/p/demo-wecom`);
    await page.waitForURL(u => u.pathname === '/p/demo-wecom');
    await expect(page.getByTestId('visitor')).toHaveAttribute('data-openid', /^sim\./);
    await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
    const sim = await page.evaluate(() => {
      const s = (window as any).wxsim;
      return { configs: s.configs, agent: s.agentConfigs, appId: s.appId };
    });
    expect(sim.appId).toBe('wwd0c0ffee5117e5f1');
    expect(sim.configs.at(-1)).toEqual({ url: `${wecomURL}/p/demo-wecom`, result: 'ok' });
    expect(sim.agent.at(-1)).toEqual({ url: `${wecomURL}/p/demo-wecom`, result: 'ok' });
    // The agent API is now permitted.
    const reply = await page.evaluate(() => new Promise(resolve =>
      (window as any).wx.invoke('selectEnterpriseContact', {}, resolve)));
    expect(reply).toEqual({ err_msg: 'selectEnterpriseContact:ok' });
  });
});

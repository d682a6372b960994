import { test, expect } from './fixtures';

const APP_ID = 'wxd0c0ffee5117e5f1';

function authorizeUrl(baseURL: string, scope: string, hash: string) {
  const redirect = encodeURIComponent(`${baseURL}/?from=oauth`);
  return `/_sim/open/connect/oauth2/authorize?appid=${APP_ID}&redirect_uri=${redirect}` +
    `&response_type=code&scope=${scope}&state=e2eState1${hash}`;
}

test('the simulated authorize page insists on #wechat_redirect', async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!, 'snsapi_userinfo', ''));
  await expect(page.locator('#sim-error')).toBeVisible();
  await expect(page.locator('#sim-consent')).toBeHidden();
});

test('consent returns to redirect_uri with a code and the state', async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!, 'snsapi_userinfo', '#wechat_redirect'));
  await expect(page.locator('#sim-error')).toBeHidden();
  await page.locator('#sim-nickname').fill('小明');
  await page.locator('#sim-allow').click();
  await page.waitForURL(u => u.pathname === '/' && u.searchParams.has('code'));
  const url = new URL(page.url());
  expect(url.origin + url.pathname).toBe(`${baseURL}/`);
  expect(url.searchParams.get('from')).toBe('oauth');
  expect(url.searchParams.get('state')).toBe('e2eState1');
  expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9]{32}$/);
});

test('snsapi_base is silent: straight back with a code', async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!, 'snsapi_base', '#wechat_redirect'));
  await page.waitForURL(u => u.pathname === '/' && u.searchParams.has('code'));
  expect(new URL(page.url()).searchParams.get('state')).toBe('e2eState1');
});

test('a refusal comes back without a code', async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!, 'snsapi_userinfo', '#wechat_redirect'));
  await page.locator('#sim-deny').click();
  await page.waitForURL(u => u.pathname === '/' && u.searchParams.has('state'));
  expect(new URL(page.url()).searchParams.has('code')).toBe(false);
});

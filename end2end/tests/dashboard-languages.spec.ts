import { test, expect } from './fixtures';
import { ANDROID } from './ua';
import { ADMIN_USER_ZH, ADMIN_PASSWORD } from '../servers';

// The dashboard speaks its admin's language: the browser's until the admin
// chooses one in the frame's menu, then that one, kept with the admin. This
// test's admin is its own (ADMIN_USER_ZH), so the other tests' admin stays
// English.

test.describe('a browser that prefers Chinese', () => {
  test.use({ locale: 'zh-CN' });

  test('the sign-in form is in Chinese, and so is a refused sign-in', async ({ page }) => {
    await page.goto('/admin');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByTestId('sign-in')).toHaveText('登录');
    await page.getByTestId('username').fill(ADMIN_USER_ZH);
    await page.getByTestId('password').fill('not the password');
    await page.getByTestId('sign-in').click();
    await expect(page.getByTestId('sign-in-error')).toHaveText('用户名或密码错误');
  });
});

test('an admin switches the dashboard to Chinese and edits a page in it', async ({ page, browser, baseURL }) => {
  await page.goto('/admin/sign-in');
  await page.getByTestId('username').fill(ADMIN_USER_ZH);
  await page.getByTestId('password').fill(ADMIN_PASSWORD);
  await page.getByTestId('sign-in').click();
  await page.waitForURL(`${baseURL}/admin`);
  // The browser reads English: so does the dashboard, until the admin chooses.
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('.admin-bar nav a').first()).toHaveText('Overview');

  await page.goto('/admin/pages/new');
  await page.getByTestId('lang-select').selectOption('zh-CN');
  await page.getByTestId('lang-save').click();
  // Back on the same page, in Chinese.
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  expect(new URL(page.url()).pathname).toBe('/admin/pages/new');
  await expect(page.locator('.admin-bar nav a').first()).toHaveText('概览');
  await expect(page.getByTestId('lang-select')).toHaveValue('zh-CN');

  // The editor island speaks it too, and so do its checks, as the admin types.
  await expect(page.getByTestId('page-form')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('page-form')).toContainText('分享标题（留空：使用页面标题）');
  const slug = `zh-${Date.now()}`;
  await page.getByTestId('field-slug').fill(slug);
  await page.getByTestId('field-title').fill('春季活动');
  await page.getByTestId('field-share_title').fill('春季大促');
  await expect(page.getByTestId('preview-chat-title')).toHaveText('春季大促');
  await page.getByTestId('field-share_link').fill('https://evil.example/x');
  await expect(page.getByTestId('error-share_link')).toContainText('不是JS接口安全域名');
  await page.getByTestId('save-page').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'invalid');
  await expect(page.getByTestId('save-status')).toHaveText('请先修改标红的字段。');
  await page.getByTestId('field-share_link').fill('');
  await page.getByTestId('save-page').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await expect(page.getByTestId('save-status')).toContainText('已保存');

  // The page exists, with what was typed in the Chinese dashboard.
  const phone = await browser.newPage({ userAgent: ANDROID });
  await phone.goto(`${baseURL}/p/${slug}`);
  await expect(phone.getByTestId('share-status')).toHaveAttribute('data-status', 'ready');
  const shared = await phone.evaluate(() => (window as any).wxsim.shares.updateAppMessageShareData);
  expect(shared.title).toBe('春季大促');
  await phone.close();

  // Every other page of the dashboard stays Chinese for this admin, the choice is audited.
  await page.goto('/admin/audit');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByTestId('audit')).toContainText('admin.lang');

  // The browser's language again.
  await page.getByTestId('lang-select').selectOption('');
  await page.getByTestId('lang-save').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(new URL(page.url()).pathname).toBe('/admin/audit');
});

import { test, expect } from './fixtures';
import { ANDROID } from './ua';
import { ADMIN_USER, ADMIN_PASSWORD } from '../servers';

// The dashboard in a browser: an admin signs in, edits what a page shares,
// watches the preview follow, and the in-app page shares the new title.

test('an admin edits a share title, the preview follows, the in-app page shares it', async ({ page, browser, baseURL }) => {
  await page.goto('/admin');
  // Not signed in: the sign-in form, with 401.
  await expect(page.getByTestId('sign-in')).toBeVisible();
  await page.getByTestId('username').fill(ADMIN_USER);
  await page.getByTestId('password').fill('not the password');
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('sign-in-error')).toContainText('wrong username or password');
  await page.getByTestId('username').fill(ADMIN_USER);
  await page.getByTestId('password').fill(ADMIN_PASSWORD);
  await page.getByTestId('sign-in').click();
  await page.waitForURL(`${baseURL}/admin`);
  await expect(page.getByTestId('admin-who')).toHaveText(ADMIN_USER);
  await expect(page.getByTestId('health')).toBeVisible();

  await page.goto('/admin/pages/demo');
  const title = `春季大促 ${Date.now()}`;
  // The editor is an island that loads lazily: its fields are disabled until it has.
  await expect(page.getByTestId('page-form')).toHaveAttribute('data-hydrated', 'true');
  const input = page.getByTestId('field-share_title');
  await expect(input).toBeEditable();
  await input.fill(title);
  // The preview draws the card as WeChat does, as the admin types.
  await expect(page.getByTestId('preview-chat-title')).toHaveText(title);
  await expect(page.getByTestId('preview-timeline-title')).not.toBeEmpty();
  // A link outside the JS interface safe domains is refused next to the field, and nothing typed is lost.
  await page.getByTestId('field-share_link').fill('https://evil.example/x');
  await expect(page.getByTestId('error-share_link')).toContainText('not a JS interface safe domain');
  await page.getByTestId('save-page').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'invalid');
  await expect(input).toHaveValue(title);
  await page.getByTestId('field-share_link').fill('');
  await page.getByTestId('save-page').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');

  // The in-app page, in the simulated WeChat, shares the new title on its next load.
  const phone = await browser.newPage({ userAgent: ANDROID });
  await phone.goto(`${baseURL}/p/demo`);
  await expect(phone.getByTestId('share-status')).toHaveAttribute('data-status', 'ready');
  const shared = await phone.evaluate(() => (window as any).wxsim.shares.updateAppMessageShareData);
  expect(shared.title).toBe(title);
  await phone.close();

  // The change is in the audit log.
  await page.goto('/admin/audit');
  await expect(page.getByTestId('audit')).toContainText('page.update');
  await expect(page.getByTestId('audit')).toContainText(title);
});

test('an admin uploads the domain verification file WeChat asks for, and it is served at the root', async ({ page, baseURL }) => {
  await page.goto('/admin/sign-in');
  await page.getByTestId('username').fill(ADMIN_USER);
  await page.getByTestId('password').fill(ADMIN_PASSWORD);
  await page.getByTestId('sign-in').click();
  await page.waitForURL(`${baseURL}/admin`);

  await page.goto('/admin/account');
  const code = `E2e${Date.now()}`;
  const name = `MP_verify_${code}.txt`;
  // A plain form: the browser sends the file as WeChat's download named it.
  await page.getByTestId('verify-file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(code) });
  await page.getByTestId('verify-upload-button').click();
  await page.waitForURL(`${baseURL}/admin/account`);
  await expect(page.getByTestId('verify-files')).toContainText(name);
  const served = await page.request.get(`/${name}`);
  expect(served.status()).toBe(200);
  expect(served.headers()['content-type']).toContain('text/plain');
  expect(await served.text()).toBe(code);

  // Another name is refused with the reason.
  await page.getByTestId('verify-file-input').setInputFiles({ name: 'index.html', mimeType: 'text/html', buffer: Buffer.from('<p>x</p>') });
  await page.getByTestId('verify-upload-button').click();
  await expect(page.getByTestId('verify-error')).toContainText('MP_verify_');
});

test('an admin hides menu items of a page; the page hides them after wx.ready', async ({ page, browser, baseURL }) => {
  await page.goto('/admin/sign-in');
  await page.getByTestId('username').fill(ADMIN_USER);
  await page.getByTestId('password').fill(ADMIN_PASSWORD);
  await page.getByTestId('sign-in').click();
  await page.waitForURL(`${baseURL}/admin`);

  // A page of its own (other tests read the demo page's jsApiList).
  const slug = `menu-${Date.now()}`;
  const form: Record<string, string> = {
    original: '', 'form[slug]': slug, 'form[title]': 'Menu', 'form[body]': 'Body', 'form[auth_scope]': 'none',
    'form[js_api_list]': 'updateAppMessageShareData,updateTimelineShareData', 'form[share_title]': '', 'form[share_desc]': '',
    'form[share_link]': '', 'form[share_image]': '', 'form[timeline_title]': '', 'form[timeline_link]': '', 'form[timeline_image]': '',
  };
  const created = await page.request.post('/api/admin/save_page', { form, headers: { origin: baseURL! } });
  expect(created.status()).toBe(200);

  await page.goto(`/admin/pages/${slug}`);
  await expect(page.getByTestId('page-form')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('preview-menu-hidden')).toContainText('nothing');
  await page.getByTestId('menu-menuItem:copyUrl').check();
  await page.getByTestId('menu-menuItem:openWithSafari').check();
  // The preview names what the page hides, in WeChat's words.
  await expect(page.getByTestId('preview-menu-hidden')).toContainText('复制链接');
  await expect(page.getByTestId('preview-menu-hidden')).toContainText('在Safari中打开');
  await page.getByTestId('save-page').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');

  const phone = await browser.newPage({ userAgent: ANDROID });
  await phone.goto(`${baseURL}/p/${slug}`);
  await expect(phone.getByTestId('share-status')).toHaveAttribute('data-status', 'ready');
  const menu = await phone.evaluate(() => (window as any).wxsim.menu);
  expect(menu.hidden).toEqual(['menuItem:copyUrl', 'menuItem:openWithSafari']);
  expect(menu.allNonBaseHidden).toBe(false);
  await phone.close();

  // Every non-basic item, instead.
  await page.reload();
  await expect(page.getByTestId('page-form')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('menu-menuItem:copyUrl')).toBeChecked();
  await page.getByTestId('menu-all_non_base').check();
  await page.getByTestId('save-page').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  const phone2 = await browser.newPage({ userAgent: ANDROID });
  await phone2.goto(`${baseURL}/p/${slug}`);
  await expect(phone2.getByTestId('share-status')).toHaveAttribute('data-status', 'ready');
  expect(await phone2.evaluate(() => (window as any).wxsim.menu.allNonBaseHidden)).toBe(true);
  await phone2.close();
});

test('an admin pins a page to a language; visitors see it in that language whatever theirs', async ({ page, browser, baseURL }) => {
  await page.goto('/admin/sign-in');
  await page.getByTestId('username').fill(ADMIN_USER);
  await page.getByTestId('password').fill(ADMIN_PASSWORD);
  await page.getByTestId('sign-in').click();
  await page.waitForURL(`${baseURL}/admin`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  const slug = `lang-${Date.now()}`;
  const form: Record<string, string> = {
    original: '', 'form[slug]': slug, 'form[title]': 'Lang', 'form[body]': 'Body', 'form[auth_scope]': 'none',
    'form[js_api_list]': 'updateAppMessageShareData,updateTimelineShareData', 'form[share_title]': '', 'form[share_desc]': '',
    'form[share_link]': '', 'form[share_image]': '', 'form[timeline_title]': '', 'form[timeline_link]': '', 'form[timeline_image]': '',
  };
  const created = await page.request.post('/api/admin/save_page', { form, headers: { origin: baseURL! } });
  expect(created.status()).toBe(200);

  // Not pinned: a WeChat user who reads English sees English, one who reads Chinese Chinese.
  const english = ANDROID.replace('Language/zh_CN', 'Language/en');
  for (const [ua, lang, photos] of [[ANDROID, 'zh-CN', '照片'], [english, 'en', 'Photos']]) {
    const phone = await browser.newPage({ userAgent: ua });
    await phone.goto(`${baseURL}/p/${slug}`);
    await expect(phone.locator('html')).toHaveAttribute('lang', lang);
    await expect(phone.getByTestId('to-photos')).toHaveText(photos);
    await phone.close();
  }

  await page.goto(`/admin/pages/${slug}`);
  await expect(page.getByTestId('page-form')).toHaveAttribute('data-hydrated', 'true');
  await page.getByTestId('field-lang').selectOption('en');
  await page.getByTestId('save-page').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  const phone = await browser.newPage({ userAgent: ANDROID });
  await phone.goto(`${baseURL}/p/${slug}`);
  await expect(phone.locator('html')).toHaveAttribute('lang', 'en');
  await expect(phone.getByTestId('to-photos')).toHaveText('Photos');
  await phone.close();
  await page.reload();
  await expect(page.getByTestId('page-form')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('field-lang')).toHaveValue('en');
});

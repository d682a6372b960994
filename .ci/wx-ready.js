// Time to `wx` ready on wxkit's in-app pages, in headless Chromium (Debian's)
// with WeChat's Android user agent, against a wxkit serving in simulate mode.
// For each page: one first load (empty cache) and the median of N more loads
// (warm HTTP cache, a new tab each), in milliseconds after navigation start:
//   wx   - the JS-SDK's `wx.ready` fired (the simulated client's `readyAt`),
//   page - the page's runtime island shows it (data-state="ready": hydrated).
// Usage: node .ci/wx-ready.js BASE_URL [LOADS] ; prints one line per page and
// a last line "WXREADY <median wx ms> <median page ms>" for the worst page.
const { chromium } = require('@playwright/test');

const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Version/4.0 Chrome/120.0.6099.193 Mobile Safari/537.36 XWEB/1220099 MMWEBSDK/20240404 ' +
  'MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';
const PAGES = ['/p/demo', '/p/demo/photos', '/p/demo/cards', '/p/demo/voice'];

// Records when the runtime island's element says "ready".
function watch() {
  new MutationObserver(() => {
    if (window.__pageReadyAt) return;
    const el = document.querySelector('[data-testid="wx-state"]');
    if (el && el.getAttribute('data-state') === 'ready') window.__pageReadyAt = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

async function load(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.__pageReadyAt && window.wxsim && window.wxsim.readyAt, null, { timeout: 10000 });
  const t = await page.evaluate(() => ({ wx: window.wxsim.readyAt, page: window.__pageReadyAt }));
  await page.close();
  return t;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };

(async () => {
  const base = process.argv[2];
  const loads = Number(process.argv[3] || 10);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
  let worst = null;
  for (const path of PAGES) {
    const context = await browser.newContext({ userAgent: ANDROID });
    await context.addInitScript(watch);
    const first = await load(context, base + path);
    const runs = [];
    for (let i = 0; i < loads; i++) runs.push(await load(context, base + path));
    const wx = median(runs.map((r) => r.wx));
    const pageReady = median(runs.map((r) => r.page));
    console.log(`${path.padEnd(18)} wx ready ${wx.toFixed(0)} ms, page ready ${pageReady.toFixed(0)} ms ` +
      `(median of ${loads}); first load ${first.wx.toFixed(0)} / ${first.page.toFixed(0)} ms`);
    if (!worst || wx > worst.wx) worst = { wx, page: pageReady };
    await context.close();
  }
  await browser.close();
  console.log(`WXREADY ${worst.wx.toFixed(0)} ${worst.page.toFixed(0)}`);
})().catch((e) => { console.error(e); process.exit(1); });

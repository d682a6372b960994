import { test, expect } from './fixtures';
import { createHash } from 'crypto';

test('the landing page hydrates and reads the config signed for its own URL', async ({ page, request }) => {
  const path = '/?from=singlemessage&isappinstalled=0';
  await page.goto(path + '#section');

  const status = page.getByTestId('config-status');
  // Only the hydrated page (WASM running) flips this attribute.
  await expect(status).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('app-id')).toHaveText('wxd0c0ffee5117e5f1');

  // What the page shows is what the server embedded...
  const embedded = JSON.parse(await page.locator('#wxkit-wx-config').textContent() ?? '{}');
  await expect(page.getByTestId('signature')).toHaveText(embedded.signature);
  await expect(page.getByTestId('nonce')).toHaveText(embedded.nonceStr);

  // ...and it verifies as WeChat would: location.href without '#', a ticket the simulator issued.
  const url = await page.evaluate(() => location.href.split('#')[0]);
  const state = await (await request.get('/_sim/control/state')).json();
  const tickets: string[] = state.tickets.filter((t: any) => t.kind === 'jsapi').map((t: any) => t.value);
  const sign = (t: string) => createHash('sha1')
    .update(`jsapi_ticket=${t}&noncestr=${embedded.nonceStr}&timestamp=${embedded.timestamp}&url=${url}`)
    .digest('hex');
  expect(tickets.map(sign)).toContain(embedded.signature);

  // The hydrated page can re-sign through the server function.
  await page.getByTestId('resign').click();
  await expect(page.getByTestId('resigned')).toBeVisible();
  const again = (await page.getByTestId('resigned').textContent())!.trim();
  expect(again).toMatch(/^[0-9a-f]{40}$/);
  expect(again).not.toBe(embedded.signature);
});

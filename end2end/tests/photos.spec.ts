import { test, expect } from './fixtures';
import { DEVICES } from './ua';

for (const device of DEVICES) {
  test.describe(device.name, () => {
    test.use({ userAgent: device.userAgent });

    test('three photos are uploaded one at a time, stored and shown', async ({ page, request }) => {
      const before = (await (await request.post('/api/images', { form: { slug: 'demo' } })).json()).length;
      await page.goto('/p/demo/photos');
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      await page.getByTestId('choose').click();
      await expect(page.getByTestId('photos-step')).toHaveAttribute('data-step', 'done', { timeout: 15_000 });

      const sim = await page.evaluate(() => (window as any).wxsim);
      // The demo page asks for 3 images.
      expect(sim.uploads).toHaveLength(3);
      for (let i = 1; i < sim.uploads.length; i++) {
        expect(sim.uploads[i].start, 'an upload started before the previous one finished')
          .toBeGreaterThanOrEqual(sim.uploads[i - 1].end);
      }
      if (device.name === 'iPhone') {
        // iOS previews go through getLocalImgData.
        expect(sim.calls.filter((c: any) => c.api === 'getLocalImgData')).toHaveLength(3);
      }

      const gallery = page.getByTestId('gallery').locator('img');
      await expect(gallery).toHaveCount(before + 3);
      const ids: string[] = sim.uploads.map((u: any) => u.serverId);
      for (const id of ids) {
        const img = page.locator(`[data-media-id="${id}"]`);
        await expect(img).toHaveCount(1);
        const src = await img.getAttribute('src');
        const r = await request.get(src!);
        expect(r.status()).toBe(200);
        expect(r.headers()['content-type']).toBe('image/png');
        // Loaded and decoded by the browser.
        await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(64);
      }
      const stored = await (await request.post('/api/images', { form: { slug: 'demo' } })).json();
      expect(stored.map((s: any) => s.media_id)).toEqual(expect.arrayContaining(ids));

      // Tapping a kept photo previews it among the others, with absolute URLs.
      const first = page.locator(`[data-media-id="${ids[0]}"]`);
      await first.click();
      await expect.poll(() => page.evaluate(() => (window as any).wxsim.preview?.current)).toBeTruthy();
      const preview = await page.evaluate(() => (window as any).wxsim.preview);
      const src = await first.getAttribute('src');
      expect(preview.current).toBe(new URL(src!, page.url()).href);
      expect(preview.urls).toHaveLength(before + 3);
      // Saving one to the phone downloads it from WeChat.
      await page.locator('figure', { has: first }).getByTestId('save-photo').click();
      await expect(page.getByTestId('photos-step')).toHaveText('已保存到手机。');
      expect((await page.evaluate(() => (window as any).wxsim.calls)).some((c: any) => c.api === 'downloadImage')).toBe(true);
    });
  });
}

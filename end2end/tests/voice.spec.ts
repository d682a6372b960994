import { test, expect } from './fixtures';
import { DEVICES } from './ua';

// The voice round trip on a phone: record, stop, upload to WeChat, the server
// fetches and keeps it, the page lists it; another visit downloads it from
// WeChat and plays it to its end. A recording that reaches WeChat's limit is
// kept by itself (onVoiceRecordEnd).

const results = (page: any, api: string) =>
  page.evaluate((api: string) => (window as any).wxsim.results.filter((r: any) => r.api === api).map((r: any) => r.res), api);

for (const device of DEVICES) {
  test.describe(device.name, () => {
    test.use({ userAgent: device.userAgent });

    test('a voice is recorded, kept on the server, listed and played back', async ({ page, request }) => {
      await page.goto('/p/demo');
      await page.getByTestId('to-voice').click();
      await expect(page).toHaveURL(/\/p\/demo\/voice$/);
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      await expect(page.getByTestId('record')).toBeEnabled();

      // Speaks for 1.5 s, then stops.
      await page.evaluate(() => { (window as any).wxsim.user.recordMs = 1500; });
      await page.getByTestId('record').click();
      await expect(page.getByTestId('stop-record')).toBeEnabled();
      await page.getByTestId('stop-record').click();
      await expect(page.getByTestId('voice-step')).toHaveAttribute('data-step', 'done', { timeout: 15_000 });

      const uploads = await results(page, 'uploadVoice');
      expect(uploads).toHaveLength(1);
      expect(uploads[0].errMsg).toBe('uploadVoice:ok');
      const serverId: string = uploads[0].serverId;
      const item = page.locator(`[data-testid="voice"][data-media-id="${serverId}"]`);
      await expect(item).toHaveCount(1);
      await expect(item.getByTestId('voice-length')).toHaveText('1.5 秒');

      // The server keeps it: listed with its length, the AMR file served.
      const stored = await (await request.post('/api/voices', { form: { slug: 'demo' } })).json();
      const kept = stored.find((v: any) => v.media_id === serverId);
      expect(kept.duration_ms).toBe(1500);
      expect(kept.on_wechat).toBe(true);
      const file = await request.get(kept.url);
      expect(file.status()).toBe(200);
      expect(file.headers()['content-type']).toBe('audio/amr');
      const bytes = await file.body();
      expect(bytes.subarray(0, 6).toString('latin1')).toBe('#!AMR\n');
      expect(bytes.length).toBe(6 + 75 * 32);

      // Another visit: the phone downloads it from WeChat, then plays it to the end.
      await page.reload();
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      const play = page.locator(`[data-testid="play-voice"][data-media-id="${serverId}"]`);
      await expect(play).toBeEnabled();
      await play.click();
      await expect(play).toHaveAttribute('data-playing', 'true');
      const downloads = await results(page, 'downloadVoice');
      expect(downloads).toHaveLength(1);
      expect(downloads[0].errMsg).toBe('downloadVoice:ok');
      const played = await page.evaluate(() => (window as any).wxsim.played);
      expect(played).toEqual([downloads[0].localId]);
      // onVoicePlayEnd after its 1.5 s.
      await expect(play).toHaveAttribute('data-playing', 'false', { timeout: 5_000 });
      expect((await results(page, 'onVoicePlayEnd'))[0].localId).toBe(downloads[0].localId);

      // Playing again needs no second download; tapping again stops it.
      await play.click();
      await expect(play).toHaveAttribute('data-playing', 'true');
      await play.click();
      await expect(play).toHaveAttribute('data-playing', 'false');
      expect(await results(page, 'downloadVoice')).toHaveLength(1);
      expect((await results(page, 'stopVoice'))[0].errMsg).toBe('stopVoice:ok');
    });

    test('a recording that reaches the limit is kept by itself', async ({ page, request }) => {
      await page.goto('/p/demo/voice');
      await expect(page.getByTestId('wx-state')).toHaveAttribute('data-state', 'ready');
      await expect(page.getByTestId('record')).toBeEnabled();
      await page.evaluate(() => { (window as any).wxsim.user.recordLimitMs = 800; });
      await page.getByTestId('record').click();
      // Nobody taps stop: WeChat ends the recording and the page keeps it.
      await expect(page.getByTestId('voice-step')).toHaveAttribute('data-step', 'done', { timeout: 15_000 });
      expect(await results(page, 'stopRecord')).toHaveLength(0);
      const ended = await results(page, 'onVoiceRecordEnd');
      expect(ended).toHaveLength(1);
      const serverId: string = (await results(page, 'uploadVoice'))[0].serverId;
      await expect(page.locator(`[data-testid="voice"][data-media-id="${serverId}"]`).getByTestId('voice-length')).toHaveText('0.8 秒');
      const stored = await (await request.post('/api/voices', { form: { slug: 'demo' } })).json();
      expect(stored.find((v: any) => v.media_id === serverId).duration_ms).toBe(800);
    });

    test('a visitor who refuses the microphone is told nothing failed', async ({ page }) => {
      await page.goto('/p/demo/voice');
      await expect(page.getByTestId('record')).toBeEnabled();
      await page.evaluate(() => { (window as any).wxsim.user.cancel.startRecord = true; });
      await page.getByTestId('record').click();
      await expect.poll(() => results(page, 'startRecord')).toHaveLength(1);
      await expect(page.getByTestId('voice-step')).toHaveAttribute('data-step', 'idle');
      await expect(page.getByTestId('stop-record')).toBeDisabled();
    });
  });
}

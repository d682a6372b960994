import { test, expect } from './fixtures';
import { DEVICES } from './ua';

// The simulated WeChat client answers every interface of JS-SDK 1.6.0 as
// WeChat does: the same errMsg texts, the cancel paths, and "the permission
// value is offline verifying" for an interface outside the verified
// jsApiList. What the user does comes from window.wxsim.user.

for (const device of DEVICES) {
  test.describe(device.name, () => {
    test.use({ userAgent: device.userAgent });

    test('every audio, device, location, beacon, menu, scan, shop and address interface answers like WeChat', async ({ page }) => {
      await page.goto('/p/demo');
      await expect(page.getByTestId('share-status')).toHaveAttribute('data-status', 'ready');

      const results = await page.evaluate(async () => {
        const w = window as any;
        const wx = w.wx, sim = w.wxsim;
        // Calls wx[api] and resolves with the reply its callbacks got.
        const call = (api: string, params: any = {}) => new Promise<any>(resolve => {
          wx[api](Object.assign({}, params, { success: resolve, fail: resolve, cancel: resolve }));
        });
        const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
        const out: Record<string, any> = {};

        // The page's own config does not list these: refused as WeChat does.
        out.refused = await call('getNetworkType');

        // Signed for every API wxkit knows, then configured again.
        const form = new URLSearchParams({ url: location.href.split('#')[0] });
        const config = await (await fetch('/api/jssdk_config', { method: 'POST', body: form })).json();
        await new Promise<void>((resolve, reject) => {
          wx.config(Object.assign({ debug: false }, config));
          wx.ready(resolve);
          wx.error(reject);
        });

        out.check = await call('checkJsApi', { jsApiList: ['startRecord', 'openAddress', 'scanQRCode', 'onSearchBeacons', 'noSuchApi'] });
        out.network = await call('getNetworkType');
        sim.user.network = '4g';
        out.network4g = await call('getNetworkType');

        out.wgs84 = await call('getLocation', { type: 'wgs84' });
        out.gcj02 = await call('getLocation', { type: 'gcj02' });
        sim.user.cancel.getLocation = true;
        out.locationCancelled = await call('getLocation', { type: 'wgs84' });
        out.openLocation = await call('openLocation', { latitude: 39.9, longitude: 116.4, name: '天安门', address: '北京', scale: 14, infoUrl: '' });
        out.opened = sim.opened;
        out.badLocation = await call('openLocation', { latitude: 91, longitude: 0 });

        out.scan = await call('scanQRCode', { needResult: 1, scanType: ['qrCode'] });
        out.scanByWeChat = await call('scanQRCode', { needResult: 0 });
        sim.user.cancel.scanQRCode = true;
        out.scanCancelled = await call('scanQRCode', { needResult: 1 });

        out.address = await call('openAddress');
        sim.user.cancel.openAddress = true;
        out.addressCancelled = await call('openAddress');
        out.product = await call('openProductSpecificView', { productId: 'pDemo', viewType: '1' });
        out.productOpened = sim.opened;
        out.noProduct = await call('openProductSpecificView', {});

        // Voice: record, stop, upload (the simulator keeps it as media), download, play to the end, translate.
        sim.user.recordMs = 100;
        out.playEnds = [];
        wx.onVoicePlayEnd({ success: (r: any) => out.playEnds.push(r) });
        out.start = await call('startRecord');
        out.startAgain = await call('startRecord');
        out.stop = await call('stopRecord');
        out.stopAgain = await call('stopRecord');
        out.upload = await call('uploadVoice', { localId: out.stop.localId, isShowProgressTips: 1 });
        const media = await fetch('/_sim/client/media/' + encodeURIComponent(out.upload.serverId));
        out.mediaType = media.headers.get('content-type');
        out.mediaHead = Array.from(new Uint8Array(await media.arrayBuffer()).slice(0, 6));
        out.download = await call('downloadVoice', { serverId: out.upload.serverId, isShowProgressTips: 1 });
        out.badDownload = await call('downloadVoice', { serverId: 'no-such-media' });
        out.play = await call('playVoice', { localId: out.download.localId });
        await sleep(400);
        out.pause = await call('pauseVoice', { localId: out.download.localId });
        out.stopVoice = await call('stopVoice', { localId: out.download.localId });
        out.badPlay = await call('playVoice', { localId: 'weixin://nothing' });
        out.translate = await call('translateVoice', { localId: out.stop.localId, isShowProgressTips: 1 });
        // A recording that reaches the limit stops by itself.
        sim.user.recordLimitMs = 150;
        out.recordEnd = await new Promise(resolve => {
          wx.onVoiceRecordEnd({ complete: resolve });
          wx.startRecord({});
        });

        // Beacons: found after the search starts, again as more come into range, none once stopped.
        out.beaconEvents = [];
        wx.onSearchBeacons({ complete: (r: any) => out.beaconEvents.push(r) });
        out.startBeacons = await call('startSearchBeacons', { ticket: '' });
        await sleep(150);
        sim.seeBeacons([{ uuid: 'u2', major: 1, minor: 2, accuracy: '1.5', proximity: '2', rssi: '-80', heading: '0' }]);
        await sleep(50);
        out.stopBeacons = await call('stopSearchBeacons');
        sim.seeBeacons([]);
        await sleep(50);

        // The menu.
        out.hideOption = await call('hideOptionMenu');
        out.optionMenuAfterHide = sim.menu.optionMenu;
        out.showOption = await call('showOptionMenu');
        out.hideItems = await call('hideMenuItems', { menuList: ['menuItem:copyUrl', 'menuItem:openWithSafari', 'menuItem:refresh'] });
        out.hiddenAfterHide = sim.menu.hidden.slice();
        out.showItems = await call('showMenuItems', { menuList: ['menuItem:copyUrl'] });
        out.hiddenAfterShow = sim.menu.hidden.slice();
        out.hideAll = await call('hideAllNonBaseMenuItem');
        out.allHidden = sim.menu.allNonBaseHidden;
        out.showAll = await call('showAllNonBaseMenuItem');
        out.close = await call('closeWindow');
        out.closed = sim.closed;

        // Every reply the page got is the one the simulator recorded.
        out.recorded = sim.results.map((r: any) => r.res.errMsg);
        return out;
      });

      const r = results;
      expect(r.refused.errMsg).toBe('getNetworkType:the permission value is offline verifying');
      expect(r.check.errMsg).toBe('checkJsApi:ok');
      expect(r.check.checkResult).toEqual({ startRecord: true, openAddress: true, scanQRCode: true, onSearchBeacons: true, noSuchApi: false });
      expect(r.network).toMatchObject({ errMsg: 'getNetworkType:ok', networkType: 'wifi' });
      expect(r.network4g.networkType).toBe('4g');

      expect(r.wgs84).toMatchObject({ errMsg: 'getLocation:ok', latitude: 31.230416, longitude: 121.473701, speed: 0, accuracy: 30 });
      expect(r.gcj02.latitude).not.toBe(r.wgs84.latitude);
      expect(r.locationCancelled.errMsg).toBe('getLocation:cancel');
      expect(r.openLocation.errMsg).toBe('openLocation:ok');
      expect(r.opened).toMatchObject({ api: 'openLocation', latitude: 39.9, longitude: 116.4, name: '天安门', scale: 14 });
      expect(r.badLocation.errMsg).toMatch(/^openLocation:fail/);

      expect(r.scan).toMatchObject({ errMsg: 'scanQRCode:ok', resultStr: 'https://weixin.qq.com/r/wxkit-sim' });
      expect(r.scanByWeChat.errMsg).toBe('scanQRCode:ok');
      expect(r.scanByWeChat.resultStr).toBeUndefined();
      expect(r.scanCancelled.errMsg).toBe('scanQRCode:cancel');

      expect(r.address).toMatchObject({ errMsg: 'openAddress:ok', userName: '张三', telNumber: '13800000000', nationalCode: '310101', postalCode: '200000' });
      expect(r.addressCancelled.errMsg).toBe('openAddress:cancel');
      expect(r.product.errMsg).toBe('openProductSpecificView:ok');
      expect(r.productOpened).toMatchObject({ productId: 'pDemo', viewType: '1' });
      expect(r.noProduct.errMsg).toMatch(/^openProductSpecificView:fail/);

      expect(r.start.errMsg).toBe('startRecord:ok');
      expect(r.startAgain.errMsg).toMatch(/^startRecord:fail/);
      expect(r.stop.errMsg).toBe('stopRecord:ok');
      expect(r.stop.localId).toBeTruthy();
      expect(r.stopAgain.errMsg).toMatch(/^stopRecord:fail/);
      expect(r.upload.errMsg).toBe('uploadVoice:ok');
      expect(r.mediaType).toBe('audio/amr');
      expect(r.mediaHead).toEqual([0x23, 0x21, 0x41, 0x4d, 0x52, 0x0a]); // "#!AMR\n"
      expect(r.download.errMsg).toBe('downloadVoice:ok');
      expect(r.download.localId).not.toBe(r.stop.localId);
      expect(r.badDownload.errMsg).toBe('downloadVoice:fail invalid serverId');
      expect(r.play.errMsg).toBe('playVoice:ok');
      expect(r.playEnds).toEqual([{ errMsg: 'onVoicePlayEnd:ok', localId: r.download.localId }]);
      expect(r.pause.errMsg).toBe('pauseVoice:ok');
      expect(r.stopVoice.errMsg).toBe('stopVoice:ok');
      expect(r.badPlay.errMsg).toBe('playVoice:fail invalid localId');
      expect(r.translate).toMatchObject({ errMsg: 'translateVoice:ok', translateResult: '你好，微信' });
      expect(r.recordEnd.errMsg).toBe('onVoiceRecordEnd:ok');
      expect(r.recordEnd.localId).toBeTruthy();

      expect(r.startBeacons.errMsg).toBe('startSearchBeacons:ok');
      expect(r.beaconEvents.length).toBe(2);
      expect(r.beaconEvents[0].errMsg).toBe('onSearchBeacons:ok');
      expect(r.beaconEvents[0].beacons[0]).toMatchObject({ uuid: 'FDA50693-A4E2-4FB1-AFCF-C6EB07647825', major: 10001, minor: 12345 });
      expect(r.beaconEvents[1].beacons).toEqual([{ uuid: 'u2', major: 1, minor: 2, accuracy: '1.5', proximity: '2', rssi: '-80', heading: '0' }]);
      expect(r.stopBeacons.errMsg).toBe('stopSearchBeacons:ok');

      expect(r.hideOption.errMsg).toBe('hideOptionMenu:ok');
      expect(r.optionMenuAfterHide).toBe(false);
      expect(r.showOption.errMsg).toBe('showOptionMenu:ok');
      // A basic item cannot be hidden: only the other two are.
      expect(r.hiddenAfterHide).toEqual(['menuItem:copyUrl', 'menuItem:openWithSafari']);
      expect(r.hiddenAfterShow).toEqual(['menuItem:openWithSafari']);
      expect(r.hideAll.errMsg).toBe('hideAllNonBaseMenuItem:ok');
      expect(r.allHidden).toBe(true);
      expect(r.showAll.errMsg).toBe('showAllNonBaseMenuItem:ok');
      expect(r.close.errMsg).toBe('closeWindow:ok');
      expect(r.closed).toBe(true);

      for (const reply of [r.network, r.scan, r.address, r.upload, r.translate, r.close]) {
        expect(r.recorded).toContain(reply.errMsg);
      }
    });
  });
}

// The playground: every button, in both user agents; each reply shown is the
// one the simulated client recorded for that call.
for (const device of DEVICES) {
  test(`${device.name}: the /jssdk playground calls every interface and shows WeChat's reply`, async ({ browser, baseURL }) => {
    const context = await browser.newContext({ userAgent: device.userAgent });
    const page = await context.newPage();
    await page.goto(`${baseURL}/jssdk`);
    await expect(page.getByTestId('playground-status')).toHaveAttribute('data-status', 'ready');
    // In the WeChat user's language (these user agents read Chinese).
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByTestId('playground-status')).toHaveText('已就绪（wx.ready）');
    await expect(page.locator('[data-group="Share"] h2')).toHaveText('分享接口');
    const apis: string[] = await page.$$eval('[data-api]', bs => bs.map(b => (b as HTMLElement).dataset.api!));
    expect(apis.length).toBeGreaterThanOrEqual(41);

    // What the simulated client recorded last for `api`.
    const recorded = (api: string) => page.evaluate(a => {
      const r = (window as any).wxsim.results.filter((x: any) => x.api === a);
      return r.length ? r[r.length - 1].res.errMsg : null;
    }, api);
    const click = async (api: string, want: string | RegExp = `${api}:ok`) => {
      await page.getByTestId(`api-${api}`).click();
      const reply = page.getByTestId(`reply-${api}`);
      await expect(reply).toHaveAttribute('data-errmsg', want);
      expect(await reply.getAttribute('data-errmsg')).toBe(await recorded(api));
      await expect(reply).toContainText(`wx.${api}(`);
    };

    await click('checkJsApi');
    await expect(page.getByTestId('reply-checkJsApi')).not.toContainText('false');
    for (const api of ['updateAppMessageShareData', 'updateTimelineShareData']) await click(api);
    // Legacy share interfaces answer when the user shares.
    await page.getByTestId('api-onMenuShareAppMessage').click();
    await page.evaluate(() => (window as any).wxsim.tapShare('appMessage'));
    await expect(page.getByTestId('reply-onMenuShareAppMessage')).toHaveAttribute('data-errmsg', 'onMenuShareAppMessage:ok');
    await page.getByTestId('api-onMenuShareTimeline').click();
    await page.evaluate(() => (window as any).wxsim.cancelShare('timeline'));
    await expect(page.getByTestId('reply-onMenuShareTimeline')).toHaveAttribute('data-errmsg', 'onMenuShareTimeline:cancel');
    for (const api of ['onMenuShareQQ', 'onMenuShareWeibo', 'onMenuShareQZone']) {
      await page.getByTestId(`api-${api}`).click();
      await expect(page.getByTestId(`reply-${api}`)).toContainText(`wx.${api}(`);
    }

    for (const api of ['chooseImage', 'previewImage', 'uploadImage', 'downloadImage', 'getLocalImgData']) await click(api);

    // Voice: a recording that reaches the limit, then one the user stops; upload, download, play to the end.
    await page.evaluate(() => { (window as any).wxsim.user.recordLimitMs = 200; (window as any).wxsim.user.recordMs = 100; });
    await page.getByTestId('api-onVoiceRecordEnd').click();
    await click('startRecord');
    await expect(page.getByTestId('reply-onVoiceRecordEnd')).toHaveAttribute('data-errmsg', 'onVoiceRecordEnd:ok');
    await page.evaluate(() => { (window as any).wxsim.user.recordLimitMs = 60000; });
    await click('startRecord');
    await click('stopRecord');
    await page.getByTestId('api-onVoicePlayEnd').click();
    await click('uploadVoice');
    await click('downloadVoice');
    await click('playVoice');
    await expect(page.getByTestId('reply-onVoicePlayEnd')).toHaveAttribute('data-errmsg', 'onVoicePlayEnd:ok');
    for (const api of ['pauseVoice', 'stopVoice', 'translateVoice', 'getNetworkType', 'openLocation', 'getLocation']) await click(api);
    await expect(page.getByTestId('reply-translateVoice')).toContainText('你好，微信');

    await page.getByTestId('api-onSearchBeacons').click();
    await click('startSearchBeacons');
    await expect(page.getByTestId('reply-onSearchBeacons')).toHaveAttribute('data-errmsg', 'onSearchBeacons:ok');
    await click('stopSearchBeacons');

    await click('hideOptionMenu');
    expect(await page.evaluate(() => (window as any).wxsim.menu.optionMenu)).toBe(false);
    await click('showOptionMenu');
    await click('hideMenuItems');
    expect(await page.evaluate(() => (window as any).wxsim.menu.hidden)).toEqual(['menuItem:copyUrl', 'menuItem:openWithSafari', 'menuItem:share:qq']);
    await click('showMenuItems');
    for (const api of ['hideAllNonBaseMenuItem', 'showAllNonBaseMenuItem', 'scanQRCode', 'openProductSpecificView', 'openAddress']) await click(api);
    await expect(page.getByTestId('reply-scanQRCode')).toContainText('resultStr');

    await click('addCard');
    await click('chooseCard');
    await click('openCard');

    // A cancelled call shows the cancel path.
    await page.evaluate(() => { (window as any).wxsim.user.cancel.openAddress = true; });
    await click('openAddress', 'openAddress:cancel');
    await click('closeWindow');
    expect(await page.evaluate(() => (window as any).wxsim.closed)).toBe(true);

    // Every button was used.
    for (const api of apis) {
      await expect(page.getByTestId(`reply-${api}`)).toContainText(`wx.${api}(`);
    }
    await context.close();
  });
}

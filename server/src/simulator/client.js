// The WeChat client, simulated: defines `wx` / `jWeixin` with the JS-SDK's
// behaviour so pages run in a desktop browser. Served only by the simulator.
// `wx.config` is verified by the simulator exactly as WeChat does: SHA-1 over
// the ticket, nonce, timestamp and location.href.split('#')[0] (Android) or
// the URL the page was entered with (iPhone). Test hooks live on `window.wxsim`.
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? new URL('.', script.src).href : '/_sim/client/';
  var opts = window.__wxsimOptions || {};
  var ua = navigator.userAgent;
  var ios = /iPhone|iPad|iPod/.test(ua);
  var NEW_SHARE = ['updateAppMessageShareData', 'updateTimelineShareData'];
  var LEGACY_SHARE = ['onMenuShareTimeline', 'onMenuShareAppMessage', 'onMenuShareQQ', 'onMenuShareWeibo', 'onMenuShareQZone'];
  var MORE = ['startRecord', 'stopRecord', 'onVoiceRecordEnd', 'playVoice', 'pauseVoice', 'stopVoice', 'onVoicePlayEnd',
    'uploadVoice', 'downloadVoice', 'translateVoice', 'getNetworkType', 'openLocation', 'getLocation',
    'startSearchBeacons', 'stopSearchBeacons', 'onSearchBeacons', 'hideOptionMenu', 'showOptionMenu', 'hideMenuItems',
    'showMenuItems', 'hideAllNonBaseMenuItem', 'showAllNonBaseMenuItem', 'closeWindow', 'scanQRCode',
    'openProductSpecificView', 'openAddress'];
  var APIS = NEW_SHARE.concat(LEGACY_SHARE, ['chooseImage', 'previewImage', 'uploadImage', 'downloadImage',
    'getLocalImgData', 'addCard', 'chooseCard', 'openCard', 'checkJsApi'], MORE);

  var sim = {
    landingUrl: location.href.split('#')[0],
    state: 'idle',          // idle | verifying | ready | error
    configs: [],            // every wx.config call: {url, result}
    allowed: [],
    readyQueue: [],
    errorQueue: [],
    lastError: null,
    shares: {},             // api -> the data the page set
    legacy: {},             // onMenuShare* api -> its handlers
    events: [],             // share outcomes fired by tapShare/cancelShare
    calls: [],              // every API call: {api, at}
    uploads: [],            // {localId, serverId, start, end}
    local: {},              // localId -> {dataUrl, type}
    cards: [],              // cards added
    results: [],            // every reply given: {api, res}
    // What the simulated user does: tests set these before a call.
    user: {
      cancel: {},           // api -> true: the user cancels its next call
      scan: 'https://weixin.qq.com/r/wxkit-sim',
      network: 'wifi',
      location: { latitude: 31.230416, longitude: 121.473701, speed: 0, accuracy: 30 },
      address: { userName: '张三', postalCode: '200000', provinceName: '上海市', cityName: '上海市',
        countryName: '黄浦区', detailInfo: '人民大道 200 号', nationalCode: '310101', telNumber: '13800000000' },
      beacons: [{ uuid: 'FDA50693-A4E2-4FB1-AFCF-C6EB07647825', major: 10001, minor: 12345, accuracy: '0.42',
        proximity: '1', rssi: '-66', heading: '288.1' }],
      translation: '你好，微信',
      recordMs: 1200,       // how long the user speaks before stopRecord
      recordLimitMs: 60000, // a recording stops by itself after this (onVoiceRecordEnd)
    },
    voices: {},             // voice localId -> {bytes, durationMs}
    played: [],             // voice localIds played
    paused: {},             // voice localId -> ms left when paused
    menu: { optionMenu: true, hidden: [], allNonBaseHidden: false },
    closed: false,
    opened: null,
  };
  window.wxsim = sim;

  function has(api) {
    if (NEW_SHARE.indexOf(api) >= 0 && opts.oldClient) return false;
    return APIS.indexOf(api) >= 0;
  }

  function post(path, body) {
    return fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); });
  }

  function finish(api, o, status, extra) {
    var res = Object.assign({ errMsg: api + ':' + status }, extra || {});
    sim.results.push({ api: api, res: res });
    setTimeout(function () {
      if (status === 'ok') { if (o.success) o.success(res); }
      else if (status === 'cancel') { if (o.cancel) o.cancel(res); else if (o.fail) o.fail(res); }
      else if (o.fail) { o.fail(res); }
      if (o.complete) o.complete(res);
    }, 0);
    return res;
  }

  // Every API but config/ready/error/checkJsApi needs a verified config listing it.
  function permitted(api, o) {
    sim.calls.push({ api: api, at: performance.now() });
    if (sim.state !== 'ready' || sim.allowed.indexOf(api) < 0) {
      finish(api, o, 'the permission value is offline verifying');
      return false;
    }
    return true;
  }

  function fire(queue, arg) {
    var q = queue.splice(0, queue.length);
    q.forEach(function (f) { setTimeout(function () { f(arg); }, 0); });
  }

  var wx = { __simulated: true };

  wx.config = function (c) {
    c = c || {};
    var url = ios ? sim.landingUrl : location.href.split('#')[0];
    var entry = { url: url, result: null };
    sim.configs.push(entry);
    sim.state = 'verifying';
    var missing = ['appId', 'timestamp', 'nonceStr', 'signature', 'jsApiList'].filter(function (k) {
      return c[k] === undefined || c[k] === null || c[k] === '';
    });
    var verdict = missing.length
      ? Promise.resolve({ ok: false, error: 'fail' })
      : post('verify', { appId: c.appId, timestamp: String(c.timestamp), nonceStr: c.nonceStr, signature: c.signature, url: url })
          .catch(function () { return { ok: false, error: 'fail' }; });
    verdict.then(function (v) {
      entry.result = v.ok ? 'ok' : v.error;
      if (v.ok) {
        sim.state = 'ready';
        if (sim.readyAt === undefined) sim.readyAt = performance.now(); // the first wx.ready, ms after navigation start
        sim.appId = c.appId;
        sim.allowed = (c.jsApiList || []).slice();
        sim.lastError = null;
        fire(sim.readyQueue);
      } else {
        sim.state = 'error';
        sim.lastError = 'config:' + v.error;
        fire(sim.errorQueue, { errMsg: sim.lastError });
      }
    });
  };
  wx.ready = function (f) {
    if (sim.state === 'ready') setTimeout(f, 0); else sim.readyQueue.push(f);
  };
  wx.error = function (f) {
    if (sim.state === 'error') setTimeout(function () { f({ errMsg: sim.lastError }); }, 0); else sim.errorQueue.push(f);
  };
  wx.checkJsApi = function (o) {
    o = o || {};
    sim.calls.push({ api: 'checkJsApi', at: performance.now() });
    var result = {};
    (o.jsApiList || []).forEach(function (a) { result[a] = has(a); });
    finish('checkJsApi', o, 'ok', { checkResult: result });
  };

  NEW_SHARE.forEach(function (api) {
    if (!has(api)) return;
    wx[api] = function (o) {
      o = o || {};
      if (!permitted(api, o)) return;
      sim.shares[api] = { title: o.title, desc: o.desc, link: o.link, imgUrl: o.imgUrl };
      finish(api, o, 'ok');
    };
  });
  LEGACY_SHARE.forEach(function (api) {
    wx[api] = function (o) {
      o = o || {};
      if (!permitted(api, o)) return;
      sim.shares[api] = { title: o.title, desc: o.desc, link: o.link, imgUrl: o.imgUrl };
      sim.legacy[api] = o;
    };
  });
  // The user taps "send to a friend" / "share to Moments" in the menu.
  var CHANNEL = { appMessage: 'onMenuShareAppMessage', timeline: 'onMenuShareTimeline', qq: 'onMenuShareQQ', weibo: 'onMenuShareWeibo', qzone: 'onMenuShareQZone' };
  function share(channel, status) {
    var api = CHANNEL[channel];
    sim.events.push({ channel: channel, status: status });
    if (sim.legacy[api]) finish(api, sim.legacy[api], status);
  }
  sim.tapShare = function (channel) { share(channel, 'ok'); };
  sim.cancelShare = function (channel) { share(channel, 'cancel'); };

  // Images: generated locally; Android local ids work as <img src>, iPhone ones do not.
  function makeImage(i) {
    var c = document.createElement('canvas');
    c.width = 64; c.height = 64;
    var g = c.getContext('2d');
    g.fillStyle = 'hsl(' + ((i * 97) % 360) + ',70%,50%)';
    g.fillRect(0, 0, 64, 64);
    g.fillStyle = '#fff';
    g.font = '28px sans-serif';
    g.fillText(String(i + 1), 22, 42);
    return c.toDataURL('image/png');
  }
  function localId(dataUrl, type) {
    var id;
    if (ios) {
      id = 'wxLocalResource://sim' + Math.random().toString(36).slice(2);
    } else {
      var bin = atob(dataUrl.split(',')[1]);
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      id = URL.createObjectURL(new Blob([bytes], { type: type }));
    }
    sim.local[id] = { dataUrl: dataUrl, type: type };
    return id;
  }
  wx.chooseImage = function (o) {
    o = o || {};
    if (!permitted('chooseImage', o)) return;
    if (opts.cancelChoose) { finish('chooseImage', o, 'cancel'); return; }
    var n = Math.max(1, Math.min(9, opts.chooseCount || o.count || 9));
    var ids = [];
    for (var i = 0; i < n; i++) ids.push(localId(makeImage(i), 'image/png'));
    finish('chooseImage', o, 'ok', { localIds: ids });
  };
  wx.previewImage = function (o) {
    o = o || {};
    if (!permitted('previewImage', o)) return;
    sim.preview = { current: o.current, urls: o.urls };
    finish('previewImage', o, 'ok');
  };
  wx.uploadImage = function (o) {
    o = o || {};
    if (!permitted('uploadImage', o)) return;
    var img = sim.local[o.localId];
    if (!img) { finish('uploadImage', o, 'fail invalid localId'); return; }
    var record = { localId: o.localId, start: performance.now(), end: null, serverId: null };
    sim.uploads.push(record);
    var bin = atob(img.dataUrl.split(',')[1]);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    // A phone network is slow: each upload takes a moment, so overlaps would show.
    setTimeout(function () {
      fetch(base + 'upload?appid=' + encodeURIComponent(sim.appId) + '&content_type=' + encodeURIComponent(img.type), { method: 'POST', body: bytes })
        .then(function (r) { return r.json(); })
        .then(function (v) {
          record.end = performance.now();
          record.serverId = v.media_id;
          finish('uploadImage', o, 'ok', { serverId: v.media_id });
        }, function () { record.end = performance.now(); finish('uploadImage', o, 'fail'); });
    }, opts.uploadDelayMs === undefined ? 150 : opts.uploadDelayMs);
  };
  wx.downloadImage = function (o) {
    o = o || {};
    if (!permitted('downloadImage', o)) return;
    fetch(base + 'media/' + encodeURIComponent(o.serverId)).then(function (r) {
      if (!r.ok) throw new Error('invalid serverId');
      var type = r.headers.get('content-type') || 'image/png';
      return r.blob().then(function (b) {
        return new Promise(function (res) { var fr = new FileReader(); fr.onload = function () { res(localId(fr.result, type)); }; fr.readAsDataURL(b); });
      });
    }).then(function (id) { finish('downloadImage', o, 'ok', { localId: id }); },
      function () { finish('downloadImage', o, 'fail invalid serverId'); });
  };
  wx.getLocalImgData = function (o) {
    o = o || {};
    if (!permitted('getLocalImgData', o)) return;
    var img = sim.local[o.localId];
    if (!img) { finish('getLocalImgData', o, 'fail invalid localId'); return; }
    finish('getLocalImgData', o, 'ok', { localData: ios ? img.dataUrl : img.dataUrl.split(',')[1] });
  };

  // Cards: cardExt and cardSign are verified with the simulator's wx_card ticket.
  wx.addCard = function (o) {
    o = o || {};
    if (!permitted('addCard', o)) return;
    var list = o.cardList || [];
    Promise.all(list.map(function (c) { return post('card_ext', { appId: sim.appId, cardId: c.cardId, cardExt: c.cardExt }); }))
      .then(function (vs) {
        var bad = vs.filter(function (v) { return !v.ok; })[0];
        if (bad) { finish('addCard', o, 'fail ' + bad.error); return; }
        var added = list.map(function (c, i) { return { cardId: c.cardId, cardExt: c.cardExt, code: vs[i].code, isSuccess: true }; });
        sim.cards = sim.cards.concat(added);
        finish('addCard', o, 'ok', { cardList: added });
      });
  };
  wx.chooseCard = function (o) {
    o = o || {};
    if (!permitted('chooseCard', o)) return;
    post('card_sign', { appId: sim.appId, shopId: o.shopId || '', cardType: o.cardType || '', cardId: o.cardId || '', timestamp: String(o.timestamp || ''),
      nonceStr: o.nonceStr || '', signType: o.signType || '', cardSign: o.cardSign || '' })
      .then(function (v) {
        if (!v.ok) { finish('chooseCard', o, 'fail ' + v.error); return; }
        var chosen = sim.cards.length ? sim.cards : [{ cardId: o.cardId || 'pSimCard', code: 'sim' }];
        finish('chooseCard', o, 'ok', { cardList: JSON.stringify(chosen.map(function (c) { return { card_id: c.cardId, encrypt_code: 'enc_' + (c.code || '') }; })) });
      });
  };
  wx.openCard = function (o) {
    o = o || {};
    if (!permitted('openCard', o)) return;
    sim.opened = o.cardList || [];
    finish('openCard', o, 'ok');
  };

  // WeCom: wx.agentConfig is verified with the corp's agent_config ticket, for
  // the same URL wx.config is; agent APIs are then called through wx.invoke.
  var AGENT_APIS = ['selectEnterpriseContact', 'openUserProfile', 'selectExternalContact', 'getCurExternalContact',
    'openEnterpriseChat', 'getContext', 'shareToExternalContact', 'sendChatMessage'];
  sim.agentConfigs = [];    // every wx.agentConfig call: {url, result}
  sim.agentAllowed = [];
  wx.agentConfig = function (c) {
    c = c || {};
    var url = ios ? sim.landingUrl : location.href.split('#')[0];
    var entry = { url: url, result: null };
    sim.agentConfigs.push(entry);
    var missing = ['corpid', 'agentid', 'timestamp', 'nonceStr', 'signature', 'jsApiList'].filter(function (k) {
      return c[k] === undefined || c[k] === null || c[k] === '';
    });
    var verdict = missing.length
      ? Promise.resolve({ ok: false, error: 'fail' })
      : post('verify_agent', { corpid: String(c.corpid), agentid: String(c.agentid), timestamp: String(c.timestamp),
          nonceStr: c.nonceStr, signature: c.signature, url: url })
          .catch(function () { return { ok: false, error: 'fail' }; });
    verdict.then(function (v) {
      entry.result = v.ok ? 'ok' : v.error;
      if (v.ok) sim.agentAllowed = (c.jsApiList || []).slice();
      finish('agentConfig', c, v.ok ? 'ok' : v.error);
    });
  };
  wx.invoke = function (api, params, cb) {
    sim.calls.push({ api: api, at: performance.now() });
    var ok = AGENT_APIS.indexOf(api) >= 0 && sim.agentAllowed.indexOf(api) >= 0;
    var res = { err_msg: api + (ok ? ':ok' : ':fail no permission') };
    setTimeout(function () { if (cb) cb(res); }, 0);
  };

  // --- Audio, smart, device, location, beacons, menu, scan, shop, address ---
  // Each answers as WeChat does (`<api>:ok`, `<api>:cancel` when the user
  // cancels, an error text otherwise) after the same permission check.
  function cancelled(api, o) {
    if (!sim.user.cancel[api]) return false;
    delete sim.user.cancel[api];
    finish(api, o, 'cancel');
    return true;
  }
  function api(name, body) {
    wx[name] = function (o) {
      o = o || {};
      if (!permitted(name, o) || cancelled(name, o)) return;
      body(o);
    };
  }
  var listeners = {};       // onVoiceRecordEnd / onVoicePlayEnd / onSearchBeacons -> the page's handlers
  function emit(name, key, extra) {
    var h = listeners[name];
    if (!h || !h[key]) return;
    var res = Object.assign({ errMsg: name + ':ok' }, extra);
    sim.results.push({ api: name, res: res });
    setTimeout(function () { h[key](res); }, 0);
  }
  ['onVoiceRecordEnd', 'onVoicePlayEnd', 'onSearchBeacons'].forEach(function (name) {
    wx[name] = function (o) {
      o = o || {};
      if (!permitted(name, o)) return;
      listeners[name] = o;
    };
  });

  // A voice is an AMR-NB file as WeChat records it: the "#!AMR\n" magic,
  // then one 32-byte 12.2 kbit/s frame (header 0x3c) per 20 ms.
  var AMR_FRAME = 32;
  function voice(durationMs) {
    var frames = Math.max(1, Math.round(durationMs / 20));
    var bytes = new Uint8Array(6 + frames * AMR_FRAME);
    bytes.set([0x23, 0x21, 0x41, 0x4d, 0x52, 0x0a]);
    for (var i = 0; i < frames; i++) bytes[6 + i * AMR_FRAME] = 0x3c;
    var id = 'weixin://resourceid/voice' + Math.random().toString(36).slice(2);
    sim.voices[id] = { bytes: bytes, durationMs: durationMs };
    return id;
  }
  function endRecording(ms) {
    var r = sim.recording;
    clearTimeout(r.timer);
    sim.recording = null;
    return voice(Math.min(ms, sim.user.recordLimitMs));
  }
  api('startRecord', function (o) {
    if (sim.recording) { finish('startRecord', o, 'fail recording'); return; }
    sim.recording = { start: performance.now() };
    sim.recording.timer = setTimeout(function () {
      emit('onVoiceRecordEnd', 'complete', { localId: endRecording(sim.user.recordLimitMs) });
    }, sim.user.recordLimitMs);
    finish('startRecord', o, 'ok');
  });
  api('stopRecord', function (o) {
    if (!sim.recording) { finish('stopRecord', o, 'fail not recording'); return; }
    finish('stopRecord', o, 'ok', { localId: endRecording(sim.user.recordMs) });
  });
  function knownVoice(name, o) {
    if (sim.voices[o.localId]) return true;
    finish(name, o, 'fail invalid localId');
    return false;
  }
  api('playVoice', function (o) {
    if (!knownVoice('playVoice', o)) return;
    if (sim.playing) clearTimeout(sim.playing.timer);
    var id = o.localId;
    sim.played.push(id);
    // After pauseVoice, playVoice resumes where it stopped.
    var left = sim.paused[id] !== undefined ? sim.paused[id] : sim.voices[id].durationMs;
    delete sim.paused[id];
    sim.playing = { localId: id, until: performance.now() + left, timer: setTimeout(function () {
      sim.playing = null;
      emit('onVoicePlayEnd', 'success', { localId: id });
    }, left) };
    finish('playVoice', o, 'ok');
  });
  ['pauseVoice', 'stopVoice'].forEach(function (name) {
    api(name, function (o) {
      if (!knownVoice(name, o)) return;
      if (sim.playing && sim.playing.localId === o.localId) {
        clearTimeout(sim.playing.timer);
        if (name === 'pauseVoice') sim.paused[o.localId] = Math.max(0, sim.playing.until - performance.now());
        sim.playing = null;
      }
      if (name === 'stopVoice') delete sim.paused[o.localId];
      finish(name, o, 'ok');
    });
  });
  api('uploadVoice', function (o) {
    if (!knownVoice('uploadVoice', o)) return;
    fetch(base + 'upload?appid=' + encodeURIComponent(sim.appId) + '&content_type=audio%2Famr', { method: 'POST', body: sim.voices[o.localId].bytes })
      .then(function (r) { return r.json(); })
      .then(function (v) { finish('uploadVoice', o, 'ok', { serverId: v.media_id }); },
        function () { finish('uploadVoice', o, 'fail'); });
  });
  api('downloadVoice', function (o) {
    fetch(base + 'media/' + encodeURIComponent(o.serverId || '')).then(function (r) {
      if (!r.ok) throw new Error('invalid serverId');
      return r.arrayBuffer();
    }).then(function (b) {
      var id = voice(Math.max(20, Math.floor((b.byteLength - 6) / AMR_FRAME) * 20));
      finish('downloadVoice', o, 'ok', { localId: id });
    }, function () { finish('downloadVoice', o, 'fail invalid serverId'); });
  });
  api('translateVoice', function (o) {
    if (!knownVoice('translateVoice', o)) return;
    finish('translateVoice', o, 'ok', { translateResult: sim.user.translation });
  });

  api('getNetworkType', function (o) { finish('getNetworkType', o, 'ok', { networkType: sim.user.network }); });
  api('getLocation', function (o) {
    var type = o.type || 'wgs84';
    if (type !== 'wgs84' && type !== 'gcj02') { finish('getLocation', o, 'fail invalid type'); return; }
    var l = sim.user.location;
    // gcj02 ("Mars") coordinates are offset from GPS ones in mainland China.
    var shift = type === 'gcj02' ? 0.002 : 0;
    finish('getLocation', o, 'ok', { latitude: l.latitude + shift, longitude: l.longitude + shift * 2, speed: l.speed, accuracy: l.accuracy });
  });
  api('openLocation', function (o) {
    var lat = Number(o.latitude), lng = Number(o.longitude);
    if (!(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180)) { finish('openLocation', o, 'fail invalid latitude or longitude'); return; }
    sim.opened = { api: 'openLocation', latitude: lat, longitude: lng, name: o.name, address: o.address, scale: o.scale, infoUrl: o.infoUrl };
    finish('openLocation', o, 'ok');
  });
  api('startSearchBeacons', function (o) {
    sim.beaconSearch = { ticket: o.ticket || '' };
    finish('startSearchBeacons', o, 'ok');
    setTimeout(function () { if (sim.beaconSearch) emit('onSearchBeacons', 'complete', { beacons: sim.user.beacons }); }, 50);
  });
  api('stopSearchBeacons', function (o) { sim.beaconSearch = null; finish('stopSearchBeacons', o, 'ok'); });
  // More beacons come into range (while searching).
  sim.seeBeacons = function (list) {
    sim.user.beacons = list;
    if (sim.beaconSearch) emit('onSearchBeacons', 'complete', { beacons: list });
  };

  var BASIC = ['menuItem:exposeArticle', 'menuItem:setFont', 'menuItem:dayMode', 'menuItem:nightMode', 'menuItem:refresh',
    'menuItem:profile', 'menuItem:addContact'];
  var HIDEABLE = ['menuItem:share:appMessage', 'menuItem:share:timeline', 'menuItem:share:qq', 'menuItem:share:weiboApp',
    'menuItem:favorite', 'menuItem:share:facebook', 'menuItem:share:QZone', 'menuItem:editTag', 'menuItem:delete',
    'menuItem:copyUrl', 'menuItem:originPage', 'menuItem:readMode', 'menuItem:openWithQQBrowser',
    'menuItem:openWithSafari', 'menuItem:share:email', 'menuItem:share:brand'];
  sim.menuItems = { basic: BASIC, hideable: HIDEABLE };
  api('hideOptionMenu', function (o) { sim.menu.optionMenu = false; finish('hideOptionMenu', o, 'ok'); });
  api('showOptionMenu', function (o) { sim.menu.optionMenu = true; finish('showOptionMenu', o, 'ok'); });
  // Only communication and protection items can be hidden; other names are ignored.
  api('hideMenuItems', function (o) {
    (o.menuList || []).forEach(function (m) { if (HIDEABLE.indexOf(m) >= 0 && sim.menu.hidden.indexOf(m) < 0) sim.menu.hidden.push(m); });
    finish('hideMenuItems', o, 'ok');
  });
  api('showMenuItems', function (o) {
    sim.menu.hidden = sim.menu.hidden.filter(function (m) { return (o.menuList || []).indexOf(m) < 0; });
    finish('showMenuItems', o, 'ok');
  });
  api('hideAllNonBaseMenuItem', function (o) { sim.menu.allNonBaseHidden = true; finish('hideAllNonBaseMenuItem', o, 'ok'); });
  api('showAllNonBaseMenuItem', function (o) { sim.menu.allNonBaseHidden = false; finish('showAllNonBaseMenuItem', o, 'ok'); });
  api('closeWindow', function (o) { sim.closed = true; finish('closeWindow', o, 'ok'); });

  api('scanQRCode', function (o) {
    sim.opened = { api: 'scanQRCode', scanType: o.scanType || ['qrCode', 'barCode'] };
    if (Number(o.needResult) === 1) finish('scanQRCode', o, 'ok', { resultStr: sim.user.scan });
    else finish('scanQRCode', o, 'ok');
  });
  api('openProductSpecificView', function (o) {
    if (!o.productId) { finish('openProductSpecificView', o, 'fail invalid productId'); return; }
    sim.opened = { api: 'openProductSpecificView', productId: o.productId, viewType: String(o.viewType || '0') };
    finish('openProductSpecificView', o, 'ok');
  });
  api('openAddress', function (o) { finish('openAddress', o, 'ok', Object.assign({}, sim.user.address)); });

  window.wx = window.jWeixin = wx;
})();

// The JS-SDK playground (/jssdk): signs this page for every interface, runs
// wx.config, then wires each button to its interface. Every reply is shown
// under its button with the exact call, and its errMsg is kept on the <pre>
// (data-errmsg). Interfaces that take an earlier result (uploadImage the
// chosen image, playVoice the recorded voice, openCard the added card) use
// the last one; event interfaces show their events as they come.
(function () {
  'use strict';
  var wx = window.wx;
  var status = document.querySelector('[data-testid="playground-status"]');
  var state = { images: [], imageServerId: '', voice: '', voiceServerId: '', cards: [] };
  var share = { title: 'wxkit JS-SDK playground', desc: 'Every interface, signed on the server', link: location.href.split('#')[0], imgUrl: location.origin + '/share.png' };
  var menuList = ['menuItem:copyUrl', 'menuItem:openWithSafari', 'menuItem:share:qq'];

  // The status as a word (data-status) and in the page's language (the
  // server renders the words: data-text-*).
  function setStatus(s, detail) {
    status.dataset.status = s;
    status.textContent = s === 'ready' ? status.dataset.textReady
      : s === 'no-sdk' ? status.dataset.textNoSdk
      : status.dataset.textError + detail;
  }
  function show(api, call, res) {
    var pre = document.querySelector('[data-testid="reply-' + api + '"]');
    pre.dataset.errmsg = res.errMsg || '';
    pre.textContent = call + '\n→ ' + JSON.stringify(res, null, 2);
  }
  function post(path, fields) {
    return fetch(path, { method: 'POST', body: new URLSearchParams(fields) }).then(function (r) {
      return r.json().then(function (v) { if (!r.ok) throw new Error(v.message || r.status); return v; });
    });
  }
  function stringify(params) {
    return JSON.stringify(params, function (k, v) { return typeof v === 'function' ? undefined : v; });
  }
  // Calls wx[api](params) and shows the one reply (complete comes after success, fail or cancel).
  function call(api, params, after) {
    var p = Object.assign({}, params);
    var text = 'wx.' + api + '(' + stringify(params) + ')';
    p.complete = function (res) { if (after) after(res); show(api, text, res); };
    wx[api](p);
  }
  // Registers an event interface: its events are shown as they come.
  function listen(api, key) {
    var text = 'wx.' + api + '({' + key + '})';
    var p = {};
    p[key] = function (res) {
      if (res.localId) state.voice = res.localId;
      show(api, text + ' fired', res);
    };
    wx[api](p);
    show(api, text, { errMsg: '', listening: true });
  }
  function legacyShare(api) {
    var text = 'wx.' + api + '({title, desc, link, imgUrl, success, cancel})';
    var p = Object.assign({}, share);
    p.success = p.cancel = p.fail = function (res) { show(api, text + ' shared', res); };
    wx[api](p);
    show(api, text, { errMsg: '', waiting: 'tap share in the menu' });
  }
  function viaServer(api, work) {
    work().catch(function (e) { show(api, 'wx.' + api + '(…)', { errMsg: api + ':fail ' + e.message }); });
  }

  var RUN = {
    checkJsApi: function () {
      var list = Array.prototype.map.call(document.querySelectorAll('[data-api]'), function (b) { return b.dataset.api; })
        .filter(function (a) { return a !== 'checkJsApi'; });
      call('checkJsApi', { jsApiList: list });
    },
    updateAppMessageShareData: function () { call('updateAppMessageShareData', share); },
    updateTimelineShareData: function () { call('updateTimelineShareData', { title: share.title, link: share.link, imgUrl: share.imgUrl }); },
    onMenuShareTimeline: function () { legacyShare('onMenuShareTimeline'); },
    onMenuShareAppMessage: function () { legacyShare('onMenuShareAppMessage'); },
    onMenuShareQQ: function () { legacyShare('onMenuShareQQ'); },
    onMenuShareWeibo: function () { legacyShare('onMenuShareWeibo'); },
    onMenuShareQZone: function () { legacyShare('onMenuShareQZone'); },
    chooseImage: function () {
      call('chooseImage', { count: 9, sizeType: ['original', 'compressed'], sourceType: ['album', 'camera'] },
        function (res) { if (res.localIds) state.images = res.localIds; });
    },
    previewImage: function () { call('previewImage', { current: share.imgUrl, urls: [share.imgUrl] }); },
    uploadImage: function () {
      call('uploadImage', { localId: state.images[0] || '', isShowProgressTips: 1 },
        function (res) { if (res.serverId) state.imageServerId = res.serverId; });
    },
    downloadImage: function () { call('downloadImage', { serverId: state.imageServerId, isShowProgressTips: 1 }); },
    getLocalImgData: function () {
      call('getLocalImgData', { localId: state.images[0] || '' }, function (res) {
        if (res.localData) res.localData = res.localData.slice(0, 32) + '… (' + res.localData.length + ' characters)';
      });
    },
    startRecord: function () { call('startRecord', {}); },
    stopRecord: function () { call('stopRecord', {}, function (res) { if (res.localId) state.voice = res.localId; }); },
    onVoiceRecordEnd: function () { listen('onVoiceRecordEnd', 'complete'); },
    playVoice: function () { call('playVoice', { localId: state.voice }); },
    pauseVoice: function () { call('pauseVoice', { localId: state.voice }); },
    stopVoice: function () { call('stopVoice', { localId: state.voice }); },
    onVoicePlayEnd: function () { listen('onVoicePlayEnd', 'success'); },
    uploadVoice: function () {
      call('uploadVoice', { localId: state.voice, isShowProgressTips: 1 },
        function (res) { if (res.serverId) state.voiceServerId = res.serverId; });
    },
    downloadVoice: function () {
      call('downloadVoice', { serverId: state.voiceServerId, isShowProgressTips: 1 },
        function (res) { if (res.localId) state.voice = res.localId; });
    },
    translateVoice: function () { call('translateVoice', { localId: state.voice, isShowProgressTips: 1 }); },
    getNetworkType: function () { call('getNetworkType', {}); },
    openLocation: function () {
      call('openLocation', { latitude: 39.908823, longitude: 116.39747, name: '天安门', address: '北京市东城区', scale: 14, infoUrl: '' });
    },
    getLocation: function () { call('getLocation', { type: 'gcj02' }); },
    startSearchBeacons: function () { call('startSearchBeacons', { ticket: '' }); },
    stopSearchBeacons: function () { call('stopSearchBeacons', {}); },
    onSearchBeacons: function () { listen('onSearchBeacons', 'complete'); },
    hideOptionMenu: function () { call('hideOptionMenu', {}); },
    showOptionMenu: function () { call('showOptionMenu', {}); },
    hideMenuItems: function () { call('hideMenuItems', { menuList: menuList }); },
    showMenuItems: function () { call('showMenuItems', { menuList: menuList }); },
    hideAllNonBaseMenuItem: function () { call('hideAllNonBaseMenuItem', {}); },
    showAllNonBaseMenuItem: function () { call('showAllNonBaseMenuItem', {}); },
    closeWindow: function () { call('closeWindow', {}); },
    scanQRCode: function () { call('scanQRCode', { needResult: 1, scanType: ['qrCode', 'barCode'] }); },
    openProductSpecificView: function () { call('openProductSpecificView', { productId: 'pDemoProduct', viewType: '0' }); },
    openAddress: function () { call('openAddress', {}); },
    // Cards: the cardExt and cardSign come from the server, as on the cards page.
    addCard: function () {
      viaServer('addCard', function () {
        return post('/api/cards', {}).then(function (cards) {
          if (!cards.length) throw new Error('no card is registered');
          var id = cards[0].card_id;
          return post('/api/card_ext', { card_id: id }).then(function (ext) {
            call('addCard', { cardList: [{ cardId: id, cardExt: ext }] },
              function (res) { if (res.cardList) state.cards = res.cardList.map(function (c) { return { cardId: c.cardId, code: c.code }; }); });
          });
        });
      });
    },
    chooseCard: function () {
      viaServer('chooseCard', function () {
        return post('/api/card_sign', {}).then(function (s) {
          call('chooseCard', { shopId: '', cardType: '', cardId: '', timestamp: s.timestamp, nonceStr: s.nonce_str, signType: s.sign_type, cardSign: s.card_sign });
        });
      });
    },
    openCard: function () { call('openCard', { cardList: state.cards }); },
  };

  document.querySelectorAll('[data-api]').forEach(function (b) {
    b.addEventListener('click', function () { (RUN[b.dataset.api] || function () {})(); });
  });

  if (!wx) { setStatus('no-sdk'); return; }
  post('/api/jssdk_config', { url: location.href.split('#')[0] }).then(function (c) {
    wx.config({ debug: false, appId: c.appId, timestamp: c.timestamp, nonceStr: c.nonceStr, signature: c.signature, jsApiList: c.jsApiList });
    wx.ready(function () { setStatus('ready'); });
    wx.error(function (res) { setStatus('error', res.errMsg); });
  }, function (e) { setStatus('error', e.message); });
})();

// wxkit: calls wx.config with the config the server embedded, the moment the
// JS-SDK script has run (it is the script just before this one), so WeChat
// verifies the page while the WASM is still loading. The page's runtime
// island adopts the outcome (window.__wxkit.first) instead of calling
// wx.config again. Outside WeChat (and without the simulator) it does nothing.
(function () {
  var w = window, wx = w.wx, el = document.getElementById('wxkit-wx-config'), c;
  if (!wx || !wx.config || !el) return;
  if (!wx.__simulated && !/MicroMessenger|wxwork/.test(navigator.userAgent)) return;
  try { c = JSON.parse(el.textContent); } catch (e) { return; }
  if (!c || !c.signature) return;
  w.__wxkit = {
    first: new Promise(function (done) {
      try {
        wx.config({ debug: false, appId: c.appId, timestamp: c.timestamp, nonceStr: c.nonceStr,
          signature: c.signature, jsApiList: c.jsApiList });
        wx.ready(function () { done(null); });
        wx.error(function (res) { done(res); });
      } catch (e) {
        done({ errMsg: 'config:fail' });
      }
    })
  };
})();

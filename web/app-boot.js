// Boots a Parley app page (widget.html, inbox.html): tells Emscripten where the canvas and the
// content-hashed files are (the page's data-wasm, data-font and data-font-bold), and hands it the
// font downloads the page already started (<link rel=preload>).
(function () {
  var d = document.documentElement.dataset;
  var prefetch = {};
  [d.font, d.fontBold].forEach(function (url) {
    prefetch[url] = fetch(url, {credentials: 'same-origin'});
  });
  window.Module = {
    canvas: document.getElementById('canvas'),
    parleyFontRegular: d.font,
    parleyFontBold: d.fontBold,
    parleyPrefetch: prefetch,
    locateFile: function (path) { return /\.wasm$/.test(path) ? d.wasm : path; },
  };
})();

// Presenter mode of the Briefing page (app_pages/briefing.py), run in the app's own document.
//
// 1. Clicker keys always move slides. A clicker sends PageDown/PageUp, the arrow keys or
//    space. After a click on the map, keys go to the map's iframe (streamlit-folium), where
//    Leaflet would pan with the arrows: the same handler listens in every same-origin iframe
//    too, in the capture phase, so it sees the key before Leaflet and stops it there.
// 2. The map takes the height the window leaves below the headline, so it stays above the
//    fold at 1280 x 720 and fills a larger screen.
// 3. The sidebar closes on arriving and opens again on leaving, if this script closed it.
//    (st.set_page_config's initial_sidebar_state would flip between app.py's "expanded"
//    and the page's value on every rerun, and loses to a choice the user once made.)
//
// Installed once per browser tab; it does nothing on the other pages.
(() => {
  const VERSION = 1;
  if (window.__atlasPresenter === VERSION) { return; }
  window.__atlasPresenter = VERSION;

  const NEXT = new Set(['ArrowRight', 'ArrowDown', 'PageDown', ' ', 'Spacebar']);
  const PREV = new Set(['ArrowLeft', 'ArrowUp', 'PageUp']);
  const MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]';
  const MIN_MAP = 320;    // px: below this the page scrolls instead

  const presenting = () => /\/briefing\/?$/.test(window.location.pathname);

  function onKey(e) {
    if (!presenting() || e.altKey || e.ctrlKey || e.metaKey) { return; }
    const t = e.target;
    const tag = t && t.tagName;
    // Typing keeps its keys; a layer checkbox in the map does not need them.
    const typing = tag === 'TEXTAREA' || tag === 'SELECT' || (t && t.isContentEditable)
      || (tag === 'INPUT' && !['checkbox', 'radio', 'button'].includes(t.type));
    if (typing) { return; }
    let dir = NEXT.has(e.key) ? 'next' : (PREV.has(e.key) ? 'prev' : null);
    if (dir === 'next' && e.key === ' ' && e.shiftKey) { dir = 'prev'; }
    if (!dir) { return; }
    // Swallow the key whatever happens: Leaflet would pan, the page would scroll, and
    // space would also press a focused button.
    e.preventDefault();
    e.stopPropagation();
    const btn = document.querySelector('.st-key-atlas_' + dir + ' button');
    if (btn && !btn.disabled) { btn.click(); }
  }
  document.addEventListener('keydown', onKey, true);

  function fitMap(frame) {
    // What follows the map (its source line, the page's bottom padding) stays in view too.
    const box = frame.getBoundingClientRect();
    const block = document.querySelector('[data-testid="stMainBlockContainer"]');
    const below = block ? Math.max(block.getBoundingClientRect().bottom - box.bottom, 0) : 40;
    const want = Math.max(MIN_MAP, Math.floor(window.innerHeight - box.top - below));
    const doc = frame.contentDocument;
    if (doc && doc.body && !doc.getElementById('atlas-fit')) {
      // The component sets the map's height inline on every render; this rule wins.
      const style = doc.createElement('style');
      style.id = 'atlas-fit';
      style.textContent = '#map_div { height: 100vh !important; }';
      doc.head.appendChild(style);
      frame.dataset.atlasHeight = '';
    }
    // A tall legend (bottom right) would grow over the layer control (top right) on a
    // short map: it scrolls below the control instead.
    const ctl = doc && doc.querySelector('.leaflet-top.leaflet-right .leaflet-control');
    const legend = doc && doc.querySelector('.atlas-legend');
    if (ctl && legend) {
      const room = Math.max(120, Math.floor(doc.documentElement.clientHeight - ctl.getBoundingClientRect().bottom - 40));
      if (legend.style.maxHeight !== room + 'px') {
        legend.style.maxHeight = room + 'px';
        legend.style.overflowY = 'auto';
      }
    }
    if (frame.dataset.atlasHeight !== String(want)) {
      frame.style.setProperty('height', want + 'px', 'important');
      frame.dataset.atlasHeight = String(want);
      const m = frame.contentWindow && frame.contentWindow.map;
      if (m && m.invalidateSize) { m.invalidateSize(); }
    }
  }

  let arrived = false;
  let closed = false;
  function sidebar() {
    const bar = document.querySelector('[data-testid="stSidebar"]');
    if (presenting() && !arrived) {
      if (!bar) { return; }  // not drawn yet: try again on the next tick
      arrived = true;
      const btn = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (bar.dataset.collapsed === 'false' && btn) { btn.click(); closed = true; }
    } else if (!presenting() && arrived) {
      arrived = false;
      const btn = document.querySelector('[data-testid="stExpandSidebarButton"]');
      if (closed && bar && bar.dataset.collapsed === 'true' && btn) { btn.click(); }
      closed = false;
    }
  }

  function hook(frame) {
    const win = frame.contentWindow;
    if (win && !win.__atlasKeys) {
      win.__atlasKeys = true;
      win.addEventListener('keydown', onKey, true);
    }
  }
  // A frame's document is replaced when it loads: hook the new one at once (load does
  // not bubble, but the capture phase sees it).
  document.addEventListener('load', (e) => {
    if (presenting() && e.target && e.target.tagName === 'IFRAME') {
      try { hook(e.target); } catch (err) { /* a cross-origin frame: none of ours */ }
    }
  }, true);

  // Streamlit replaces iframes as slides change and an iframe's document is replaced
  // when it loads: look for new ones a few times a second (cheap: a handful of frames).
  setInterval(() => {
    sidebar();
    if (!presenting()) { return; }
    for (const frame of document.querySelectorAll('iframe')) {
      try {
        hook(frame);
        if (frame.matches(MAP_FRAME)) { fitMap(frame); }
      } catch (err) {
        // A cross-origin frame: none of ours.
      }
    }
  }, 250);
})();

// Presenter mode of the Briefing page (app_pages/briefing.py), run in the app's own document.
//
// The slides are a deck (geo/deck.py) in one iframe: it steps through them itself, with
// no rerun. This script
// 1. sizes the deck to the window below the page's bar of controls, so it fills a
//    1280 x 720 projector or a 1920 x 1080 screen with no scrollbar;
// 2. sends it the clicker's keys pressed while the focus is outside it (on the bar);
//    keys pressed in it, or in a map inside it, the deck handles itself;
// 3. keeps the URL's `slide` in step with the deck (history.replaceState: no rerun), so
//    a copied link or a reload reopens the slide shown;
// 4. F (or the deck's own button) shows the deck full screen;
// 5. closes the sidebar on arriving (leaving the stored choice of the other pages as it
//    was) and opens it again on leaving, if it closed it.
//
// Installed once per browser tab; it does nothing on the other pages.
(() => {
  const VERSION = 3;
  if (window.__atlasPresenter === VERSION) { return; }
  window.__atlasPresenter = VERSION;

  const NEXT = new Set(['ArrowRight', 'ArrowDown', 'PageDown', ' ', 'Spacebar']);
  const PREV = new Set(['ArrowLeft', 'ArrowUp', 'PageUp']);
  const MIN_DECK = 360;  // px: below this the page scrolls instead
  let current = null;    // the slide the deck last reported

  const presenting = () => /\/briefing\/?$/.test(window.location.pathname);
  const deckFrame = () => document.querySelector('[data-testid="stIFrame"]');

  function go(n) {
    const frame = deckFrame();
    if (frame && frame.contentWindow) { frame.contentWindow.postMessage({ atlasDeckGo: n }, '*'); }
  }

  function fullScreen() {
    const frame = deckFrame();
    if (frame && frame.requestFullscreen && !document.fullscreenElement) {
      frame.requestFullscreen().catch(() => {});
    }
  }

  document.addEventListener('keydown', (e) => {
    if (!presenting() || e.altKey || e.ctrlKey || e.metaKey) { return; }
    const t = e.target;
    const tag = t && t.tagName;
    const typing = tag === 'TEXTAREA' || tag === 'SELECT' || (t && t.isContentEditable)
      || (tag === 'INPUT' && !['checkbox', 'radio', 'button'].includes(t.type));
    if (typing) { return; }
    // Space presses a focused button or link (the bar's), as anywhere else.
    if (e.key === ' ' && ['BUTTON', 'A', 'SUMMARY'].includes(tag)) { return; }
    if (e.key === 'f' || e.key === 'F') { e.preventDefault(); fullScreen(); return; }
    let step = NEXT.has(e.key) ? 1 : (PREV.has(e.key) ? -1 : 0);
    if (e.key === ' ' && e.shiftKey) { step = -1; }
    // Home, End and P are the deck's own keys (it knows its last slide and writes the
    // presenter window): they are handed to it as keys.
    if (e.key === 'Home' || e.key === 'End' || e.key === 'p' || e.key === 'P') {
      e.preventDefault();
      const frame = deckFrame();
      if (frame && frame.contentWindow) { frame.contentWindow.postMessage({ atlasDeckKey: e.key }, '*'); }
      return;
    }
    if (!step) { return; }
    // Swallow the key: the page would scroll, and space would press a focused button.
    e.preventDefault();
    e.stopPropagation();
    const n = current || Number(new URLSearchParams(window.location.search).get('slide')) || 1;
    go(Math.max(1, n + step));
  }, true);

  window.addEventListener('message', (e) => {
    const data = e.data || {};
    const frame = deckFrame();
    if (!presenting() || !frame || e.source !== frame.contentWindow) { return; }
    if (data.atlasDeckFullscreen) { fullScreen(); }
    const n = Number(data.atlasDeckSlide);
    if (!Number.isInteger(n) || n < 1) { return; }
    current = n;
    const url = new URL(window.location.href);
    if (url.searchParams.get('slide') !== String(n)) {
      url.searchParams.set('slide', String(n));
      window.history.replaceState(window.history.state, '', url);
    }
  });

  function fitDeck() {
    const frame = deckFrame();
    if (!frame || document.fullscreenElement) { return; }
    // What follows the deck (the keys line, the page's bottom padding) stays in view too.
    const box = frame.getBoundingClientRect();
    const block = document.querySelector('[data-testid="stMainBlockContainer"]');
    const below = block ? Math.max(block.getBoundingClientRect().bottom - box.bottom, 0) : 40;
    const want = Math.max(MIN_DECK, Math.floor(window.innerHeight - box.top - below));
    if (frame.dataset.atlasHeight !== String(want)) {
      frame.style.setProperty('height', want + 'px', 'important');
      frame.dataset.atlasHeight = String(want);
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
      if (bar.dataset.collapsed === 'false' && btn) {
        // Streamlit keeps the sidebar's state for every page: closing it here is the
        // presenter's doing, not the user's choice, so the stored state is put back.
        const stored = (k) => k.startsWith('stSidebarCollapsed');
        const before = Object.keys(localStorage).filter(stored).map((k) => [k, localStorage.getItem(k)]);
        btn.click();
        closed = true;
        const restore = () => {
          Object.keys(localStorage).filter(stored).forEach((k) => localStorage.removeItem(k));
          before.forEach(([k, v]) => localStorage.setItem(k, v));
        };
        setTimeout(restore, 300);
        setTimeout(restore, 1500);
      }
    } else if (!presenting() && arrived) {
      arrived = false;
      current = null;
      const btn = document.querySelector('[data-testid="stExpandSidebarButton"]');
      if (closed && bar && bar.dataset.collapsed === 'true' && btn) { btn.click(); }
      closed = false;
    }
  }

  setInterval(() => {
    sidebar();
    if (presenting()) { fitDeck(); }
  }, 250);
})();

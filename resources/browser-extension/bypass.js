// In every page: a link clicked with Alt held is left to the browser (the bypass), and the
// links inside the selection are listed for "Download all links with Rangeload".
"use strict";
{
  const api = globalThis.browser?.runtime?.getBrowserInfo ? globalThis.browser : globalThis.chrome;

  // Browsers give Alt+click meanings of their own (Firefox ignores the link, Chromium
  // saves it), so the click is taken here: the background is told first, then the link
  // is clicked again without the modifier and the browser downloads it as usual.
  document.addEventListener(
    "click",
    (event) => {
      if (!event.altKey || event.button !== 0) return;
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!link) return;
      event.preventDefault();
      event.stopPropagation();
      Promise.resolve(api.runtime.sendMessage({ type: "bypass", url: link.href }))
        .catch(() => {})
        .then(() => link.click());
    },
    true,
  );

  api.runtime.onMessage.addListener((message, sender, reply) => {
    if (!message || message.type !== "links-in-selection") return false;
    const selection = window.getSelection();
    const found = new Set();
    for (let i = 0; selection && i < selection.rangeCount; i += 1) {
      const range = selection.getRangeAt(i);
      const root = range.commonAncestorContainer;
      const scope = root instanceof Element ? root : root.parentElement;
      for (const link of scope ? scope.querySelectorAll("a[href]") : []) {
        if (range.intersectsNode(link)) found.add(link.href);
      }
    }
    reply([...found]);
    return false;
  });
}

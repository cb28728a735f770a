// In every page: a link clicked with Alt held is left to the browser (the bypass), and the
// links inside the selection are listed for "Download all links with Rangeload".
"use strict";
{
  const api = globalThis.browser?.runtime?.getBrowserInfo ? globalThis.browser : globalThis.chrome;

  document.addEventListener(
    "click",
    (event) => {
      if (!event.altKey) return;
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (link) api.runtime.sendMessage({ type: "bypass", url: link.href });
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

"use strict";
const api = globalThis.browser?.runtime?.getBrowserInfo ? globalThis.browser : globalThis.chrome;
const enabled = document.getElementById("enabled");
const line = document.getElementById("status");

api.storage.local.get({ enabled: true }).then((stored) => {
  enabled.checked = stored.enabled;
});
enabled.addEventListener("change", () => api.storage.local.set({ enabled: enabled.checked }));
document.getElementById("options").addEventListener("click", (event) => {
  event.preventDefault();
  api.runtime.openOptionsPage();
});

api.runtime.sendMessage({ type: "status" }).then((s) => {
  if (!s || !s.reachable) {
    line.textContent = "Rangeload's host is not installed: run `rangeload browser install`. " +
      "Until then the browser downloads as usual.";
    line.className = "bad";
  } else if (s.mismatch || s.version !== s.extension) {
    line.textContent = `Versions differ: ${s.error || "update Rangeload or this extension"}`;
    line.className = "bad";
  } else {
    line.textContent = `Rangeload ${s.rangeload} ` + (s.app_running ? "is running." : "starts when needed.");
  }
});

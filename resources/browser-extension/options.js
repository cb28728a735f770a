"use strict";
const api = globalThis.browser?.runtime?.getBrowserInfo ? globalThis.browser : globalThis.chrome;
const DEFAULTS = {
  enabled: true,
  minSizeKiB: 0,
  captureExtensions: "",
  skipExtensions: "html htm php asp aspx jsp",
  skipSites: "",
};
const saved = document.getElementById("saved");

api.storage.local.get(DEFAULTS).then((stored) => {
  for (const [key, value] of Object.entries(stored)) {
    const input = document.getElementById(key);
    if (input.type === "checkbox") input.checked = value;
    else input.value = value;
  }
});

for (const key of Object.keys(DEFAULTS)) {
  document.getElementById(key).addEventListener("change", (event) => {
    const input = event.target;
    let value = input.type === "checkbox" ? input.checked : input.value;
    if (key === "minSizeKiB") value = Math.max(0, Number(value) || 0);
    api.storage.local.set({ [key]: value }).then(() => {
      saved.textContent = "Saved.";
    });
  });
}

// Rangeload's extension: hands the downloads a user starts to Rangeload through the native
// messaging host, and lets the browser download whatever Rangeload does not take.
// One file for Chromium (a service worker) and Firefox (a background script).
"use strict";

const api = globalThis.browser?.runtime?.getBrowserInfo ? globalThis.browser : globalThis.chrome;
// Chromium 156 defines globalThis.browser too: only Firefox has runtime.getBrowserInfo.
const IS_FIREFOX = typeof globalThis.browser?.runtime?.getBrowserInfo === "function";
const HOST = "io.github.rangeload.rangeload";
const PROTOCOL = 1;
const BYPASS_MS = 10000;

const DEFAULTS = {
  enabled: true,
  minSizeKiB: 0,
  captureExtensions: "", // empty: every extension
  skipExtensions: "html htm php asp aspx jsp",
  skipSites: "",
};

const bypassed = new Map(); // url -> time the user held Alt while clicking it
const handled = new Set(); // download ids already decided (Firefox may report twice)

async function settings() {
  const stored = await api.storage.local.get(DEFAULTS);
  return { ...DEFAULTS, ...stored };
}

function words(text) {
  return String(text || "").toLowerCase().split(/[\s,;]+/).filter(Boolean);
}

function extensionOf(name) {
  const base = String(name || "").split(/[\\/]/).pop();
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

function baseName(name) {
  return String(name || "").split(/[\\/]/).pop() || null;
}

// Why the browser should keep this download, or null when Rangeload should take it.
function reasonToKeep(rules, url, name, size) {
  if (!rules.enabled) return "capture is off";
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return "not a URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "not http";
  const clicked = bypassed.get(url);
  if (clicked && Date.now() - clicked < BYPASS_MS) {
    bypassed.delete(url);
    return "Alt was held";
  }
  const host = parsed.hostname.toLowerCase();
  if (words(rules.skipSites).some((site) => host === site || host.endsWith("." + site))) {
    return "site skipped";
  }
  const ext = extensionOf(name || parsed.pathname);
  const wanted = words(rules.captureExtensions);
  if (wanted.length && !wanted.includes(ext)) return "extension not captured";
  if (words(rules.skipExtensions).includes(ext)) return "extension skipped";
  if (size > 0 && size < rules.minSizeKiB * 1024) return "smaller than the minimum";
  return null;
}

async function cookieHeader(url) {
  try {
    const cookies = await api.cookies.getAll({ url });
    return cookies.map((c) => `${c.name}=${c.value}`).join("; ") || null;
  } catch {
    return null;
  }
}

async function offerFor(url, referrer, name, pageUrl) {
  return {
    url,
    referrer: referrer || null,
    filename: baseName(name),
    cookies: await cookieHeader(url),
    user_agent: navigator.userAgent,
    page_url: pageUrl || null,
  };
}

// True once the host says Rangeload took the offers; never throws.
async function handOver(offers) {
  try {
    const answer = await api.runtime.sendNativeMessage(HOST, {
      type: "download",
      version: PROTOCOL,
      offers,
    });
    if (answer && answer.ok) return true;
    console.warn("Rangeload did not take the download:", answer && answer.error);
  } catch (error) {
    console.warn("Rangeload's host could not be reached:", String(error));
  }
  return false;
}

async function removeFromBrowser(id) {
  try {
    await api.downloads.cancel(id);
  } catch {
    // already finished: removed below
  }
  if (IS_FIREFOX) {
    try {
      await api.downloads.removeFile(id);
    } catch {
      // nothing was written
    }
  }
  try {
    await api.downloads.erase({ id });
  } catch {
    // gone already
  }
}

async function decide(item) {
  const url = item.finalUrl || item.url;
  const size = item.fileSize > 0 ? item.fileSize : item.totalBytes;
  const keep = reasonToKeep(await settings(), url, item.filename, size);
  if (keep) return false;
  const offer = await offerFor(url, item.referrer, item.filename, item.referrer);
  return handOver([offer]);
}

if (IS_FIREFOX) {
  // Firefox has no way to hold a download: it may even finish before the answer comes,
  // so a taken download is cancelled, its file removed, and its entry erased.
  api.downloads.onCreated.addListener(async (item) => {
    if (handled.has(item.id)) return;
    handled.add(item.id);
    if (await decide(item)) await removeFromBrowser(item.id);
  });
} else {
  // Chromium holds the download until suggest() is called: nothing is written before
  // Rangeload has answered, and on any failure the browser goes on as usual.
  api.downloads.onDeterminingFilename.addListener((item, suggest) => {
    decide(item).then((taken) => {
      if (taken) {
        removeFromBrowser(item.id);
      } else {
        suggest();
      }
    });
    return true; // suggest() comes later
  });
}

// The content script reports links clicked with Alt held: the browser keeps those.
api.runtime.onMessage.addListener((message, sender, reply) => {
  if (message && message.type === "bypass" && typeof message.url === "string") {
    bypassed.set(message.url, Date.now());
    reply(true); // the page clicks the link once this is noted
  } else if (message && message.type === "status") {
    status().then(reply);
    return true;
  }
  return false;
});

async function status() {
  try {
    const answer = await api.runtime.sendNativeMessage(HOST, { type: "hello", version: PROTOCOL });
    return { reachable: true, ...answer, extension: PROTOCOL };
  } catch (error) {
    return { reachable: false, error: String(error), extension: PROTOCOL };
  }
}

function createMenus() {
  api.contextMenus.removeAll(() => {
    api.contextMenus.create({
      id: "rangeload-link",
      title: "Download with Rangeload",
      contexts: ["link"],
    });
    api.contextMenus.create({
      id: "rangeload-selection",
      title: "Download all links with Rangeload",
      contexts: ["selection"],
    });
  });
}
api.runtime.onInstalled.addListener(createMenus);
api.runtime.onStartup.addListener(createMenus);

api.contextMenus.onClicked.addListener(async (info, tab) => {
  const page = tab && tab.url;
  let urls = [];
  if (info.menuItemId === "rangeload-link" && info.linkUrl) {
    urls = [info.linkUrl];
  } else if (info.menuItemId === "rangeload-selection" && tab) {
    urls = await linksInSelection(tab.id);
  }
  urls = urls.filter((u) => /^https?:/i.test(u));
  if (!urls.length) return;
  const offers = await Promise.all(urls.map((u) => offerFor(u, page, null, page)));
  await handOver(offers);
});

async function linksInSelection(tabId) {
  try {
    return await api.tabs.sendMessage(tabId, { type: "links-in-selection" });
  } catch {
    return [];
  }
}

// The hash router: routes to screens, the flash message carried from one screen to the next, and
// what a re-render must keep (the focus rule, inputs across a language switch).
//
// Hash routes need no server rewrite rules: every path the CDN serves is a real file.

import { h } from "./dom.js";
import { t } from "./i18n.js";

let screens = {};
let notFound = () => h("section");
let header = () => {};
let cleanups = [];
let renderSerial = 0;
let firstRender = true;
let flash = null;

export const main = () => document.getElementById("main");

/** Install the route table ({path: (params) => element}), the fallback screen and the header's painter. */
export function configure(options) {
  screens = options.screens;
  notFound = options.notFound;
  header = options.header;
}

/** Changes with every render: async work started by a screen checks it before touching the page. */
export function currentSerial() {
  return renderSerial;
}

/** Run `fn` when the current screen is left (timers, intervals). */
export function onCleanup(fn) {
  cleanups.push(fn);
}

/** A message for the next screen (shown in the header's status line). */
export function setFlash(text, kind = "status") {
  flash = { text, kind };
}

export function parseHash() {
  const raw = location.hash.startsWith("#/") ? location.hash.slice(1) : "/videos";
  const [path, query = ""] = raw.split("?");
  return { path: path.replace(/\/+$/, "") || "/videos", params: new URLSearchParams(query) };
}

export function currentRoute() {
  const { path, params } = parseHash();
  const query = params.toString();
  return path + (query ? `?${query}` : "");
}

export function go(path, params = null) {
  const query = params
    ? new URLSearchParams(
        Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""),
      ).toString()
    : "";
  const hash = `#${path}${query ? `?${query}` : ""}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

/** Only same-site routes may be a "next" or "return to" target. */
export function safeRoute(route, fallback = "/videos") {
  return typeof route === "string" && /^\/[a-z/]*(\?[^#]*)?$/i.test(route) && !route.startsWith("//")
    ? route
    : fallback;
}

export function goRoute(route) {
  const [path, query = ""] = safeRoute(route).split("?");
  go(path, Object.fromEntries(new URLSearchParams(query)));
}

export function render({ keepFocus = false, restore = null } = {}) {
  cleanups.forEach((fn) => fn());
  cleanups = [];
  renderSerial += 1;
  const { path, params } = parseHash();
  const screen = screens[path] || notFound;
  header(path);
  const root = main();
  root.replaceChildren(screen(params));
  if (restore) restoreInputs(restore);
  const heading = root.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    document.title = `${heading.textContent} – ${t("siteTitle")}`;
  }
  showFlash();
  if (heading && !firstRender && !keepFocus) heading.focus();
  firstRender = false;
}

export function showFlash() {
  const box = document.getElementById("flash");
  box.replaceChildren();
  box.className = "flash";
  if (!flash) return;
  box.classList.add(flash.kind === "error" ? "flash--error" : "flash--status");
  box.append(h("p", { class: "flash__text" }, flash.text));
  flash = null;
}

export function clearFlash() {
  const box = document.getElementById("flash");
  box.replaceChildren();
  box.className = "flash";
}

// Re-render in another language without losing what was typed.
export function captureInputs() {
  const values = {};
  main()
    .querySelectorAll("input[id], select[id], textarea[id]")
    .forEach((el) => {
      values[el.id] = el.type === "checkbox" ? el.checked : el.value;
    });
  return values;
}

export function restoreInputs(values) {
  for (const [id, value] of Object.entries(values)) {
    const el = document.getElementById(id);
    if (!el) continue;
    if (el.type === "checkbox") el.checked = value;
    else el.value = value;
    el.dispatchEvent(new Event("input"));
  }
}

// The header: brand, language switch, and the menu that follows the session.

import { api, isLoggedIn } from "./api.js";
import { h } from "./dom.js";
import { errorText } from "./forms.js";
import { language, t } from "./i18n.js";
import { go, setFlash } from "./router.js";

export function renderHeader(path) {
  document.getElementById("skip-link").textContent = t("skip");
  document.getElementById("brand-name").textContent = t("brand");
  document.getElementById("brand-tagline").textContent = t("tagline");
  document.getElementById("site-nav").setAttribute("aria-label", t("navMenu"));
  const switcher = document.getElementById("language-switch");
  switcher.textContent = t("switchLanguage");
  switcher.setAttribute("lang", language() === "en" ? "fr" : "en");
  switcher.setAttribute("title", t("switchLanguageLabel"));

  const link = (route, label) =>
    h("li", {}, h("a", { href: `#${route}`, "aria-current": path === route ? "page" : null }, label));
  const items = [link("/videos", t("navVideos"))];
  if (isLoggedIn()) {
    items.push(link("/account", t("navAccount")));
    items.push(
      h("li", {}, h("button", { type: "button", class: "link-button", onclick: () => logout(false) }, t("logout"))),
    );
  } else {
    items.push(link("/login", t("navLogin")));
    items.push(link("/register", t("navRegister")));
  }
  document.getElementById("nav-list").replaceChildren(...items);
}

export async function logout(allDevices) {
  try {
    await api.logout(allDevices);
    setFlash(t(allDevices ? "loggedOutEverywhere" : "loggedOut"));
  } catch (error) {
    setFlash(`${t("loggedOut")} ${errorText(error)}`, "error");
  }
  go("/videos");
}

// "You have successfully created your account", with the newsletter offer.

import { api, isLoggedIn } from "../api.js";
import { h } from "../dom.js";
import { isLocked, lockButton, messages, screen, showError } from "../forms.js";
import { t } from "../i18n.js";
import { go, setFlash } from "../router.js";

export function welcomeScreen() {
  const msgs = messages();
  const subscribe = h("button", { type: "button", class: "button button--primary" }, t("subscribe"));
  subscribe.addEventListener("click", async () => {
    if (isLocked(subscribe)) return;
    if (!isLoggedIn()) {
      setFlash(t("loginToSubscribe"));
      go("/login", { next: "/welcome" });
      return;
    }
    lockButton(subscribe, true);
    try {
      await api.newsletter(true, "signup");
      subscribe.hidden = true;
      msgs.status(t("subscribed"));
    } catch (error) {
      lockButton(subscribe, false);
      showError(msgs, error, { buttons: [subscribe] });
    }
  });
  return screen(
    t("welcomeTitle"),
    h("p", { class: "lead" }, t("welcomeText")),
    h(
      "section",
      { class: "panel", "aria-labelledby": "newsletter-title" },
      h("h2", { id: "newsletter-title" }, t("newsletterTitle")),
      h("p", {}, t("newsletterText")),
      msgs.node,
      subscribe,
    ),
    h("p", {}, h("a", { href: "#/videos", class: "button button--secondary" }, t("browseVideos"))),
  );
}

// "Where you're signed in", a section of the account page: each live session (device, when it
// signed in, when it was last used, the address it signed in from, how), this device marked.
// "Log out" on this device's row, "Sign out" on each other one (GET/DELETE /v1/account/sessions),
// and "Log out everywhere" below the list.
//
// The list comes after the account itself, so the rest of the page never waits for it; if it
// cannot be read, the section still offers both ways to log out.

import { api, ApiError } from "../api.js";
import { h, nextId } from "../dom.js";
import { isLocked, lockButton, messages, showError } from "../forms.js";
import { logout } from "../header.js";
import { language, t } from "../i18n.js";
import { currentSerial } from "../router.js";

/** The section, filled in when the list arrives. */
export function accountSessionsSection() {
  const titleId = "account-sessions-title";
  const msgs = messages();
  const list = h("ul", { class: "sessions", "aria-labelledby": titleId, "aria-busy": "true" });
  const status = h("p", { role: "status" }, t("loading"));
  const outAll = button(t("logoutEverywhere"), () => logout(true));
  const fallback = h("div", { class: "button-row" }, outAll);
  const serial = currentSerial();

  api
    .sessions()
    .then(({ items }) => {
      if (serial !== currentSerial()) return;
      list.replaceChildren(...items.map((item) => row(item, msgs)));
      list.removeAttribute("aria-busy");
      status.remove();
      // A session a moment old may be missing from the list (it is read from an index that
      // follows the table within a second): this device's "Log out" is then below it.
      if (!items.some((item) => item.current)) fallback.prepend(logoutHere());
    })
    .catch((error) => {
      if (serial !== currentSerial()) return;
      list.remove();
      status.remove();
      // Without the list, this device's own "Log out" is here instead.
      fallback.prepend(logoutHere());
      showError(msgs, error);
    });

  return h(
    "section",
    { class: "panel", "aria-labelledby": titleId },
    h("h2", { id: titleId, tabindex: "-1" }, t("sessions.title")),
    h("p", {}, t("sessions.text")),
    msgs.node,
    status,
    list,
    fallback,
  );
}

function button(label, onclick, attrs = {}) {
  return h("button", { type: "button", class: "button button--secondary", onclick, ...attrs }, label);
}

const logoutHere = (attrs = {}) => button(t("logout"), () => logout(false), attrs);

function row(item, msgs) {
  const deviceId = nextId("session-device");
  const fact = (term, value) => [h("dt", {}, term), h("dd", {}, value)];
  const method = t(`sessions.methods.${item.method}`);
  const li = h(
    "li",
    { class: item.current ? "sessions__item sessions__item--current" : "sessions__item" },
    h(
      "h3",
      { class: "sessions__device", id: deviceId },
      item.device,
      // A space, so that a screen reader says "Firefox on Windows, This device", not one word.
      item.current ? [" ", h("span", { class: "sessions__here" }, t("sessions.thisDevice"))] : null,
    ),
    h(
      "dl",
      { class: "sessions__facts" },
      fact(t("sessions.signedIn"), formatTime(item.createdAt)),
      fact(t("sessions.lastUsed"), formatTime(item.lastUsedAt)),
      fact(t("sessions.ip"), item.ip || "–"),
      fact(t("sessions.method"), method === `sessions.methods.${item.method}` ? item.method : method),
    ),
  );
  if (item.current) {
    li.append(logoutHere({ "aria-describedby": deviceId }));
    return li;
  }
  const end = button(t("sessions.end"), null, { "aria-describedby": deviceId });
  end.addEventListener("click", async () => {
    if (isLocked(end)) return;
    lockButton(end, true);
    try {
      await api.endSession(item.id);
    } catch (error) {
      // Already ended (elsewhere, or it expired since the list was read): what was asked.
      if (!(error instanceof ApiError && error.code === "NotFound")) {
        lockButton(end, false);
        showError(msgs, error);
        return;
      }
    }
    const section = li.closest("section");
    li.remove();
    msgs.status(t("sessions.ended", { device: item.device }));
    // The button is gone: the focus goes to the section's heading, not to the page's top.
    if (section) section.querySelector("h2").focus();
  });
  li.append(end);
  return li;
}

/** A date and time, in UTC as the new-sign-in email writes it. */
export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language() === "fr" ? "fr-FR" : "en-GB", {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(date).concat(" UTC");
}

// "Your account": the address, links to change it, the password and the download history,
// language, newsletter, where you're signed in (account-sessions.js), delete.

import { api, ApiError, isLoggedIn } from "../api.js";
import { h } from "../dom.js";
import {
  focusFirstInvalid,
  formOf,
  isLocked,
  lockButton,
  loginFirst,
  messages,
  onSubmit,
  passwordField,
  requireValue,
  screen,
  setFieldError,
  showError,
  usernameField,
} from "../forms.js";
import { formatDate, setLanguage, t } from "../i18n.js";
import { currentSerial, go, render, setFlash } from "../router.js";
import { passkeysSection } from "./account-passkeys.js";
import { accountSessionsSection } from "./account-sessions.js";
import { twoStepSection } from "./account-two-step.js";

export function accountScreen() {
  if (!isLoggedIn()) return loginFirst(t("accountTitle"));
  const body = h("div", { class: "account" }, h("p", { role: "status" }, t("loading")));
  const msgs = messages();
  const serial = currentSerial();
  api
    .account()
    .then((account) => {
      if (serial === currentSerial()) body.replaceChildren(...accountSections(account));
    })
    .catch((error) => {
      if (serial !== currentSerial()) return;
      body.replaceChildren();
      showError(msgs, error);
    });
  return screen(t("accountTitle"), msgs.node, body);
}

function accountSections(account) {
  // Language
  const langMsgs = messages();
  const langId = "account-language";
  const select = h(
    "select",
    { id: langId, name: langId },
    ["en", "fr"].map((code) =>
      h(
        "option",
        { value: code, lang: code, selected: code === account.language },
        code === "en" ? "English" : "Français",
      ),
    ),
  );
  const saveLang = h("button", { type: "submit", class: "button button--secondary" }, t("save"));
  const langForm = h(
    "form",
    { class: "form form--inline", novalidate: true },
    langMsgs.node,
    h("div", { class: "field" }, h("label", { for: langId, class: "field__label" }, t("accountLanguageHelp")), select),
    h("div", { class: "form__actions" }, saveLang),
  );
  onSubmit(langForm, saveLang, async () => {
    try {
      const updated = await api.updateAccount(select.value);
      setLanguage(updated.language);
      setFlash(t("languageSaved"));
      render();
    } catch (error) {
      showError(langMsgs, error, { buttons: [saveLang] });
    }
  });

  // Newsletter
  const newsMsgs = messages();
  let subscribed = Boolean(account.newsletter && account.newsletter.subscribed);
  const newsState = h("p", {});
  const newsButton = h("button", { type: "button", class: "button button--secondary" });
  const showNews = () => {
    newsState.textContent = t(subscribed ? "newsletterOn" : "newsletterOff");
    newsButton.textContent = t(subscribed ? "unsubscribe" : "subscribe");
  };
  showNews();
  newsButton.addEventListener("click", async () => {
    if (isLocked(newsButton)) return;
    lockButton(newsButton, true);
    try {
      const state = await api.newsletter(!subscribed, "account");
      subscribed = Boolean(state.subscribed);
      showNews();
      newsMsgs.status(t(subscribed ? "subscribed" : "unsubscribed"));
      lockButton(newsButton, false);
    } catch (error) {
      lockButton(newsButton, false);
      showError(newsMsgs, error, { buttons: [newsButton] });
    }
  });

  // Delete
  const delMsgs = messages();
  const password = passwordField({
    id: "delete-password",
    label: t("password"),
    autocomplete: "current-password",
    describedBy: ["delete-text"],
  });
  const delButton = h("button", { type: "submit", class: "button button--danger" }, t("deleteSubmit"));
  const delForm = formOf(delMsgs, delButton, usernameField(account.email), password.wrapper);
  onSubmit(delForm, delButton, async () => {
    delMsgs.clear();
    if (!requireValue(password, t("fields.password"))) return focusFirstInvalid(delForm);
    try {
      await api.deleteAccount(password.input.value);
      setFlash(t("deleted"));
      go("/videos");
    } catch (error) {
      if (error instanceof ApiError && error.code === "WrongPassword") setFieldError(password, true);
      showError(delMsgs, error, { buttons: [delButton] });
    }
  });

  const section = (id, title, ...children) =>
    h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), ...children);
  return [
    h("dl", { class: "facts" }, h("dt", {}, t("accountEmail")), h("dd", { class: "facts__email" }, account.email)),
    h("p", { class: "facts__since" }, t("accountSince", { date: formatDate(account.createdAt) })),
    section(
      "account-access-title",
      t("accessSection"),
      h(
        "ul",
        { class: "links" },
        h("li", {}, h("a", { href: "#/account/password" }, t("changePasswordTitle"))),
        h("li", {}, h("a", { href: "#/account/email" }, t("changeEmailTitle"))),
        h("li", {}, h("a", { href: "#/account/downloads" }, t("downloadsTitle"))),
      ),
    ),
    twoStepSection(account),
    passkeysSection(account),
    section("account-language-title", t("accountLanguage"), langForm),
    section("account-newsletter-title", t("newsletterSection"), newsState, newsMsgs.node, newsButton),
    accountSessionsSection(),
    section("account-delete-title", t("deleteSection"), h("p", { id: "delete-text" }, t("deleteText")), delForm),
  ];
}

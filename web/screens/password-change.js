// "Change password": the current one and a new one (with the live checklist). The API ends the
// account's other sessions; this one stays.

import { api, ApiError, isLoggedIn } from "../api.js";
import { passwordChecklist } from "../checklist.js";
import { h } from "../dom.js";
import {
  focusFirstInvalid,
  formOf,
  loginFirst,
  messages,
  onSubmit,
  passwordField,
  requireValue,
  screen,
  setFieldError,
  showError,
  showPasswordRefused,
  usernameField,
} from "../forms.js";
import { t } from "../i18n.js";
import { currentSerial, go, setFlash } from "../router.js";

export function passwordChangeScreen() {
  if (!isLoggedIn()) return loginFirst(t("changePasswordTitle"));
  const msgs = messages();
  const current = passwordField({ id: "current-password", label: t("currentPassword"), autocomplete: "current-password" });
  const fresh = passwordField({
    id: "changed-password",
    label: t("newPassword"),
    autocomplete: "new-password",
    hint: t("passwordRules"),
  });
  let email = "";
  const username = usernameField("");
  const checklist = passwordChecklist(fresh.input, () => email);
  fresh.input.setAttribute("aria-describedby", `${fresh.input.getAttribute("aria-describedby")} ${checklist.id}`);
  // The address: for the checklist's "first part of your email address" and for password managers.
  const serial = currentSerial();
  api
    .account()
    .then((account) => {
      if (serial !== currentSerial()) return;
      email = account.email;
      username.value = email;
      checklist.update();
    })
    .catch(() => {
      // The API still checks that rule when the form is sent.
    });
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("changePasswordSubmit"));
  const form = formOf(msgs, submit, username, current.wrapper, fresh.wrapper, checklist.node);
  onSubmit(form, submit, async () => {
    msgs.clear();
    const ok = requireValue(current, t("fields.currentPassword")) & requireValue(fresh, t("fields.newPassword"));
    if (!ok) return focusFirstInvalid(form);
    const secret = fresh.input.value;
    try {
      await api.changePassword(current.input.value, secret);
      setFlash(t("passwordChanged"));
      go("/account");
    } catch (error) {
      if (error instanceof ApiError && error.code === "InvalidPassword") {
        showPasswordRefused(msgs, fresh, checklist, secret, error);
        return;
      }
      if (error instanceof ApiError && error.code === "WrongPassword") setFieldError(current, true);
      showError(msgs, error, { fields: { currentPassword: current, newPassword: fresh }, buttons: [submit] });
      if (error instanceof ApiError && error.code === "WrongPassword") current.input.focus();
    }
  });
  return screen(t("changePasswordTitle"), form, backToAccount());
}

export function backToAccount() {
  return h("p", { class: "aside" }, h("a", { href: "#/account" }, t("backToAccount")));
}

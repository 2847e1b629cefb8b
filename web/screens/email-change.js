// "Change email address": the new address and the password; then the code sent to the new
// address (screens/code.js, flow "email"). Until the code is entered, the account keeps its
// address.

import { api, ApiError, isLoggedIn } from "../api.js";
import { h } from "../dom.js";
import {
  field,
  focusFirstInvalid,
  formOf,
  loginFirst,
  messages,
  onSubmit,
  passwordField,
  requireValue,
  screen,
  sendLimitText,
  setFieldError,
  showError,
  validEmail,
} from "../forms.js";
import { t } from "../i18n.js";
import { go } from "../router.js";
import { loadFlow, memory, startCodeFlow } from "../session.js";
import { backToAccount } from "./password-change.js";

export function emailChangeScreen() {
  if (!isLoggedIn()) return loginFirst(t("changeEmailTitle"));
  const msgs = messages();
  // Back from "Wrong address? Change it", the address typed last time, to correct.
  const pending = loadFlow();
  const email = field({
    id: "new-email",
    label: t("newEmail"),
    type: "email",
    autocomplete: "email",
    value: pending && pending.kind === "email" ? pending.email : "",
  });
  const password = passwordField({ id: "email-password", label: t("password"), autocomplete: "current-password" });
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("changeEmailSubmit"));
  const form = formOf(msgs, submit, email.wrapper, password.wrapper);
  onSubmit(form, submit, async () => {
    msgs.clear();
    const ok = validEmail(email) & requireValue(password, t("fields.password"));
    if (!ok) return focusFirstInvalid(form);
    const address = email.input.value.trim();
    const secret = password.input.value;
    try {
      const delivery = await api.changeEmail(address, secret);
      memory.lastEmail = address;
      // Kept in memory only, for "Send new Code" (the API asks for the password again).
      memory.emailChangePassword = secret;
      startCodeFlow("email", address, delivery);
      go("/account/email/code");
    } catch (error) {
      if (error instanceof ApiError && error.code === "WrongPassword") setFieldError(password, true);
      showError(msgs, error, {
        fields: { newEmail: email, password },
        buttons: [submit],
        overrides: { LimitExceeded: sendLimitText(error) },
      });
    }
  });
  return screen(t("changeEmailTitle"), h("p", {}, t("changeEmailText")), form, backToAccount());
}

// "Reset password": the address, the code (screens/code.js), "Create a new password", done.

import { api, ApiError } from "../api.js";
import { passwordChecklist } from "../checklist.js";
import { h, nextId } from "../dom.js";
import {
  codeIsDead,
  emailField,
  errorText,
  focusFirstInvalid,
  formOf,
  messages,
  onSubmit,
  passwordField,
  requireValue,
  screen,
  sendLimitText,
  showError,
  showPasswordRefused,
  usernameField,
  validEmail,
} from "../forms.js";
import { t } from "../i18n.js";
import { go, safeRoute } from "../router.js";
import { loadFlow, memory, saveFlow, startCodeFlow } from "../session.js";
import { codeScreen } from "./code.js";

export function resetScreen(params) {
  const returnTo = safeRoute(params.get("from"));
  const msgs = messages();
  const email = emailField("reset-email", "username");
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("resetSubmit"));
  const form = formOf(msgs, submit, email.wrapper);
  onSubmit(form, submit, async () => {
    msgs.clear();
    if (!validEmail(email)) return focusFirstInvalid(form);
    const address = email.input.value.trim();
    try {
      const delivery = await api.forgot(address);
      memory.lastEmail = address;
      memory.resetCode = null;
      startCodeFlow("reset", address, delivery, { returnTo });
      go("/reset/code");
    } catch (error) {
      showError(msgs, error, { fields: { email }, buttons: [submit], overrides: { LimitExceeded: sendLimitText(error) } });
    }
  });
  return screen(t("resetTitle"), h("p", {}, t("resetText")), form);
}

export function newPasswordScreen() {
  const flow = loadFlow();
  if (!flow || flow.kind !== "reset" || !memory.resetCode) return codeScreen("reset");
  const msgs = messages();
  const rulesId = nextId("password-policy");
  const password = passwordField({
    id: "new-password",
    label: t("newPassword"),
    autocomplete: "new-password",
    describedBy: [rulesId],
  });
  const checklist = passwordChecklist(password.input, () => flow.email);
  password.input.setAttribute("aria-describedby", `${rulesId} ${checklist.id}`);
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("newPasswordSubmit"));
  const form = formOf(msgs, submit, usernameField(flow.email), password.wrapper, checklist.node);
  onSubmit(form, submit, async () => {
    msgs.clear();
    if (!requireValue(password, t("fields.newPassword"))) return focusFirstInvalid(form);
    const secret = password.input.value;
    try {
      await api.reset(flow.email, memory.resetCode, secret);
      memory.resetCode = null;
      memory.lastEmail = flow.email;
      saveFlow({ kind: "reset-done", returnTo: flow.returnTo });
      go("/reset/done");
    } catch (error) {
      if (error instanceof ApiError && error.code === "InvalidPassword") {
        showPasswordRefused(msgs, password, checklist, secret, error);
      } else if (error instanceof ApiError && ["CodeMismatch", "ExpiredCode", "TooManyFailedAttempts"].includes(error.code)) {
        memory.resetCode = null;
        saveFlow({ ...flow, codeError: errorText(error), codeDead: codeIsDead(error) });
        go("/reset/code");
      } else {
        showError(msgs, error, { fields: { newPassword: password }, buttons: [submit] });
      }
    }
  });
  return screen(t("newPasswordTitle"), h("p", { id: rulesId }, t("passwordRules")), form);
}

export function resetDoneScreen() {
  const flow = loadFlow();
  const returnTo = safeRoute(flow && flow.returnTo);
  const back = h("button", { type: "button", class: "button button--primary" }, t("updatedButton"));
  back.addEventListener("click", () => {
    saveFlow(null);
    go("/login", { next: returnTo });
  });
  return screen(t("updatedTitle"), h("p", {}, t("updatedText")), back);
}

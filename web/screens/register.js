// "Create an account".

import { api, ApiError } from "../api.js";
import { passwordChecklist } from "../checklist.js";
import { h } from "../dom.js";
import {
  emailField,
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
  validEmail,
} from "../forms.js";
import { language, t } from "../i18n.js";
import { go } from "../router.js";
import { memory, startCodeFlow } from "../session.js";

export function registerScreen() {
  const msgs = messages();
  const email = emailField("register-email", "email");
  const password = passwordField({
    id: "register-password",
    label: t("password"),
    autocomplete: "new-password",
    hint: t("passwordRules"),
    // Back from "Wrong address? Change it": only the address needs retyping.
    value: memory.signupPassword || "",
  });
  const checklist = passwordChecklist(password.input, () => email.input.value);
  password.input.setAttribute("aria-describedby", `${password.input.getAttribute("aria-describedby")} ${checklist.id}`);
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("registerSubmit"));
  // The send limits are per address: a wait for one address does not hold another.
  let waitingFor = null;
  email.input.addEventListener("input", () => {
    checklist.update();
    if (waitingFor && sameAddress(email.input.value, waitingFor.address)) {
      const left = (waitingFor.until - Date.now()) / 1000;
      if (left > 0) waitingFor.show(left);
    } else if (waitingFor) {
      msgs.stopWait([submit]);
      msgs.clear();
    }
  });
  const form = formOf(msgs, submit, email.wrapper, password.wrapper, checklist.node);
  onSubmit(form, submit, async () => {
    msgs.clear();
    const ok = validEmail(email) & requireValue(password, t("fields.password"));
    if (!ok) return focusFirstInvalid(form);
    const address = email.input.value.trim();
    const secret = password.input.value;
    try {
      const delivery = await api.register(address, secret, language());
      memory.lastEmail = address;
      memory.signupPassword = secret;
      startCodeFlow("signup", address, delivery);
      go("/verify");
    } catch (error) {
      if (error instanceof ApiError && error.code === "InvalidPassword") {
        showPasswordRefused(msgs, password, checklist, secret, error);
        return;
      }
      if (error instanceof ApiError && error.code === "LimitExceeded" && error.retryAfter) {
        // A code went to this address a moment ago (a lost code screen, a second try): the way
        // on is that code, not another one. Every address gets this answer, account or not.
        waitingFor = { address, until: Date.now() + error.retryAfter * 1000 };
        const enter = h("button", { type: "button", class: "button button--secondary" }, t("enterCodeInstead"));
        enter.addEventListener("click", () => {
          memory.lastEmail = address;
          memory.signupPassword = secret;
          startCodeFlow("signup", address, null, { waitSeconds: (waitingFor.until - Date.now()) / 1000 });
          go("/verify");
        });
        waitingFor.show = (seconds) => {
          msgs.error(sendLimitText(error), enter);
          msgs.wait(seconds, [submit]);
        };
        waitingFor.show(error.retryAfter);
        return;
      }
      showError(msgs, error, { fields: { email, password }, buttons: [submit] });
    }
  });
  return screen(
    t("registerTitle"),
    form,
    h("p", { class: "aside" }, t("haveAccount"), " ", h("a", { href: "#/login" }, t("loginTitle"))),
  );
}

const sameAddress = (a, b) => a.trim().toLowerCase() === b.trim().toLowerCase();

// "Create an account".

import { api, ApiError } from "../api.js";
import { passwordChecklist } from "../checklist.js";
import { h } from "../dom.js";
import {
  emailField,
  focusFirstInvalid,
  formOf,
  onSubmit,
  passwordField,
  requireValue,
  screen,
  setFieldError,
  showError,
  validEmail,
  messages,
} from "../forms.js";
import { language, t } from "../i18n.js";
import { go } from "../router.js";
import { memory, RESEND_INTERVAL_SECONDS, saveFlow } from "../session.js";

export function registerScreen() {
  const msgs = messages();
  const email = emailField("register-email", "email");
  const password = passwordField({
    id: "register-password",
    label: t("password"),
    autocomplete: "new-password",
    hint: t("passwordRules"),
  });
  const checklist = passwordChecklist(password.input, () => email.input.value);
  password.input.setAttribute("aria-describedby", `${password.input.getAttribute("aria-describedby")} ${checklist.id}`);
  email.input.addEventListener("input", checklist.update);
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("registerSubmit"));
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
      saveFlow({
        kind: "signup",
        email: address,
        destination: delivery.destination,
        codeExpiresIn: delivery.codeExpiresIn,
        nextSendAt: Date.now() + RESEND_INTERVAL_SECONDS * 1000,
      });
      go("/verify");
    } catch (error) {
      if (error instanceof ApiError && error.code === "InvalidPassword") {
        checklist.judged(secret, error.failedRules);
        setFieldError(password, true);
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

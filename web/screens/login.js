// "Log in".

import { api, ApiError } from "../api.js";
import { h } from "../dom.js";
import {
  emailField,
  errorText,
  focusFirstInvalid,
  formOf,
  messages,
  onSubmit,
  passwordField,
  requireValue,
  screen,
  showError,
  validEmail,
} from "../forms.js";
import { t } from "../i18n.js";
import { alignLanguageAfterLogin } from "../preferences.js";
import { go, goRoute, safeRoute, setFlash } from "../router.js";
import { memory, startCodeFlow } from "../session.js";
import { passkeySignIn } from "./login-passkey.js";
import { startTwoStepSignIn } from "./login-two-step.js";

/** Logged in (by the password, or by its second step): the account's language, and on to `next`. */
export async function loggedIn(address, next) {
  await alignLanguageAfterLogin();
  memory.lastEmail = address;
  setFlash(t("loggedIn"));
  goRoute(next);
}

export function loginScreen(params) {
  const next = safeRoute(params.get("next"));
  const msgs = messages();
  const email = emailField("login-email", "username webauthn"); // webauthn: passkeys in its autofill
  const password = passwordField({ id: "login-password", label: t("password"), autocomplete: "current-password" });
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("loginSubmit"));
  const form = formOf(msgs, submit, email.wrapper, password.wrapper);
  onSubmit(form, submit, async () => {
    msgs.clear();
    const ok = validEmail(email) & requireValue(password, t("fields.password"));
    if (!ok) return focusFirstInvalid(form);
    const address = email.input.value.trim();
    try {
      const challenge = await api.login(address, password.input.value);
      if (challenge) return startTwoStepSignIn(challenge, address, next); // the app's code, next screen
      await loggedIn(address, next);
    } catch (error) {
      if (error instanceof ApiError && error.code === "UserNotConfirmed") {
        // Finish the sign-up: the code screen, with "Send new Code" available at once.
        const secret = password.input.value;
        const verify = h("button", { type: "button", class: "button button--secondary" }, t("enterCodeInstead"));
        verify.addEventListener("click", () => {
          memory.signupPassword = secret;
          memory.lastEmail = address;
          startCodeFlow("signup", address, null, { waitSeconds: 0 });
          go("/verify");
        });
        msgs.error(errorText(error), verify);
        return;
      }
      if (error instanceof ApiError && error.code === "PasswordResetRequired") {
        memory.lastEmail = address;
        const href = `#/reset?${new URLSearchParams({ from: next })}`;
        const reset = h("a", { href, class: "button button--secondary" }, t("resetTitle"));
        msgs.error(errorText(error), reset);
        return;
      }
      showError(msgs, error, { fields: { email, password }, buttons: [submit] });
    }
  });
  return screen(
    t("loginTitle"),
    form,
    passkeySignIn({ form, msgs, next }),
    h("p", { class: "aside" }, h("a", { href: `#/reset?${new URLSearchParams({ from: next })}` }, t("forgotPassword"))),
    h("p", { class: "aside" }, t("noAccount"), " ", h("a", { href: "#/register" }, t("registerTitle"))),
  );
}

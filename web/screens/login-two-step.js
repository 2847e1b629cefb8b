// "Two-step verification" at sign-in: after the right password, an account with two-step on
// answers a challenge instead of tokens; this screen asks for the app's code (or, with the
// switch, a recovery code) and sends it with the challenge's session.
//
// The challenge lives in this module's memory only: it is worth nothing without a code, but a
// reload, or five minutes, sends the person back to the password (the API says ExpiredCode).

import { ApiError, twoStepApi } from "../api.js";
import { h } from "../dom.js";
import { focusFirstInvalid, formOf, messages, onSubmit, screen, setFieldError, showError } from "../forms.js";
import { plural, t } from "../i18n.js";
import { go, safeRoute, setFlash } from "../router.js";
import { twoStepCodeField } from "./account-two-step.js";
import { loggedIn } from "./login.js";

const APP_CODE = /^[0-9]{6}$/;
let pending = null; // {session, email}

/** The password was right and two-step is on: the second step, then on to `next`. */
export function startTwoStepSignIn(challenge, email, next) {
  pending = { session: challenge.session, email };
  go("/login/two-step", { next });
}

/** Back to the password step, saying why (the challenge expired, or its last try is spent). */
function backToPassword(next, key) {
  pending = null;
  setFlash(t(key), "error");
  go("/login", { next });
}

export function twoStepSignInScreen(params) {
  const next = safeRoute(params.get("next"));
  if (!pending) {
    queueMicrotask(() => backToPassword(next, "twoStep.expired"));
    return screen(t("twoStep.signInTitle"), h("p", {}, t("twoStep.expired")));
  }
  const challenge = pending;
  const msgs = messages();
  let recovery = false;
  let code = null;
  const intro = h("p", { id: "two-step-sign-in-text" });
  const slot = h("div", {});
  const toggle = h("button", { type: "button", class: "button button--secondary" });
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("loginSubmit"));

  const showMode = () => {
    intro.textContent = t(recovery ? "twoStep.recoveryText" : "twoStep.signInText");
    toggle.textContent = t(recovery ? "twoStep.useApp" : "twoStep.useRecovery");
    const id = recovery ? "two-step-recovery-code" : "two-step-app-code";
    code = twoStepCodeField(id, recovery ? "recovery" : "app", ["two-step-sign-in-text"]);
    slot.replaceChildren(code.wrapper);
  };
  showMode();
  toggle.addEventListener("click", () => {
    recovery = !recovery;
    msgs.clear();
    showMode();
    code.input.focus();
  });

  const form = formOf(msgs, submit, intro, slot, h("p", { class: "two-step__switch" }, toggle));
  onSubmit(form, submit, async () => {
    msgs.clear();
    const typed = code.input.value.trim();
    const ok = recovery ? typed.length > 0 : APP_CODE.test(typed);
    setFieldError(code, ok ? null : t(recovery ? "twoStep.fieldRecoveryCode" : "twoStep.fieldAppCode"));
    if (!ok) return focusFirstInvalid(form);
    try {
      await twoStepApi.signIn(challenge.session, recovery ? { recoveryCode: typed } : { code: typed });
      pending = null;
      await loggedIn(challenge.email, next);
    } catch (error) {
      if (error instanceof ApiError && error.code === "ExpiredCode") return backToPassword(next, "twoStep.expired");
      if (error instanceof ApiError && error.code === "CodeMismatch") {
        if (error.attemptsRemaining === 0) return backToPassword(next, "twoStep.lastTry");
        const left = error.attemptsRemaining ? ` ${plural("attemptsLeft", error.attemptsRemaining)}` : "";
        msgs.error(`${t("twoStep.wrongCode")}${left}`);
        setFieldError(code, true);
        code.input.focus();
        return;
      }
      showError(msgs, error, { buttons: [submit] });
    }
  });
  return screen(t("twoStep.signInTitle"), form);
}

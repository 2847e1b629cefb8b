// "Check your inbox and enter verification code", for sign-up and for a reset.

import { api, ApiError } from "../api.js";
import { h, nextId } from "../dom.js";
import {
  errorText,
  field,
  focusFirstInvalid,
  formOf,
  isLocked,
  lockButton,
  messages,
  onSubmit,
  screen,
  setFieldError,
  showError,
} from "../forms.js";
import { formatCountdown, t } from "../i18n.js";
import { go, onCleanup } from "../router.js";
import { loadFlow, memory, RESEND_INTERVAL_SECONDS, saveFlow } from "../session.js";

/** "Check your inbox and enter verification code", for sign-up and for a reset. */
export function codeScreen(kind) {
  const flow = loadFlow();
  if (!flow || flow.kind !== kind) {
    return screen(
      t("verifyTitle"),
      h("p", {}, t("noPending")),
      h(
        "ul",
        { class: "links" },
        h("li", {}, h("a", { href: "#/register" }, t("registerTitle"))),
        h("li", {}, h("a", { href: "#/reset" }, t("resetTitle"))),
      ),
    );
  }
  const msgs = messages();
  const code = field({
    id: `${kind}-code`,
    label: t("verifyCode"),
    hint: t("verifyCodeHint"),
    autocomplete: "one-time-code",
    inputmode: "numeric",
    maxlength: 6,
    extra: { pattern: "[0-9]{6}", class: "field__input--code" },
  });
  const submit = h(
    "button",
    { type: "submit", class: "button button--primary" },
    t(kind === "signup" ? "verifySubmit" : "resetCodeSubmit"),
  );
  const minutes = Math.round((flow.codeExpiresIn || 1800) / 60);
  const form = formOf(msgs, submit, code.wrapper);

  // "Didn't receive a code? Send new Code", waiting out the resend limit with a visible countdown.
  const resendMsgs = messages();
  const countdownId = nextId("resend-countdown");
  const resend = h(
    "button",
    { type: "button", class: "button button--secondary", "aria-describedby": countdownId },
    t("sendNewCode"),
  );
  const countdown = h("p", { class: "resend__countdown", id: countdownId, role: "timer", "aria-live": "off" });
  let interval = null;
  const tick = () => {
    const left = ((loadFlow() || flow).nextSendAt - Date.now()) / 1000;
    if (left > 0) {
      lockButton(resend, true);
      countdown.hidden = false;
      countdown.textContent = t("newCodeIn", { time: formatCountdown(left) });
    } else {
      lockButton(resend, false);
      countdown.hidden = true;
      countdown.textContent = "";
      clearInterval(interval);
      interval = null;
    }
  };
  const startCountdown = () => {
    if (!interval) interval = setInterval(tick, 250);
    tick();
  };
  onCleanup(() => clearInterval(interval));
  startCountdown();
  resend.addEventListener("click", async () => {
    if (isLocked(resend)) return;
    lockButton(resend, true);
    resendMsgs.clear();
    try {
      const delivery = kind === "signup" ? await api.resend(flow.email) : await api.forgot(flow.email);
      const updated = {
        ...(loadFlow() || flow),
        destination: delivery.destination,
        codeExpiresIn: delivery.codeExpiresIn,
        nextSendAt: Date.now() + RESEND_INTERVAL_SECONDS * 1000,
      };
      saveFlow(updated);
      resendMsgs.status(t("newCodeSent"));
    } catch (error) {
      if (error instanceof ApiError && error.retryAfter)
        saveFlow({ ...(loadFlow() || flow), nextSendAt: Date.now() + error.retryAfter * 1000 });
      resendMsgs.error(errorText(error));
    }
    startCountdown();
  });

  onSubmit(form, submit, async () => {
    msgs.clear();
    const value = code.input.value.replace(/\s+/g, "");
    const ok = /^\d{6}$/.test(value);
    setFieldError(code, ok ? null : t("fields.code"));
    if (!ok) return focusFirstInvalid(form);
    if (kind === "reset") {
      memory.resetCode = value;
      go("/reset/new");
      return;
    }
    try {
      await api.verify(flow.email, value);
      saveFlow(null);
      memory.lastEmail = flow.email;
      if (memory.signupPassword) {
        try {
          await api.login(flow.email, memory.signupPassword);
        } catch {
          // Logging in is a convenience here; the welcome screen offers it otherwise.
        }
      }
      memory.signupPassword = null;
      go("/welcome");
    } catch (error) {
      if (error instanceof ApiError && ["CodeMismatch", "ExpiredCode", "TooManyFailedAttempts"].includes(error.code))
        setFieldError(code, true);
      showError(msgs, error, { fields: { code }, buttons: [submit] });
    }
  });

  // A reset code the API refused comes back here with its message.
  if (kind === "reset" && flow.codeError) {
    const text = flow.codeError;
    saveFlow({ ...flow, codeError: null });
    queueMicrotask(() => {
      msgs.error(text, h("p", {}, t("codeAgain")));
      setFieldError(code, true);
    });
  }

  return screen(
    t("verifyTitle"),
    h("p", {}, t("verifySent"), " ", flow.destination ? t("verifySentTo", { destination: flow.destination }) : null),
    h("p", {}, t(kind === "signup" ? "verifyEnterSignup" : "verifyEnterReset"), " ", t("verifyExpires", { minutes })),
    form,
    h(
      "div",
      { class: "resend" },
      h("p", { class: "resend__text" }, t("noCode"), " ", resend),
      countdown,
      resendMsgs.node,
    ),
  );
}

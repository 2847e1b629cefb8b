// "Check your inbox and enter verification code": the one code screen of every code flow
// (sign-up, reset, email change). What differs per flow is in FLOWS.

import { api, ApiError } from "../api.js";
import { h, nextId } from "../dom.js";
import {
  codeIsDead,
  errorText,
  field,
  focusFirstInvalid,
  formOf,
  isLocked,
  lockButton,
  messages,
  onSubmit,
  screen,
  sendLimitText,
  setFieldError,
  showError,
} from "../forms.js";
import { formatCountdown, t } from "../i18n.js";
import { go, onCleanup, setFlash } from "../router.js";
import { loadFlow, memory, RESEND_INTERVAL_SECONDS, saveFlow } from "../session.js";

// Per flow: the submit's words, the sentence under the title, where "Change it" leads, how a new
// code is asked for, and what a well-formed code does.
const FLOWS = {
  signup: {
    submit: "verifySubmit",
    enter: "verifyEnterSignup",
    changeRoute: "/register",
    resend: (flow) => api.resend(flow.email),
    async confirm(flow, value) {
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
    },
  },
  reset: {
    submit: "resetCodeSubmit",
    enter: "verifyEnterReset",
    changeRoute: "/reset",
    resend: (flow) => api.forgot(flow.email),
    // The API judges a reset code together with the new password, on the next screen.
    confirm(flow, value) {
      memory.resetCode = value;
      go("/reset/new");
    },
  },
  email: {
    submit: "verifySubmit",
    enter: "verifyEnterEmail",
    changeRoute: "/account/email",
    // Asking again needs the password; it is kept in memory only, so after a reload the person
    // goes back to the form.
    resend(flow) {
      if (!memory.emailChangePassword) {
        go("/account/email");
        return null;
      }
      return api.changeEmail(flow.email, memory.emailChangePassword);
    },
    async confirm(flow, value) {
      await api.verifyEmailChange(value);
      saveFlow(null);
      memory.emailChangePassword = null;
      setFlash(t("emailChanged", { email: flow.email }));
      go("/account");
    },
  },
};

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
  const spec = FLOWS[kind];
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
  // Digits only: a letter typed or pasted by mistake never reaches the API as a "wrong code".
  code.input.addEventListener("input", () => {
    const digits = code.input.value.replace(/\D+/g, "").slice(0, 6);
    if (digits !== code.input.value) code.input.value = digits;
  });
  const submit = h("button", { type: "submit", class: "button button--primary" }, t(spec.submit));
  const minutes = Math.round((flow.codeExpiresIn || 1800) / 60);
  const form = formOf(msgs, submit, code.wrapper);

  // A dead code (last try spent, expired, too many wrong ones): say so, keep the form from
  // sending it again, and take the person to "Send new Code".
  const codeDied = (text) => {
    msgs.error(text);
    setFieldError(code, true);
    lockButton(submit, true);
    resend.focus();
  };

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
      const delivery = await spec.resend(flow);
      if (!delivery) return;
      saveFlow({
        ...(loadFlow() || flow),
        destination: delivery.destination,
        codeExpiresIn: delivery.codeExpiresIn,
        nextSendAt: Date.now() + RESEND_INTERVAL_SECONDS * 1000,
        codeError: null,
      });
      // A new code: what was typed for the old one, and what was said about it, are gone.
      code.input.value = "";
      setFieldError(code, null);
      msgs.clear();
      lockButton(submit, false);
      resendMsgs.status(t("newCodeSent"));
    } catch (error) {
      if (error instanceof ApiError && error.retryAfter)
        saveFlow({ ...(loadFlow() || flow), nextSendAt: Date.now() + error.retryAfter * 1000 });
      if (error instanceof ApiError && error.code === "WrongPassword") {
        go(spec.changeRoute);
        return;
      }
      resendMsgs.error(sendLimitText(error));
    }
    startCountdown();
  });

  onSubmit(form, submit, async () => {
    msgs.clear();
    const value = code.input.value.replace(/\s+/g, "");
    const ok = /^\d{6}$/.test(value);
    setFieldError(code, ok ? null : t("fields.code"));
    if (!ok) return focusFirstInvalid(form);
    try {
      await spec.confirm(flow, value);
    } catch (error) {
      if (codeIsDead(error)) return codeDied(errorText(error));
      if (error instanceof ApiError && error.code === "CodeMismatch") setFieldError(code, true);
      showError(msgs, error, { fields: { code }, buttons: [submit] });
    }
  });

  // A reset code the API refused comes back here with its message.
  if (kind === "reset" && flow.codeError) {
    const { codeError: text, codeDead: dead } = flow;
    saveFlow({ ...flow, codeError: null, codeDead: false });
    queueMicrotask(() => {
      if (dead) return codeDied(text);
      msgs.error(text, h("p", {}, t("codeAgain")));
      setFieldError(code, true);
    });
  }

  // The whole address: the person's own, and a typo in it is the likeliest reason no code comes.
  const change = h("a", { href: `#${spec.changeRoute}` }, t("changeAddress"));
  change.addEventListener("click", () => {
    memory.lastEmail = flow.email;
  });
  return screen(
    t("verifyTitle"),
    h("p", {}, t("verifySent"), " ", t("verifySentTo", { destination: flow.email })),
    h("p", { class: "aside" }, t("wrongAddress"), " ", change),
    h("p", {}, t(spec.enter), " ", t("verifyExpires", { minutes })),
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

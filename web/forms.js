// Shared form, field and message helpers: every screen builds its forms from these, so labels,
// errors, countdowns and busy states behave the same everywhere.
//
// Accessibility rules every screen follows: each has one <h1> that takes the focus when the
// screen opens; every input has a <label>; a form's errors go to a role="alert" area inside it
// and mark the fields with aria-invalid + aria-describedby; statuses go to role="status" areas;
// countdowns are role="timer" (not read out every second); buttons that must wait stay
// focusable (aria-disabled) so keyboard users do not lose their place.

import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { formatCountdown, language, plural, t } from "./i18n.js";
import { currentRoute, currentSerial, go, onCleanup, setFlash } from "./router.js";
import { memory, RESEND_INTERVAL_SECONDS } from "./session.js";

export function field({
  id,
  label,
  type = "text",
  autocomplete,
  hint,
  inputmode,
  maxlength,
  value = "",
  describedBy = [],
  required = true,
  extra = {},
}) {
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const input = h("input", {
    id,
    name: id,
    type,
    autocomplete,
    inputmode,
    maxlength,
    required,
    spellcheck: type === "text" || type === "search" ? "false" : null,
    autocapitalize: type === "email" || type === "password" ? "none" : null,
    "aria-describedby": [hintId, ...describedBy].filter(Boolean).join(" ") || null,
    ...extra,
  });
  input.value = value;
  const error = h("p", { class: "field__error", id: errorId, hidden: true });
  const wrapper = h(
    "div",
    { class: "field" },
    h("label", { for: id, class: "field__label" }, label),
    hint ? h("p", { class: "field__hint", id: hintId }, hint) : null,
    input,
    error,
  );
  return { wrapper, input, error };
}

/** A password input with a show/hide toggle. */
export function passwordField(options) {
  const f = field({ ...options, type: "password" });
  const toggle = h(
    "button",
    { type: "button", class: "toggle-password", "aria-controls": options.id, "aria-pressed": "false" },
    t("showPassword"),
  );
  toggle.addEventListener("click", () => {
    const shown = f.input.type === "text";
    f.input.type = shown ? "password" : "text";
    toggle.setAttribute("aria-pressed", String(!shown));
    toggle.textContent = t(shown ? "showPassword" : "hidePassword");
  });
  f.input.after(toggle);
  f.input.classList.add("field__input--password");
  return f;
}

/** Mark a field: with a message under it, or (message === true) invalid, the form's alert saying why. */
export function setFieldError(f, message) {
  const text = typeof message === "string" ? message : "";
  f.error.textContent = text;
  f.error.hidden = !text;
  const ids = new Set((f.input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
  if (message) {
    f.input.setAttribute("aria-invalid", "true");
    if (text) ids.add(f.error.id);
    else ids.delete(f.error.id);
  } else {
    f.input.removeAttribute("aria-invalid");
    ids.delete(f.error.id);
  }
  if (ids.size) f.input.setAttribute("aria-describedby", [...ids].join(" "));
  else f.input.removeAttribute("aria-describedby");
}

/**
 * A form's message area: an alert for errors, a status line for news, and a timer while the API
 * asks to wait (Retry-After). `lock` names the buttons that wait with it.
 */
export function messages() {
  const alert = h("div", { class: "message message--error", role: "alert", "aria-atomic": "true" });
  const status = h("div", { class: "message message--status", role: "status", "aria-atomic": "true" });
  const timer = h("p", { class: "message__timer", role: "timer", "aria-live": "off", hidden: true });
  const node = h("div", { class: "messages" }, alert, timer, status);
  let interval = null;
  const stop = () => {
    if (interval) clearInterval(interval);
    interval = null;
  };
  onCleanup(stop);
  return {
    node,
    clear() {
      alert.replaceChildren();
      status.replaceChildren();
    },
    error(text, ...more) {
      status.replaceChildren();
      alert.replaceChildren(h("p", {}, text), ...more);
    },
    status(text, ...more) {
      alert.replaceChildren();
      status.replaceChildren(h("p", {}, text), ...more);
    },
    /** End a countdown early (what it waited for no longer applies): the buttons may be pressed. */
    stopWait(buttons = []) {
      stop();
      timer.hidden = true;
      buttons.forEach((b) => lockButton(b, false));
    },
    /** Count down `seconds`, with `buttons` waiting; `onDone` runs when they may be pressed again. */
    wait(seconds, buttons = [], onDone = null) {
      stop();
      const until = Date.now() + seconds * 1000;
      buttons.forEach((b) => lockButton(b, true));
      const tick = () => {
        const left = (until - Date.now()) / 1000;
        if (left <= 0) {
          stop();
          timer.hidden = true;
          buttons.forEach((b) => lockButton(b, false));
          if (onDone) onDone();
          else if (alert.textContent) status.replaceChildren(h("p", {}, t("retryNow")));
          return;
        }
        timer.hidden = false;
        timer.textContent = t("retryIn", { time: formatCountdown(left) });
      };
      tick();
      interval = setInterval(tick, 250);
    },
  };
}

export function lockButton(button, locked) {
  if (locked) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
}

export const isLocked = (button) => button.getAttribute("aria-disabled") === "true";

/** The person's words for an API error (or a network failure). */
export function errorText(error, overrides = {}) {
  const code = error instanceof ApiError ? error.code : "InternalError";
  if (overrides[code]) return overrides[code];
  const known = t(`errors.${code}`);
  let text = known === `errors.${code}` ? t("errors.InternalError") : known;
  // The last try spent: the code is dead, and saying "0 attempts left" would not say what to do.
  if (code === "CodeMismatch" && error.attemptsRemaining === 0) return t("errors.CodeUsedUp");
  if (code === "CodeMismatch" && error.attemptsRemaining !== null)
    text += ` ${plural("attemptsLeft", error.attemptsRemaining)}`;
  // The rules a refused password broke say more than the whole policy again.
  if (code === "InvalidPassword" && error.failedRules.length) {
    const names = error.failedRules.map((rule) => {
      const name = t(`rules.${rule}`);
      return name === `rules.${rule}` ? rule : name.charAt(0).toLocaleLowerCase(language()) + name.slice(1);
    });
    return t("rulesNotMet", { rules: names.join(", ") });
  }
  return text;
}

/**
 * A code-sending route's 429 in words: a wait longer than the one-minute spacing is the hourly
 * limit, and saying so tells the person it is not worth trying again soon.
 */
export function sendLimitText(error) {
  if (!(error instanceof ApiError) || error.code !== "LimitExceeded" || !error.retryAfter) return errorText(error);
  return t(error.retryAfter > RESEND_INTERVAL_SECONDS ? "hourlyLimit" : "codeSentRecently");
}

/** Whether an error means the code can no longer be used: only a new code helps. */
export function codeIsDead(error) {
  if (!(error instanceof ApiError)) return false;
  return (
    ["ExpiredCode", "TooManyFailedAttempts"].includes(error.code) ||
    (error.code === "CodeMismatch" && error.attemptsRemaining === 0)
  );
}

/**
 * A refused new password: the rules it broke, said once, next to the field (the checklist marks
 * them too), and the focus there so that a screen reader reads it.
 */
export function showPasswordRefused(msgs, f, checklist, secret, error) {
  checklist.judged(secret, error.failedRules);
  msgs.clear();
  setFieldError(f, errorText(error));
  f.input.focus();
}

/**
 * The account's address in a form that has no address field (new password, change password,
 * delete): password managers file the password they store under it. Not shown, not focusable.
 */
export function usernameField(email) {
  const input = h("input", {
    type: "email",
    name: "username",
    autocomplete: "username",
    hidden: true,
    "aria-hidden": "true",
    tabindex: "-1",
    readonly: true,
  });
  input.value = email;
  return input;
}

/**
 * Show an error in a form: the message, the fields it names, and a countdown when the API asked
 * to wait. `fields` maps API field names to field objects; `buttons` wait out a Retry-After.
 */
export function showError(msgs, error, { fields = {}, buttons = [], overrides = {} } = {}) {
  if (error instanceof ApiError && error.code === "SessionEnded") {
    setFlash(t("errors.SessionEnded"), "error");
    go("/login", { next: currentRoute() });
    return;
  }
  msgs.error(errorText(error, overrides));
  if (error instanceof ApiError && error.code === "InvalidParameter") {
    let marked = false;
    for (const problem of error.fields) {
      const name = String(problem.field || "")
        .split(".")
        .pop();
      if (fields[name]) {
        setFieldError(fields[name], t(`fields.${name}`) === `fields.${name}` ? t("fields.other") : t(`fields.${name}`));
        marked = true;
      }
    }
    if (!marked) msgs.error(t("errors.InvalidParameter"));
  }
  if (error instanceof ApiError && error.retryAfter) msgs.wait(error.retryAfter, buttons);
}

// The address field of sign-up, log in and reset: prefilled with the address last used.
export function emailField(id, autocomplete) {
  return field({ id, label: t("email"), type: "email", autocomplete, value: memory.lastEmail });
}

// A screen's form: its messages first (errors are announced there), the fields, the submit button last.
export function formOf(msgs, submit, ...fields) {
  return h("form", { class: "form", novalidate: true }, msgs.node, ...fields, h("div", { class: "form__actions" }, submit));
}

/** Run `action` for a form submit: no double submits, busy state, waiting buttons respected. */
export function onSubmit(form, button, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isLocked(button) || form.getAttribute("aria-busy") === "true") return;
    form.setAttribute("aria-busy", "true");
    button.classList.add("is-busy");
    const serial = currentSerial();
    try {
      await action();
    } finally {
      if (serial === currentSerial()) {
        form.removeAttribute("aria-busy");
        button.classList.remove("is-busy");
      }
    }
  });
}

export function requireValue(f, message) {
  const empty = !f.input.value.trim();
  setFieldError(f, empty ? message : null);
  return !empty;
}

export function validEmail(f) {
  const value = f.input.value.trim();
  const ok = value.length >= 3 && value.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(value);
  setFieldError(f, ok ? null : t("fields.email"));
  return ok;
}

export function focusFirstInvalid(form) {
  const invalid = form.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
  return !invalid;
}

/** A screen: its <h1> (which takes the focus) and its content. */
export function screen(title, ...children) {
  return h("section", { class: "screen" }, h("h1", { class: "screen__title" }, title), ...children);
}

/** A screen for signed-in people, opened without a session: log in first, then come back here. */
export function loginFirst(title) {
  const next = currentRoute();
  queueMicrotask(() => {
    setFlash(t("loginToContinue"));
    go("/login", { next });
  });
  return screen(title, h("p", {}, t("loginToContinue")));
}

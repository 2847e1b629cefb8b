// The portal's account screens: a small hash router, one function per screen, no framework.
//
// Accessibility rules every screen follows: each has one <h1> that takes the focus when the
// screen opens; every input has a <label>; a form's errors go to a role="alert" area inside it
// and mark the fields with aria-invalid + aria-describedby; statuses go to role="status" areas;
// countdowns are role="timer" (not read out every second); buttons that must wait stay
// focusable (aria-disabled) so keyboard users do not lose their place.

import { api, ApiError, isLoggedIn, onSessionChange, resume } from "./api.js";
import { formatCountdown, formatDate, formatDuration, formatSize, language, plural, setLanguage, t } from "./i18n.js";
import { QUIET_RULES, RULE_IDS, SERVER_ONLY, checkLocally } from "./passwords.js";

// After a code went out, the API allows the next one to the same address a minute later.
const RESEND_INTERVAL_SECONDS = 60;
const PAGE_SIZES = [2, 6, 12, 24];
const DEFAULT_PAGE_SIZE = 12;
const FLOW_KEY = "portal.flow";

// -- DOM -----------------------------------------------------------------------------------

/** h("p", {class: "x", onclick: fn}, "text", child, [more]) -> an element. Never parses HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

// -- app state -------------------------------------------------------------------------------

const main = () => document.getElementById("main");
let cleanups = [];
let renderSerial = 0;
let firstRender = true;
let flash = null;
// Kept in memory only, never stored: the sign-up password (to log in right after the code is
// confirmed, so that the newsletter button works) and the reset code (between two screens).
let signupPassword = null;
let resetCode = null;
let lastEmail = "";
const catalogue = { key: "", cursors: [null], page: 0 };

/** The code flow in progress (sign-up or reset), kept in sessionStorage so a reload keeps it. */
function loadFlow() {
  try {
    return JSON.parse(sessionStorage.getItem(FLOW_KEY) || "null");
  } catch {
    return null;
  }
}

function saveFlow(flow) {
  try {
    if (flow) sessionStorage.setItem(FLOW_KEY, JSON.stringify(flow));
    else sessionStorage.removeItem(FLOW_KEY);
  } catch {
    // The flow then lasts as long as the page.
  }
}

function onCleanup(fn) {
  cleanups.push(fn);
}

function setFlash(text, kind = "status") {
  flash = { text, kind };
}

// -- routing --------------------------------------------------------------------------------

function parseHash() {
  const raw = location.hash.startsWith("#/") ? location.hash.slice(1) : "/videos";
  const [path, query = ""] = raw.split("?");
  return { path: path.replace(/\/+$/, "") || "/videos", params: new URLSearchParams(query) };
}

function currentRoute() {
  const { path, params } = parseHash();
  const query = params.toString();
  return path + (query ? `?${query}` : "");
}

function go(path, params = null) {
  const query = params
    ? new URLSearchParams(
        Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""),
      ).toString()
    : "";
  const hash = `#${path}${query ? `?${query}` : ""}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

/** Only same-site routes may be a "next" or "return to" target. */
function safeRoute(route, fallback = "/videos") {
  return typeof route === "string" && /^\/[a-z/]*(\?[^#]*)?$/i.test(route) && !route.startsWith("//")
    ? route
    : fallback;
}

function goRoute(route) {
  const [path, query = ""] = safeRoute(route).split("?");
  go(path, Object.fromEntries(new URLSearchParams(query)));
}

const SCREENS = {
  "/videos": videosScreen,
  "/register": registerScreen,
  "/verify": () => codeScreen("signup"),
  "/welcome": welcomeScreen,
  "/login": loginScreen,
  "/reset": resetScreen,
  "/reset/code": () => codeScreen("reset"),
  "/reset/new": newPasswordScreen,
  "/reset/done": resetDoneScreen,
  "/account": accountScreen,
};

function render({ keepFocus = false, restore = null } = {}) {
  cleanups.forEach((fn) => fn());
  cleanups = [];
  renderSerial += 1;
  const { path, params } = parseHash();
  const screen = SCREENS[path] || notFoundScreen;
  renderHeader(path);
  const root = main();
  root.replaceChildren(screen(params));
  if (restore) restoreInputs(restore);
  const heading = root.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    document.title = `${heading.textContent} – ${t("siteTitle")}`;
  }
  showFlash();
  if (heading && !firstRender && !keepFocus) heading.focus();
  firstRender = false;
}

function showFlash() {
  const box = document.getElementById("flash");
  box.replaceChildren();
  box.className = "flash";
  if (!flash) return;
  box.classList.add(flash.kind === "error" ? "flash--error" : "flash--status");
  box.append(h("p", { class: "flash__text" }, flash.text));
  flash = null;
}

function clearFlash() {
  const box = document.getElementById("flash");
  box.replaceChildren();
  box.className = "flash";
}

// Re-render in another language without losing what was typed.
function captureInputs() {
  const values = {};
  main()
    .querySelectorAll("input[id], select[id], textarea[id]")
    .forEach((el) => {
      values[el.id] = el.type === "checkbox" ? el.checked : el.value;
    });
  return values;
}

function restoreInputs(values) {
  for (const [id, value] of Object.entries(values)) {
    const el = document.getElementById(id);
    if (!el) continue;
    if (el.type === "checkbox") el.checked = value;
    else el.value = value;
    el.dispatchEvent(new Event("input"));
  }
}

// -- header ---------------------------------------------------------------------------------

function renderHeader(path) {
  document.getElementById("skip-link").textContent = t("skip");
  document.getElementById("brand-name").textContent = t("brand");
  document.getElementById("brand-tagline").textContent = t("tagline");
  document.getElementById("site-nav").setAttribute("aria-label", t("navMenu"));
  const switcher = document.getElementById("language-switch");
  switcher.textContent = t("switchLanguage");
  switcher.setAttribute("lang", language() === "en" ? "fr" : "en");
  switcher.setAttribute("title", t("switchLanguageLabel"));

  const link = (route, label) =>
    h("li", {}, h("a", { href: `#${route}`, "aria-current": path === route ? "page" : null }, label));
  const items = [link("/videos", t("navVideos"))];
  if (isLoggedIn()) {
    items.push(link("/account", t("navAccount")));
    items.push(
      h("li", {}, h("button", { type: "button", class: "link-button", onclick: () => logout(false) }, t("logout"))),
    );
  } else {
    items.push(link("/login", t("navLogin")));
    items.push(link("/register", t("navRegister")));
  }
  document.getElementById("nav-list").replaceChildren(...items);
}

async function logout(allDevices) {
  try {
    await api.logout(allDevices);
    setFlash(t(allDevices ? "loggedOutEverywhere" : "loggedOut"));
  } catch (error) {
    setFlash(`${t("loggedOut")} ${errorText(error)}`, "error");
  }
  go("/videos");
}

// -- forms and messages ------------------------------------------------------------------------

function field({
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
function passwordField(options) {
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
function setFieldError(f, message) {
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
function messages() {
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

function lockButton(button, locked) {
  if (locked) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
}

const isLocked = (button) => button.getAttribute("aria-disabled") === "true";

/** The person's words for an API error (or a network failure). */
function errorText(error, overrides = {}) {
  const code = error instanceof ApiError ? error.code : "InternalError";
  if (overrides[code]) return overrides[code];
  const known = t(`errors.${code}`);
  let text = known === `errors.${code}` ? t("errors.InternalError") : known;
  if (code === "CodeMismatch" && error.attemptsRemaining !== null)
    text += ` ${plural("attemptsLeft", error.attemptsRemaining)}`;
  if (code === "InvalidPassword" && error.failedRules.length) {
    const names = error.failedRules.map((rule) => {
      const name = t(`rules.${rule}`);
      return name === `rules.${rule}` ? rule : name.charAt(0).toLocaleLowerCase(language()) + name.slice(1);
    });
    text += ` ${t("rulesNotMet", { rules: names.join(", ") })}`;
  }
  return text;
}

/**
 * Show an error in a form: the message, the fields it names, and a countdown when the API asked
 * to wait. `fields` maps API field names to field objects; `buttons` wait out a Retry-After.
 */
function showError(msgs, error, { fields = {}, buttons = [], overrides = {} } = {}) {
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
function emailField(id, autocomplete) {
  return field({ id, label: t("email"), type: "email", autocomplete, value: lastEmail });
}

// A screen's form: its messages first (errors are announced there), the fields, the submit button last.
function formOf(msgs, submit, ...fields) {
  return h("form", { class: "form", novalidate: true }, msgs.node, ...fields, h("div", { class: "form__actions" }, submit));
}

/** Run `action` for a form submit: no double submits, busy state, waiting buttons respected. */
function onSubmit(form, button, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isLocked(button) || form.getAttribute("aria-busy") === "true") return;
    form.setAttribute("aria-busy", "true");
    button.classList.add("is-busy");
    const serial = renderSerial;
    try {
      await action();
    } finally {
      if (serial === renderSerial) {
        form.removeAttribute("aria-busy");
        button.classList.remove("is-busy");
      }
    }
  });
}

function requireValue(f, message) {
  const empty = !f.input.value.trim();
  setFieldError(f, empty ? message : null);
  return !empty;
}

function validEmail(f) {
  const value = f.input.value.trim();
  const ok = value.length >= 3 && value.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(value);
  setFieldError(f, ok ? null : t("fields.email"));
  return ok;
}

function focusFirstInvalid(form) {
  const invalid = form.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
  return !invalid;
}

// -- password checklist ------------------------------------------------------------------------

/**
 * The live checklist under a new-password input. Each item is one of the API's rule ids; the
 * browser checks what it can as the person types, and the API's `failedRules` answer (for the
 * password it judged) overrides that until the password changes.
 */
function passwordChecklist(input, emailOf) {
  const id = nextId("password-rules");
  const items = {};
  const list = h("ul", { class: "checklist__items" });
  for (const rule of RULE_IDS) {
    const state = h("span", { class: "visually-hidden checklist__state" });
    const item = h(
      "li",
      { class: "checklist__item", "data-rule": rule },
      h("span", { class: "checklist__mark", "aria-hidden": "true" }),
      h("span", { class: "checklist__text" }, t(`rules.${rule}`)),
      " ",
      state,
    );
    items[rule] = { item, state };
    list.append(item);
  }
  const unknownNote = h("p", { class: "checklist__unknown", hidden: true });
  const node = h(
    "div",
    { class: "checklist", id },
    h("p", { class: "checklist__title" }, t("checklistTitle")),
    list,
    unknownNote,
  );
  let verdict = null; // {password, failed: Set} from the API

  function update() {
    const password = input.value;
    if (verdict && verdict.password !== password) verdict = null;
    const local = checkLocally(password, emailOf());
    for (const rule of RULE_IDS) {
      let holds = local[rule];
      if (verdict) holds = !verdict.failed.has(rule);
      else if (SERVER_ONLY.has(rule)) holds = null;
      const state =
        password === "" && holds !== null && !verdict ? "empty" : holds === null ? "unknown" : holds ? "met" : "unmet";
      const { item, state: label } = items[rule];
      item.dataset.state = state;
      item.hidden = QUIET_RULES.has(rule) && state !== "unmet";
      label.textContent = `(${t(state === "met" ? "ruleMet" : state === "unknown" ? "ruleUnknown" : "ruleUnmet")})`;
    }
  }
  input.addEventListener("input", update);
  update();
  return {
    node,
    id,
    update,
    /** The API's verdict on the password it was sent: every rule it lists is broken, the rest hold. */
    judged(password, failedRules) {
      verdict = { password, failed: new Set(failedRules) };
      const unknown = failedRules.filter((rule) => !RULE_IDS.includes(rule));
      unknownNote.hidden = unknown.length === 0;
      unknownNote.textContent = unknown.map((rule) => t("unknownRule", { rule })).join(" ");
      update();
    },
  };
}

// -- screens --------------------------------------------------------------------------------

function screen(title, ...children) {
  return h("section", { class: "screen" }, h("h1", { class: "screen__title" }, title), ...children);
}

function notFoundScreen() {
  return screen(t("errors.NotFound"), h("p", {}, h("a", { href: "#/videos" }, t("browseVideos"))));
}

function registerScreen() {
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
      lastEmail = address;
      signupPassword = secret;
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

/** "Check your inbox and enter verification code", for sign-up and for a reset. */
function codeScreen(kind) {
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
  // The API confirms the code with the account's password. Kept in memory from the sign-up form;
  // after a reload, or for a code entered elsewhere, the person types it here.
  const password =
    kind === "signup" && !signupPassword
      ? passwordField({ id: "signup-code-password", label: t("password"), autocomplete: "new-password" })
      : null;
  const form = formOf(msgs, submit, code.wrapper, password ? password.wrapper : null);

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
    const passwordOk = !password || requireValue(password, t("fields.password"));
    if (!ok || !passwordOk) return focusFirstInvalid(form);
    if (kind === "reset") {
      resetCode = value;
      go("/reset/new");
      return;
    }
    if (password) signupPassword = password.input.value;
    try {
      await api.verify(flow.email, value, signupPassword);
      saveFlow(null);
      lastEmail = flow.email;
      if (signupPassword) {
        try {
          await api.login(flow.email, signupPassword);
        } catch {
          // Logging in is a convenience here; the welcome screen offers it otherwise.
        }
      }
      signupPassword = null;
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

function welcomeScreen() {
  const msgs = messages();
  const subscribe = h("button", { type: "button", class: "button button--primary" }, t("subscribe"));
  subscribe.addEventListener("click", async () => {
    if (isLocked(subscribe)) return;
    if (!isLoggedIn()) {
      setFlash(t("loginToSubscribe"));
      go("/login", { next: "/welcome" });
      return;
    }
    lockButton(subscribe, true);
    try {
      await api.newsletter(true, "signup");
      subscribe.hidden = true;
      msgs.status(t("subscribed"));
    } catch (error) {
      lockButton(subscribe, false);
      showError(msgs, error, { buttons: [subscribe] });
    }
  });
  return screen(
    t("welcomeTitle"),
    h("p", { class: "lead" }, t("welcomeText")),
    h(
      "section",
      { class: "panel", "aria-labelledby": "newsletter-title" },
      h("h2", { id: "newsletter-title" }, t("newsletterTitle")),
      h("p", {}, t("newsletterText")),
      msgs.node,
      subscribe,
    ),
    h("p", {}, h("a", { href: "#/videos", class: "button button--secondary" }, t("browseVideos"))),
  );
}

function loginScreen(params) {
  const next = safeRoute(params.get("next"));
  const msgs = messages();
  const email = emailField("login-email", "username");
  const password = passwordField({ id: "login-password", label: t("password"), autocomplete: "current-password" });
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("loginSubmit"));
  const form = formOf(msgs, submit, email.wrapper, password.wrapper);
  onSubmit(form, submit, async () => {
    msgs.clear();
    const ok = validEmail(email) & requireValue(password, t("fields.password"));
    if (!ok) return focusFirstInvalid(form);
    const address = email.input.value.trim();
    try {
      await api.login(address, password.input.value);
      lastEmail = address;
      setFlash(t("loggedIn"));
      goRoute(next);
    } catch (error) {
      if (error instanceof ApiError && error.code === "UserNotConfirmed") {
        // Finish the sign-up: the code screen, with "Send new Code" available at once.
        const secret = password.input.value;
        const verify = h("button", { type: "button", class: "button button--secondary" }, t("enterCodeInstead"));
        verify.addEventListener("click", () => {
          signupPassword = secret;
          lastEmail = address;
          saveFlow({ kind: "signup", email: address, destination: null, codeExpiresIn: 1800, nextSendAt: 0 });
          go("/verify");
        });
        msgs.error(errorText(error), verify);
        return;
      }
      if (error instanceof ApiError && error.code === "PasswordResetRequired") {
        lastEmail = address;
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
    h("p", { class: "aside" }, h("a", { href: `#/reset?${new URLSearchParams({ from: next })}` }, t("forgotPassword"))),
    h("p", { class: "aside" }, t("noAccount"), " ", h("a", { href: "#/register" }, t("registerTitle"))),
  );
}

function resetScreen(params) {
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
      lastEmail = address;
      resetCode = null;
      saveFlow({
        kind: "reset",
        email: address,
        destination: delivery.destination,
        codeExpiresIn: delivery.codeExpiresIn,
        nextSendAt: Date.now() + RESEND_INTERVAL_SECONDS * 1000,
        returnTo,
      });
      go("/reset/code");
    } catch (error) {
      showError(msgs, error, { fields: { email }, buttons: [submit] });
    }
  });
  return screen(t("resetTitle"), h("p", {}, t("resetText")), form);
}

function newPasswordScreen() {
  const flow = loadFlow();
  if (!flow || flow.kind !== "reset" || !resetCode) return codeScreen("reset");
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
  // The address, for password managers; not shown.
  const username = h("input", {
    type: "email",
    autocomplete: "username",
    value: flow.email,
    hidden: true,
    "aria-hidden": "true",
    tabindex: "-1",
  });
  const form = formOf(msgs, submit, username, password.wrapper, checklist.node);
  onSubmit(form, submit, async () => {
    msgs.clear();
    if (!requireValue(password, t("fields.newPassword"))) return focusFirstInvalid(form);
    const secret = password.input.value;
    try {
      await api.reset(flow.email, resetCode, secret);
      resetCode = null;
      lastEmail = flow.email;
      saveFlow({ kind: "reset-done", returnTo: flow.returnTo });
      go("/reset/done");
    } catch (error) {
      if (error instanceof ApiError && error.code === "InvalidPassword") {
        checklist.judged(secret, error.failedRules);
        setFieldError(password, true);
        showError(msgs, error, { buttons: [submit] });
      } else if (
        error instanceof ApiError &&
        ["CodeMismatch", "ExpiredCode", "TooManyFailedAttempts"].includes(error.code)
      ) {
        resetCode = null;
        saveFlow({ ...flow, codeError: errorText(error) });
        go("/reset/code");
      } else {
        showError(msgs, error, { fields: { newPassword: password }, buttons: [submit] });
      }
    }
  });
  return screen(t("newPasswordTitle"), h("p", { id: rulesId }, t("passwordRules")), form);
}

function resetDoneScreen() {
  const flow = loadFlow();
  const returnTo = safeRoute(flow && flow.returnTo);
  const back = h("button", { type: "button", class: "button button--primary" }, t("updatedButton"));
  back.addEventListener("click", () => {
    saveFlow(null);
    go("/login", { next: returnTo });
  });
  return screen(t("updatedTitle"), h("p", {}, t("updatedText")), back);
}

// -- the catalogue ------------------------------------------------------------------------------

function videosScreen(params) {
  const q = (params.get("q") || "").trim().slice(0, 200);
  const size = PAGE_SIZES.includes(Number(params.get("size"))) ? Number(params.get("size")) : DEFAULT_PAGE_SIZE;
  const key = `${q}\n${size}`;
  if (catalogue.key !== key) Object.assign(catalogue, { key, cursors: [null], page: 0 });

  const search = field({
    id: "video-search",
    label: t("search"),
    type: "search",
    value: q,
    required: false,
    extra: { maxlength: 200, enterkeyhint: "search" },
  });
  const sizeId = "video-page-size";
  const sizeSelect = h(
    "select",
    { id: sizeId, name: sizeId },
    PAGE_SIZES.map((n) => h("option", { value: n, selected: n === size }, String(n))),
  );
  const searchForm = h(
    "form",
    { class: "search", role: "search", novalidate: true },
    search.wrapper,
    h(
      "div",
      { class: "field field--narrow" },
      h("label", { for: sizeId, class: "field__label" }, t("perPage")),
      sizeSelect,
    ),
    h(
      "div",
      { class: "search__actions" },
      h("button", { type: "submit", class: "button button--primary" }, t("searchSubmit")),
      q
        ? h(
            "a",
            { href: `#/videos${size !== DEFAULT_PAGE_SIZE ? `?size=${size}` : ""}`, class: "button button--secondary" },
            t("clearSearch"),
          )
        : null,
    ),
  );
  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    go("/videos", {
      q: search.input.value.trim(),
      size: Number(sizeSelect.value) === DEFAULT_PAGE_SIZE ? null : sizeSelect.value,
    });
  });
  sizeSelect.addEventListener("change", () =>
    go("/videos", { q: q || null, size: Number(sizeSelect.value) === DEFAULT_PAGE_SIZE ? null : sizeSelect.value }),
  );

  const msgs = messages();
  const listStatus = h("p", { class: "results__status", role: "status" }, t("loading"));
  const list = h("ul", { class: "videos", "aria-busy": "true" });
  const previous = h("button", { type: "button", class: "button button--secondary" }, t("previousPage"));
  const nextButton = h("button", { type: "button", class: "button button--secondary" }, t("nextPage"));
  const pageLabel = h("span", { class: "pager__page" });
  const pager = h("nav", { class: "pager", "aria-label": t("pages"), hidden: true }, previous, pageLabel, nextButton);
  let nextCursor = null;
  const serial = renderSerial;

  async function load() {
    list.setAttribute("aria-busy", "true");
    listStatus.textContent = t("loading");
    msgs.clear();
    try {
      // A search reads a bounded slice of the index per request and may answer an empty page
      // with a cursor: follow it (a few times) before calling the page empty.
      let cursor = catalogue.cursors[catalogue.page];
      let page = null;
      for (let hop = 0; hop < 10; hop += 1) {
        page = await api.videos({ q: q || null, limit: size, cursor });
        if (page.items.length || !page.nextCursor) break;
        cursor = page.nextCursor;
      }
      if (serial !== renderSerial) return;
      nextCursor = page.nextCursor;
      list.replaceChildren(...page.items.map((video) => videoCard(video)));
      const none = page.items.length === 0 && catalogue.page === 0;
      listStatus.textContent = none ? t(q ? "noVideos" : "noVideosAtAll") : q ? t("resultsFor", { q }) : "";
      listStatus.hidden = !listStatus.textContent;
      pager.hidden = catalogue.page === 0 && !nextCursor;
      lockButton(previous, catalogue.page === 0);
      lockButton(nextButton, !nextCursor);
      pageLabel.textContent = t("pageN", { n: catalogue.page + 1 });
    } catch (error) {
      if (serial !== renderSerial) return;
      listStatus.hidden = true;
      showError(msgs, error, { fields: { q: search } });
    } finally {
      list.removeAttribute("aria-busy");
    }
  }
  previous.addEventListener("click", () => {
    if (isLocked(previous)) return;
    catalogue.page -= 1;
    load().then(() => heading.focus());
  });
  nextButton.addEventListener("click", () => {
    if (isLocked(nextButton)) return;
    catalogue.cursors[catalogue.page + 1] = nextCursor;
    catalogue.page += 1;
    load().then(() => heading.focus());
  });
  load();

  const node = screen(t("videosTitle"), searchForm, msgs.node, listStatus, list, pager);
  const heading = node.querySelector("h1");
  return node;
}

function videoCard(video) {
  // Each card says how its download went, next to its buttons.
  const downloadMsgs = messages();
  const titleId = nextId("video-title");
  const paragraphs = String(video.description || "")
    .split(/\n\s*\n/)
    .filter(Boolean);
  const meta = [
    t("published", { date: formatDate(video.publishedAt) }),
    t("duration", { duration: formatDuration(video.durationSeconds) }),
  ];
  const langName = t("langNames")[video.language];
  if (langName) meta.push(t("videoLanguage", { language: langName }));
  const buttons = (video.renditions || []).map((rendition) => {
    const label = `${rendition.label} · ${formatSize(rendition.size)}`;
    const button = h(
      "button",
      {
        type: "button",
        class: "button button--download",
        "aria-label": t("downloadFull", { label: rendition.label, title: video.title }),
        "data-rendition": rendition.name,
      },
      t("download", { label }),
    );
    button.addEventListener("click", () => download(video, rendition, button, downloadMsgs));
    return h("li", {}, button);
  });
  return h(
    "li",
    { class: "video" },
    h(
      "article",
      { class: "video__card", "aria-labelledby": titleId },
      video.thumbnail && /^https:\/\//.test(video.thumbnail)
        ? h("img", { class: "video__thumbnail", src: video.thumbnail, alt: "", loading: "lazy" })
        : null,
      h("h2", { class: "video__title", id: titleId, lang: video.language || null }, video.title),
      h("p", { class: "video__meta" }, meta.join(" · ")),
      paragraphs.length ? h("p", { class: "video__summary", lang: video.language || null }, paragraphs[0]) : null,
      paragraphs.length > 1
        ? h(
            "details",
            { class: "video__details" },
            h("summary", {}, t("readMore")),
            paragraphs.slice(1).map((p) => h("p", { lang: video.language || null }, p)),
          )
        : null,
      buttons.length ? h("ul", { class: "video__downloads", "aria-label": t("downloads") }, buttons) : null,
      downloadMsgs.node,
    ),
  );
}

async function download(video, rendition, button, msgs) {
  if (isLocked(button)) return;
  if (!isLoggedIn()) {
    setFlash(t("loginToDownload"));
    go("/login", { next: currentRoute() });
    return;
  }
  lockButton(button, true);
  msgs.clear();
  try {
    const link = await api.download(video.id, rendition.name);
    // A presigned URL answering with Content-Disposition: attachment: following it downloads
    // the file and leaves this page where it is.
    const anchor = h("a", { href: link.url, download: link.filename, rel: "noopener" });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    msgs.status(
      t("downloadStarted", { filename: link.filename, size: formatSize(link.size) }),
      h(
        "p",
        { class: "message__link" },
        h(
          "a",
          { href: link.url, download: link.filename, rel: "noopener" },
          t("downloadLinkNote", { filename: link.filename }),
        ),
      ),
    );
    lockButton(button, false);
  } catch (error) {
    lockButton(button, false);
    showError(msgs, error, { buttons: [button] });
  }
}

// -- the account --------------------------------------------------------------------------------

function accountScreen() {
  if (!isLoggedIn()) {
    queueMicrotask(() => {
      setFlash(t("loginToContinue"));
      go("/login", { next: "/account" });
    });
    return screen(t("accountTitle"), h("p", {}, t("loginToContinue")));
  }
  const body = h("div", { class: "account" }, h("p", { role: "status" }, t("loading")));
  const msgs = messages();
  const serial = renderSerial;
  api
    .account()
    .then((account) => {
      if (serial === renderSerial) body.replaceChildren(...accountSections(account));
    })
    .catch((error) => {
      if (serial !== renderSerial) return;
      body.replaceChildren();
      showError(msgs, error);
    });
  return screen(t("accountTitle"), msgs.node, body);
}

function accountSections(account) {
  // Language
  const langMsgs = messages();
  const langId = "account-language";
  const select = h(
    "select",
    { id: langId, name: langId },
    ["en", "fr"].map((code) =>
      h(
        "option",
        { value: code, lang: code, selected: code === account.language },
        code === "en" ? "English" : "Français",
      ),
    ),
  );
  const saveLang = h("button", { type: "submit", class: "button button--secondary" }, t("save"));
  const langForm = h(
    "form",
    { class: "form form--inline", novalidate: true },
    langMsgs.node,
    h("div", { class: "field" }, h("label", { for: langId, class: "field__label" }, t("accountLanguageHelp")), select),
    h("div", { class: "form__actions" }, saveLang),
  );
  onSubmit(langForm, saveLang, async () => {
    try {
      const updated = await api.updateAccount(select.value);
      setLanguage(updated.language);
      setFlash(t("languageSaved"));
      render();
    } catch (error) {
      showError(langMsgs, error, { buttons: [saveLang] });
    }
  });

  // Newsletter
  const newsMsgs = messages();
  let subscribed = Boolean(account.newsletter && account.newsletter.subscribed);
  const newsState = h("p", {});
  const newsButton = h("button", { type: "button", class: "button button--secondary" });
  const showNews = () => {
    newsState.textContent = t(subscribed ? "newsletterOn" : "newsletterOff");
    newsButton.textContent = t(subscribed ? "unsubscribe" : "subscribe");
  };
  showNews();
  newsButton.addEventListener("click", async () => {
    if (isLocked(newsButton)) return;
    lockButton(newsButton, true);
    try {
      const state = await api.newsletter(!subscribed, "account");
      subscribed = Boolean(state.subscribed);
      showNews();
      newsMsgs.status(t(subscribed ? "subscribed" : "unsubscribed"));
      lockButton(newsButton, false);
    } catch (error) {
      lockButton(newsButton, false);
      showError(newsMsgs, error, { buttons: [newsButton] });
    }
  });

  // Sessions
  const out = h(
    "button",
    { type: "button", class: "button button--secondary", onclick: () => logout(false) },
    t("logout"),
  );
  const outAll = h(
    "button",
    { type: "button", class: "button button--secondary", onclick: () => logout(true) },
    t("logoutEverywhere"),
  );

  // Delete
  const delMsgs = messages();
  const password = passwordField({
    id: "delete-password",
    label: t("password"),
    autocomplete: "current-password",
    describedBy: ["delete-text"],
  });
  const delButton = h("button", { type: "submit", class: "button button--danger" }, t("deleteSubmit"));
  const delForm = formOf(delMsgs, delButton, password.wrapper);
  onSubmit(delForm, delButton, async () => {
    delMsgs.clear();
    if (!requireValue(password, t("fields.password"))) return focusFirstInvalid(delForm);
    try {
      await api.deleteAccount(password.input.value);
      setFlash(t("deleted"));
      go("/videos");
    } catch (error) {
      if (error instanceof ApiError && error.code === "WrongPassword") setFieldError(password, true);
      showError(delMsgs, error, { buttons: [delButton] });
    }
  });

  const section = (id, title, ...children) =>
    h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), ...children);
  return [
    h("dl", { class: "facts" }, h("dt", {}, t("accountEmail")), h("dd", { class: "facts__email" }, account.email)),
    h("p", { class: "facts__since" }, t("accountSince", { date: formatDate(account.createdAt) })),
    section("account-language-title", t("accountLanguage"), langForm),
    section("account-newsletter-title", t("newsletterSection"), newsState, newsMsgs.node, newsButton),
    section(
      "account-sessions-title",
      t("sessionsSection"),
      h("p", {}, t("sessionsText")),
      h("div", { class: "button-row" }, out, outAll),
    ),
    section("account-delete-title", t("deleteSection"), h("p", { id: "delete-text" }, t("deleteText")), delForm),
  ];
}

// -- start ----------------------------------------------------------------------------------

async function start() {
  document.documentElement.lang = language();
  document.getElementById("language-switch").addEventListener("click", () => {
    const values = captureInputs();
    setLanguage(language() === "en" ? "fr" : "en");
    clearFlash();
    render({ keepFocus: true, restore: values });
  });
  document.getElementById("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    const heading = main().querySelector("h1");
    (heading || main()).focus();
  });
  window.addEventListener("hashchange", () => {
    if (location.hash.startsWith("#/") || location.hash === "") render();
  });
  onSessionChange(() => renderHeader(parseHash().path));
  await resume();
  render();
}

start();

// "Two-step verification", a section of the account page: set up an authenticator app (the
// password, then the QR code or the key typed by hand, then the app's first code), the ten
// recovery codes shown once (copy, download as .txt), turning it off and new recovery codes
// (both with the password and a code from the app or a recovery code). The state comes from
// GET /v1/account `mfa`; the API calls are twoStepApi in api.js.
//
// The QR code is the API's own SVG (`qrSvg`), shown as an <img> from a data: URL: an image
// document runs no script and reaches no network, the CSP allows data: images, and no markup is
// ever parsed into this page.

import { ApiError, twoStepApi } from "../api.js";
import { h, nextId } from "../dom.js";
import {
  field,
  focusFirstInvalid,
  formOf,
  messages,
  onSubmit,
  passwordField,
  requireValue,
  setFieldError,
  showError,
  usernameField,
} from "../forms.js";
import { plural, t } from "../i18n.js";
import { currentSerial } from "../router.js";

const APP_CODE = /^[0-9]{6}$/;

/** The section for `account` (GET /v1/account): the account page adds it to its list. */
export function twoStepSection(account) {
  const titleId = "account-two-step-title";
  const body = h("div", { class: "two-step" });
  const state = {
    on: Boolean(account.mfa && account.mfa.totp),
    left: (account.mfa && account.mfa.recoveryCodesLeft) || 0,
  };
  const serial = currentSerial();
  const title = h("h2", { id: titleId, tabindex: "-1" }, t("twoStep.title"));
  // Each step replaces the section's content and moves the focus to its heading, so that a
  // screen reader says where the person is (not on the page's first render: the <h1> has it).
  const show = (children, heading, news = null, msgs = null) => {
    if (serial !== currentSerial()) return;
    body.replaceChildren(...children);
    if (news && msgs) msgs.status(news);
    if (heading) heading.focus();
  };
  const view = {
    state(news = null, focus = false) {
      const msgs = messages();
      const parts = state.on ? onView(account, state, view, msgs) : offView(account, view, msgs);
      show(parts, focus ? title : null, news, msgs);
    },
    setup(enrolment) {
      const heading = subheading(t("twoStep.setupTitle"));
      show([heading, ...setupView(enrolment, state, view)], heading);
    },
    codes(codes, news) {
      const heading = subheading(t("twoStep.codesTitle"));
      const msgs = messages();
      show([heading, msgs.node, ...codesView(account, codes, view, msgs)], heading, news, msgs);
    },
  };
  view.state();
  return h("section", { class: "panel", "aria-labelledby": titleId }, title, body);
}

/** The heading of a step, which takes the focus when the step opens. */
function subheading(text) {
  return h("h3", { class: "two-step__title", tabindex: "-1" }, text);
}

const CODE_WORDS = {
  app: ["twoStep.appCode", "twoStep.appCodeHint"],
  recovery: ["twoStep.recoveryCode", "twoStep.recoveryHint"],
  either: ["twoStep.codeOrRecovery", "twoStep.codeOrRecoveryHint"],
};

/** A code field: `kind` "app" (6 digits, nothing else typed), "recovery", or "either". */
export function twoStepCodeField(id, kind, describedBy = []) {
  const [label, hint] = CODE_WORDS[kind];
  const app = kind === "app";
  const f = field({
    id,
    label: t(label),
    hint: t(hint),
    autocomplete: "one-time-code",
    inputmode: app ? "numeric" : null,
    maxlength: app ? 6 : 32,
    describedBy,
    extra: {
      class: app ? "field__input--code" : "field__input--code two-step__input--recovery",
      autocapitalize: "none",
    },
  });
  if (app) {
    // Digits only: a letter typed or pasted by mistake never reaches the API as a wrong code.
    f.input.addEventListener("input", () => {
      const digits = f.input.value.replace(/\D+/g, "").slice(0, 6);
      if (digits !== f.input.value) f.input.value = digits;
    });
  }
  return f;
}

/** What the API said about a code in these forms, beside the field. */
function codeRefused(msgs, error, code, buttons) {
  if (error instanceof ApiError && error.code === "CodeMismatch") {
    const left = error.attemptsRemaining;
    // 0: the account must now wait; the next try says how long (429 with a countdown).
    const text = left ? `${t("twoStep.wrongCode")} ${plural("attemptsLeft", left)}` : t("twoStep.wrongCode");
    msgs.error(text);
    setFieldError(code, true);
    code.input.focus();
    return;
  }
  showError(msgs, error, { buttons });
}

function passwordRefused(msgs, error, password, buttons) {
  if (error instanceof ApiError && error.code === "WrongPassword") {
    setFieldError(password, true);
    password.input.focus();
  }
  showError(msgs, error, { buttons });
}

// -- off: set it up ------------------------------------------------------------------------

function offView(account, view, msgs) {
  const password = passwordField({
    id: "two-step-password",
    label: t("password"),
    autocomplete: "current-password",
    describedBy: ["two-step-start-text"],
  });
  const submit = h("button", { type: "submit", class: "button button--secondary" }, t("twoStep.start"));
  const form = formOf(msgs, submit, usernameField(account.email), password.wrapper);
  onSubmit(form, submit, async () => {
    msgs.clear();
    if (!requireValue(password, t("fields.password"))) return focusFirstInvalid(form);
    try {
      view.setup(await twoStepApi.enrol(password.input.value));
    } catch (error) {
      passwordRefused(msgs, error, password, [submit]);
    }
  });
  return [h("p", {}, t("twoStep.off")), h("p", { id: "two-step-start-text" }, t("twoStep.startText")), form];
}

/** The key as the app asks for it, in groups of four for reading (apps ignore the spaces). */
export function groupedKey(secret) {
  return secret.replace(/=+$/, "").replace(/(.{4})(?=.)/g, "$1 ");
}

function setupView(enrolment, state, view) {
  const msgs = messages();
  const qr = h("img", {
    class: "two-step__qr",
    src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`,
    alt: t("twoStep.qrAlt"),
  });
  const keyId = nextId("two-step-key");
  const key = h(
    "p",
    { class: "two-step__key" },
    h("span", { class: "visually-hidden", id: keyId }, t("twoStep.key")),
    h("code", { "aria-describedby": keyId, translate: "no" }, groupedKey(enrolment.secret)),
  );
  const code = twoStepCodeField("two-step-code", "app");
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("twoStep.confirm"));
  const cancel = h("button", { type: "button", class: "button button--secondary" }, t("twoStep.cancel"));
  cancel.addEventListener("click", () => view.state(null, true));
  const form = formOf(msgs, submit, code.wrapper);
  form.querySelector(".form__actions").append(cancel);
  onSubmit(form, submit, async () => {
    msgs.clear();
    if (!APP_CODE.test(code.input.value)) {
      setFieldError(code, t("twoStep.fieldAppCode"));
      return focusFirstInvalid(form);
    }
    setFieldError(code, null);
    try {
      const answer = await twoStepApi.confirm(code.input.value);
      state.on = true;
      state.left = answer.recoveryCodes.length;
      view.codes(answer.recoveryCodes, t("twoStep.turnedOn"));
    } catch (error) {
      if (error instanceof ApiError && error.code === "ExpiredCode") {
        msgs.error(t("twoStep.setupExpired"));
        return;
      }
      codeRefused(msgs, error, code, [submit]);
    }
  });
  return [
    h("p", {}, t("twoStep.scan")),
    qr,
    h("p", {}, t("twoStep.typeKey")),
    key,
    h("p", {}, t("twoStep.enterCode")),
    form,
  ];
}

// -- the recovery codes, shown once -----------------------------------------------------------

/** The .txt a person keeps: a title line, what the codes do, one code a line. */
export function recoveryCodesText(email, codes) {
  return [t("twoStep.fileTitle", { email }), t("twoStep.fileText"), "", ...codes, ""].join("\r\n");
}

function codesView(account, codes, view, msgs) {
  const list = h(
    "ol",
    { class: "two-step__codes", translate: "no" },
    codes.map((c) => h("li", {}, h("code", {}, c))),
  );
  const copy = h("button", { type: "button", class: "button button--secondary" }, t("twoStep.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      msgs.status(t("twoStep.copied"));
    } catch {
      // No clipboard (permissions, an old browser): the codes selected, for the person to copy.
      getSelection().selectAllChildren(list);
      msgs.error(t("twoStep.copyFailed"));
    }
  });
  const download = h("button", { type: "button", class: "button button--secondary" }, t("twoStep.download"));
  download.addEventListener("click", () => {
    const filename = t("twoStep.fileName");
    const blob = new Blob([recoveryCodesText(account.email, codes)], { type: "text/plain;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const anchor = h("a", { href: url, download: filename, hidden: true });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    msgs.status(t("twoStep.downloaded", { filename }));
  });
  const done = h("button", { type: "button", class: "button button--primary" }, t("twoStep.saved"));
  // The codes leave the page with this step: they are never shown again.
  done.addEventListener("click", () => view.state(null, true));
  return [
    h("p", {}, t("twoStep.codesText")),
    list,
    h("div", { class: "button-row" }, copy, download),
    h("div", { class: "button-row" }, done),
  ];
}

// -- on: turn it off, new recovery codes ---------------------------------------------------------

/** A form that needs the password and a code (app or recovery): turning off, new codes. */
function passwordAndCodeForm(account, { name, title, text, submitText, danger, send, done }) {
  const msgs = messages();
  const textId = `two-step-${name}-text`;
  const password = passwordField({
    id: `two-step-${name}-password`,
    label: t("password"),
    autocomplete: "current-password",
    describedBy: [textId],
  });
  const code = twoStepCodeField(`two-step-${name}-code`, "either");
  const submit = h("button", { type: "submit", class: `button ${danger ? "button--danger" : "button--secondary"}` }, submitText);
  const form = formOf(msgs, submit, usernameField(account.email), password.wrapper, code.wrapper);
  onSubmit(form, submit, async () => {
    msgs.clear();
    const typed = code.input.value.trim();
    const ok = requireValue(password, t("fields.password")) & Boolean(typed);
    setFieldError(code, typed ? null : t("twoStep.fieldCodeOrRecovery"));
    if (!ok) return focusFirstInvalid(form);
    try {
      done(await send(password.input.value, typed));
    } catch (error) {
      if (error instanceof ApiError && error.code === "WrongPassword") passwordRefused(msgs, error, password, [submit]);
      else codeRefused(msgs, error, code, [submit]);
    }
  });
  return [h("h3", { class: "two-step__title" }, title), h("p", { id: textId }, text), form];
}

function onView(account, state, view, msgs) {
  return [
    msgs.node,
    h("p", {}, t("twoStep.on")),
    h("p", { class: "two-step__left" }, plural("twoStep.codesLeft", state.left)),
    ...passwordAndCodeForm(account, {
      name: "renew",
      title: t("twoStep.newCodesTitle"),
      text: t("twoStep.newCodesText"),
      submitText: t("twoStep.newCodes"),
      send: twoStepApi.newRecoveryCodes,
      done(answer) {
        state.left = answer.recoveryCodes.length;
        view.codes(answer.recoveryCodes, null);
      },
    }),
    ...passwordAndCodeForm(account, {
      name: "off",
      title: t("twoStep.turnOffTitle"),
      text: t("twoStep.turnOffText"),
      submitText: t("twoStep.turnOff"),
      danger: true,
      send: twoStepApi.turnOff,
      done() {
        state.on = false;
        state.left = 0;
        view.state(t("twoStep.turnedOff"), true);
      },
    }),
  ];
}

// "Passkeys" on the account page (issue 16): the account's passkeys with when each was added and
// last used, "Rename" and "Remove" (after a confirmation) on each, and "Add a passkey", named
// after this device unless the person names it otherwise. Adding one asks the API for options
// (the password again when the session is 10 minutes old or more: the API says so with
// `passwordRequired`), lets the browser create the credential, and sends it back.
// Without WebAuthn on this page the list stays (rename and remove need no browser support).

import { ApiError, passkeyApi } from "../api.js";
import { h, nextId } from "../dom.js";
import {
  field,
  focusFirstInvalid,
  messages,
  onSubmit,
  passwordField,
  requireValue,
  setFieldError,
  showError,
  usernameField,
} from "../forms.js";
import { formatDate, t } from "../i18n.js";
import { creationOptions, credentialJSON, deviceName, passkeysSupported, refusalKind } from "../passkeys.js";
import { currentSerial } from "../router.js";

const NAME_MAX = 64; // the API's limit (portal/models/passkeys.py PasskeyName)

/** The account page's "Passkeys" section, for the signed-in `account`. */
export function passkeysSection(account) {
  const titleId = "account-passkeys-title";
  const title = h("h2", { id: titleId, tabindex: "-1" }, t("passkeys.section"));
  const listMsgs = messages();
  const list = h("ul", { class: "passkeys", "aria-labelledby": titleId });
  const empty = h("p", { class: "passkeys__none", hidden: true }, t("passkeys.none"));
  const loading = h("p", { role: "status" }, t("loading"));
  const serial = currentSerial();

  const show = (items) => {
    loading.replaceChildren();
    empty.hidden = items.length > 0;
    list.replaceChildren(...items.map((item) => passkeyItem(item, { listMsgs, reload, title })));
  };
  async function reload() {
    try {
      const { items } = await passkeyApi.list();
      if (serial === currentSerial()) show(items);
    } catch (error) {
      if (serial === currentSerial()) {
        loading.replaceChildren();
        showError(listMsgs, error);
      }
    }
  }
  reload();

  return h(
    "section",
    { class: "panel", "aria-labelledby": titleId },
    title,
    h("p", {}, t("passkeys.intro")),
    listMsgs.node,
    loading,
    list,
    empty,
    passkeysSupported() ? addForm(account, reload) : h("p", { class: "passkeys__unsupported" }, t("passkeys.unsupported")),
  );
}

function passkeyItem(item, { listMsgs, reload, title }) {
  const name = h("h3", { class: "passkey__name" }, item.name);
  const dates = h(
    "p",
    { class: "passkey__dates" },
    `${t("passkeys.created", { date: formatDate(item.createdAt) })} · ${
      item.lastUsedAt ? t("passkeys.lastUsed", { date: formatDate(item.lastUsedAt) }) : t("passkeys.neverUsed")
    }`,
  );
  const rename = h(
    "button",
    { type: "button", class: "button button--secondary", "aria-label": t("passkeys.renameFull", { name: item.name }) },
    t("passkeys.rename"),
  );
  const remove = h(
    "button",
    { type: "button", class: "button button--secondary", "aria-label": t("passkeys.removeFull", { name: item.name }) },
    t("passkeys.remove"),
  );
  const actions = h("div", { class: "button-row" }, rename, remove);
  const li = h("li", { class: "passkey" }, name, dates, actions);
  const back = (focus) => {
    li.replaceChildren(name, dates, actions);
    focus.focus();
  };

  rename.addEventListener("click", () => {
    const msgs = messages();
    const input = field({
      id: nextId("passkey-rename"),
      label: t("passkeys.newName", { name: item.name }),
      maxlength: NAME_MAX,
      autocomplete: "off",
      value: item.name,
    });
    const save = h("button", { type: "submit", class: "button button--primary" }, t("save"));
    const cancel = h("button", { type: "button", class: "button button--secondary" }, t("passkeys.cancel"));
    const form = h(
      "form",
      { class: "form", novalidate: true },
      msgs.node,
      input.wrapper,
      h("div", { class: "form__actions" }, save, cancel),
    );
    cancel.addEventListener("click", () => back(rename));
    onSubmit(form, save, async () => {
      msgs.clear();
      if (!requireValue(input, t("passkeys.nameRequired"))) return focusFirstInvalid(form);
      try {
        const renamed = await passkeyApi.rename(item.id, input.input.value.trim());
        listMsgs.status(t("passkeys.renamed", { name: renamed.name }));
        await reload();
        title.focus();
      } catch (error) {
        if (error instanceof ApiError && error.code === "InvalidParameter") {
          setFieldError(input, t("passkeys.nameRequired"));
          return focusFirstInvalid(form);
        }
        showError(msgs, error, { buttons: [save] });
      }
    });
    li.replaceChildren(name, dates, form);
    input.input.focus();
    input.input.select();
  });

  remove.addEventListener("click", () => {
    const msgs = messages();
    const questionId = nextId("passkey-remove");
    const yes = h(
      "button",
      { type: "button", class: "button button--danger", "aria-describedby": questionId },
      t("passkeys.removeYes"),
    );
    const keep = h("button", { type: "button", class: "button button--secondary" }, t("passkeys.keep"));
    const confirm = h(
      "div",
      { class: "passkey__confirm", role: "group", "aria-labelledby": questionId },
      h("p", { id: questionId }, t("passkeys.removeConfirm", { name: item.name })),
      msgs.node,
      h("div", { class: "button-row" }, yes, keep),
    );
    keep.addEventListener("click", () => back(remove));
    yes.addEventListener("click", async () => {
      if (yes.classList.contains("is-busy")) return;
      yes.classList.add("is-busy");
      try {
        await passkeyApi.remove(item.id);
        listMsgs.status(t("passkeys.removed", { name: item.name }));
        await reload();
        title.focus();
      } catch (error) {
        yes.classList.remove("is-busy");
        if (error instanceof ApiError && error.code === "NotFound") {
          // Removed already (another tab, or support): the list shows what is left.
          listMsgs.status(t("passkeys.removed", { name: item.name }));
          await reload();
          title.focus();
          return;
        }
        showError(msgs, error, { buttons: [yes] });
      }
    });
    li.replaceChildren(name, dates, confirm);
    yes.focus();
  });
  return li;
}

function addForm(account, reload) {
  const msgs = messages();
  const name = field({
    id: "passkey-name",
    label: t("passkeys.name"),
    hint: t("passkeys.nameHint"),
    maxlength: NAME_MAX,
    autocomplete: "off",
    value: deviceName(t("passkeys.deviceName")).slice(0, NAME_MAX),
  });
  // Asked for only when the API wants it (a session 10 minutes old or more).
  const password = passwordField({ id: "passkey-password", label: t("password"), autocomplete: "current-password" });
  const passwordPart = h("div", { hidden: true }, usernameField(account.email), password.wrapper);
  const submit = h("button", { type: "submit", class: "button button--primary" }, t("passkeys.add"));
  const form = h(
    "form",
    { class: "form", novalidate: true },
    msgs.node,
    name.wrapper,
    passwordPart,
    h("div", { class: "form__actions" }, submit),
  );
  const askPassword = () => !passwordPart.hidden;

  onSubmit(form, submit, async () => {
    msgs.clear();
    setFieldError(password, null);
    let ok = requireValue(name, t("passkeys.nameRequired"));
    if (askPassword()) ok = requireValue(password, t("fields.password")) && ok;
    if (!ok) return focusFirstInvalid(form);

    let options;
    try {
      ({ publicKey: options } = await passkeyApi.creationOptions(askPassword() ? password.input.value : null));
    } catch (error) {
      if (error instanceof ApiError && error.passwordRequired) {
        passwordPart.hidden = false;
        msgs.error(t("passkeys.passwordAgain"));
        password.input.focus();
        return;
      }
      if (error instanceof ApiError && error.code === "WrongPassword") setFieldError(password, true);
      showError(msgs, error, { buttons: [submit] });
      if (error instanceof ApiError && error.code === "WrongPassword") password.input.focus();
      return;
    }

    let credential;
    try {
      credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    } catch (error) {
      const kind = refusalKind(error);
      // Closing the browser's prompt is the person's choice, not an error.
      if (kind === "cancelled" || kind === "aborted") msgs.status(t("passkeys.cancelled"));
      else msgs.error(t(kind === "exists" ? "passkeys.exists" : "passkeys.failed"));
      return;
    }

    try {
      const added = await passkeyApi.add(credentialJSON(credential), name.input.value.trim());
      password.input.value = "";
      passwordPart.hidden = true;
      await reload();
      msgs.status(t("passkeys.added", { name: added.name }));
    } catch (error) {
      showError(msgs, error, { buttons: [submit], overrides: { NotAuthorized: t("passkeys.notAdded") } });
    }
  });
  return form;
}

// "Sign in with a passkey" on the log-in screen (issue 16), and the browser's own offer of the
// person's passkeys in the address field's autofill (conditional mediation) where it has one.
//
// Both ask the API for a fresh challenge (POST /v1/auth/passkey/options), let the browser sign it
// with a passkey the person picks (no address needed: the options name no credentials), and send
// the answer (POST /v1/auth/passkey). Only one WebAuthn request may be pending: the autofill's is
// aborted when the button is pressed, when the password form is sent, and when the screen is left.
// The person closing the browser's prompt is not an error; the API's one refusal (401) is said
// plainly. Without WebAuthn on this page nothing of this shows.

import { ApiError, passkeyApi } from "../api.js";
import { h } from "../dom.js";
import { isLocked, showError } from "../forms.js";
import { t } from "../i18n.js";
import { autofillSupported, credentialJSON, passkeysSupported, refusalKind, requestOptions } from "../passkeys.js";
import { currentSerial, onCleanup } from "../router.js";
import { memory } from "../session.js";
import { loggedIn } from "./login.js";

/**
 * The passkey part of the log-in screen for the password `form` and its messages `msgs`; after a
 * sign-in the person goes to `next`. Returns the element to show under the form (or null).
 */
export function passkeySignIn({ form, msgs, next }) {
  if (!passkeysSupported()) return null;
  const serial = currentSerial();
  let autofill = null; // the AbortController of the pending autofill request
  const stopAutofill = () => {
    if (autofill) autofill.abort();
    autofill = null;
  };
  onCleanup(stopAutofill);
  form.addEventListener("submit", stopAutofill); // the person chose their password

  async function finish(session, credential) {
    try {
      await passkeyApi.signIn(session, credentialJSON(credential));
    } catch (error) {
      if (serial !== currentSerial()) return;
      if (error instanceof ApiError && error.status === 401) msgs.error(t("passkeys.refused"));
      else showError(msgs, error, { buttons: [button] });
      return;
    }
    await loggedIn(memory.lastEmail, next); // as after a password: the language, then `next`
  }

  /** Ask the browser for a passkey: `conditional` in the autofill, otherwise in its own prompt. */
  async function ask(conditional) {
    // Made before the options are fetched, so that pressing the button meanwhile stops it too.
    const controller = conditional ? (autofill = new AbortController()) : null;
    const { session, publicKey } = await passkeyApi.signInOptions();
    if (controller && controller.signal.aborted) return;
    const request = { publicKey: requestOptions(publicKey) };
    if (controller) Object.assign(request, { mediation: "conditional", signal: controller.signal });
    const credential = await navigator.credentials.get(request);
    if (serial !== currentSerial() || !credential) return;
    await finish(session, credential);
  }

  async function offerInAutofill() {
    if (!(await autofillSupported()) || serial !== currentSerial()) return;
    try {
      await ask(true);
    } catch {
      // Aborted (the person chose another way), or the offer could not be made: the button remains.
    }
  }

  const button = h("button", { type: "button", class: "button button--secondary" }, t("passkeys.signIn"));
  button.addEventListener("click", async () => {
    if (isLocked(button) || button.classList.contains("is-busy")) return;
    stopAutofill();
    msgs.clear();
    button.classList.add("is-busy");
    try {
      await ask(false);
    } catch (error) {
      if (serial !== currentSerial()) return;
      if (error instanceof ApiError) showError(msgs, error, { buttons: [button] });
      else if (refusalKind(error) === "failed") msgs.error(t("passkeys.failed"));
      // Cancelled by the person (or timed out): not an error; the autofill offers passkeys again.
      if (!(error instanceof ApiError) && refusalKind(error) !== "failed") offerInAutofill();
    } finally {
      button.classList.remove("is-busy");
    }
  });

  offerInAutofill();
  return h("div", { class: "passkey-sign-in" }, h("p", { class: "passkey-sign-in__or" }, t("passkeys.or")), button);
}

// The portal's account screens: the entry point. It installs the route table (one module per
// screen or flow under screens/), the header, the language switch and the skip link, resumes a
// session, and renders. Shared pieces: router.js (routes, flash, re-render), session.js (what is
// remembered between screens), forms.js (fields, messages, errors), checklist.js, dom.js.

import { onSessionChange, resume } from "./api.js";
import { h } from "./dom.js";
import { errorText, screen } from "./forms.js";
import { renderHeader } from "./header.js";
import { language, t } from "./i18n.js";
import { chooseLanguage } from "./preferences.js";
import { captureInputs, clearFlash, configure, main, parseHash, render, setFlash, showFlash } from "./router.js";
import { accountScreen } from "./screens/account.js";
import { codeScreen } from "./screens/code.js";
import { downloadsScreen } from "./screens/downloads.js";
import { emailChangeScreen } from "./screens/email-change.js";
import { loginScreen } from "./screens/login.js";
import { twoStepSignInScreen } from "./screens/login-two-step.js";
import { registerScreen } from "./screens/register.js";
import { passwordChangeScreen } from "./screens/password-change.js";
import { newPasswordScreen, resetDoneScreen, resetScreen } from "./screens/reset.js";
import { videosScreen } from "./screens/videos.js";
import { welcomeScreen } from "./screens/welcome.js";

const SCREENS = {
  "/videos": videosScreen,
  "/register": registerScreen,
  "/verify": () => codeScreen("signup"),
  "/welcome": welcomeScreen,
  "/login": loginScreen,
  "/login/two-step": twoStepSignInScreen,
  "/reset": resetScreen,
  "/reset/code": () => codeScreen("reset"),
  "/reset/new": newPasswordScreen,
  "/reset/done": resetDoneScreen,
  "/account": accountScreen,
  "/account/password": passwordChangeScreen,
  "/account/email": emailChangeScreen,
  "/account/email/code": () => codeScreen("email"),
  "/account/downloads": downloadsScreen,
};

function notFoundScreen() {
  return screen(t("errors.NotFound"), h("p", {}, h("a", { href: "#/videos" }, t("browseVideos"))));
}

async function start() {
  configure({ screens: SCREENS, notFound: notFoundScreen, header: renderHeader });
  document.documentElement.lang = language();
  document.getElementById("language-switch").addEventListener("click", async () => {
    const values = captureInputs();
    const saving = chooseLanguage(language() === "en" ? "fr" : "en");
    clearFlash();
    render({ keepFocus: true, restore: values });
    try {
      await saving;
    } catch (error) {
      setFlash(`${t("languageNotSaved")} ${errorText(error)}`, "error");
      showFlash();
    }
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

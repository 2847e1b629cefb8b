// The site's language and the account's ("Language of this site and of our emails") are one
// choice: the header's switch, the account's setting and logging in keep them the same.

import { api, isLoggedIn } from "./api.js";
import { chosenLanguage, setLanguage } from "./i18n.js";

/** The person picked `lang` (header switch or account): the site switches, and the account follows. */
export async function chooseLanguage(lang) {
  setLanguage(lang);
  if (isLoggedIn()) await api.updateAccount(lang);
}

/**
 * Just logged in: a language the person picked on this device wins (the account takes it);
 * otherwise the site takes the account's. Best effort: the session is what matters here.
 */
export async function alignLanguageAfterLogin() {
  try {
    const picked = chosenLanguage();
    if (picked) await api.updateAccount(picked);
    else setLanguage((await api.account()).language);
  } catch {
    // The account page still shows and saves the language.
  }
}

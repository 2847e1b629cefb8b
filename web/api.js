// The API client: JSON in and out, the error vocabulary as ApiError, and the session's tokens.
//
// Where the tokens live, and why:
// - The access token (a JWT, at most 15 minutes) stays in this module's memory only: a script
//   injected into the page could use it while the page is open, but cannot carry it away from
//   storage later, and closing the tab forgets it.
// - The refresh token goes to sessionStorage so that a reload keeps the person logged in. That
//   is the trade-off: a script running in this origin could read it, which is why the site
//   loads no third-party code and ships a strict Content-Security-Policy. sessionStorage (not
//   localStorage) ends with the tab, and is per tab, so two tabs never spend the same refresh
//   token: the API treats a reused refresh token as theft and ends the whole session.
// - An HttpOnly cookie would hide the refresh token from scripts, but the API is a separate
//   origin that speaks bearer tokens only; that change belongs to the API first.

import config from "./config.js";
import { language } from "./i18n.js";

const REFRESH_KEY = "portal.refreshToken";
const base = String(config.apiBaseUrl || "").replace(/\/+$/, "");

export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfter = extra.retryAfter ?? null;
    this.failedRules = extra.failedRules ?? [];
    this.attemptsRemaining = extra.attemptsRemaining ?? null;
    this.fields = extra.fields ?? [];
    this.passwordRequired = extra.passwordRequired === true;
  }
}

const FALLBACK_CODES = {
  400: "InvalidParameter",
  401: "NotAuthorized",
  403: "UserNotConfirmed",
  404: "NotFound",
  405: "MethodNotAllowed",
  413: "RequestTooLarge",
  415: "UnsupportedMediaType",
  429: "LimitExceeded",
  502: "ServiceUnavailable",
  503: "ServiceUnavailable",
  504: "ServiceUnavailable",
};

function retryAfterSeconds(response, body) {
  const header = response.headers.get("Retry-After");
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - Date.now()) / 1000));
  }
  const fromBody = body && body.error && Number(body.error.retryAfter);
  return Number.isFinite(fromBody) && fromBody > 0 ? fromBody : null;
}

// The public catalogue is read from the site's own origin: CloudFront serves it there from its
// cache (infra/edge.py), as `make run` serves it beside the files; the browser may reuse it too.
async function send(method, path, { body, query, token, siteOrigin = false } = {}) {
  let url = (siteOrigin ? "" : base) + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
    }
    const text = params.toString();
    if (text) url += "?" + text;
  }
  // The API words what a person may read about a refused field in this language.
  const headers = { Accept: "application/json", "Accept-Language": language() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: siteOrigin ? "default" : "no-store",
    });
  } catch {
    throw new ApiError(0, "NetworkError");
  }
  let payload = null;
  if ((response.headers.get("Content-Type") || "").startsWith("application/json")) {
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
  }
  if (response.ok) return payload;
  const error = (payload && payload.error) || {};
  const code =
    error.code || FALLBACK_CODES[response.status] || (response.status >= 500 ? "InternalError" : "InvalidParameter");
  throw new ApiError(response.status, code, error.message, {
    retryAfter: retryAfterSeconds(response, payload),
    failedRules: Array.isArray(error.failedRules) ? error.failedRules : [],
    attemptsRemaining: Number.isInteger(error.attemptsRemaining) ? error.attemptsRemaining : null,
    fields: Array.isArray(error.fields) ? error.fields : [],
    passwordRequired: error.passwordRequired,
  });
}

// -- the session -------------------------------------------------------------------------

let accessToken = null;
let accessExpiresAt = 0;
let refreshing = null;
const listeners = new Set();

function readRefresh() {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function keep(tokens) {
  accessToken = tokens.accessToken;
  // Renew 30 s early so that a call never leaves with a token about to die.
  accessExpiresAt = Date.now() + Math.max(0, (tokens.expiresIn || 0) - 30) * 1000;
  try {
    sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  } catch {
    // Without storage the session lasts as long as the page.
  }
  listeners.forEach((listener) => listener(true));
}

export function forget() {
  const was = isLoggedIn();
  accessToken = null;
  accessExpiresAt = 0;
  try {
    sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    // nothing stored
  }
  if (was) listeners.forEach((listener) => listener(false));
}

export function isLoggedIn() {
  return Boolean(accessToken || readRefresh());
}

export function onSessionChange(listener) {
  listeners.add(listener);
}

/** One refresh at a time: two parallel refreshes with one token would look like theft to the API. */
function refresh() {
  if (!refreshing) {
    const token = readRefresh();
    refreshing = (async () => {
      if (!token) throw new ApiError(401, "SessionEnded");
      try {
        keep(await send("POST", "/v1/auth/refresh", { body: { refreshToken: token } }));
      } catch (error) {
        if (error.status !== 401 && error.status !== 400) throw error;
        forget();
        throw new ApiError(401, "SessionEnded");
      }
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function authorized(method, path, options = {}, retry = true) {
  if (!accessToken || Date.now() >= accessExpiresAt) await refresh();
  try {
    return await send(method, path, { ...options, token: accessToken });
  } catch (error) {
    // A 401 that asks for the password again is about this action, not the session.
    if (error.status !== 401 || error.passwordRequired || !retry) throw error;
    // The access token was refused (expired, or the session ended): one refresh, one retry.
    await refresh();
    return send(method, path, { ...options, token: accessToken });
  }
}

/** On page load: trade a stored refresh token for a fresh pair, quietly. */
export async function resume() {
  if (!readRefresh()) return false;
  try {
    await refresh();
    return true;
  } catch {
    return false;
  }
}

// -- passkeys (issue 16) ------------------------------------------------------------------
// The JSON forms of WebAuthn go as they are: web/passkeys.js converts them for the browser.

export const passkeyApi = {
  list: () => authorized("GET", "/v1/account/passkeys"),
  // A session older than 10 minutes needs the password again: 401 with passwordRequired.
  creationOptions: (password) =>
    authorized("POST", "/v1/account/passkeys/options", { body: password ? { password } : {} }),
  add: (credential, name) =>
    authorized("POST", "/v1/account/passkeys", { body: name ? { credential, name } : { credential } }),
  rename: (id, name) => authorized("PATCH", `/v1/account/passkeys/${encodeURIComponent(id)}`, { body: { name } }),
  remove: (id) => authorized("DELETE", `/v1/account/passkeys/${encodeURIComponent(id)}`),
  signInOptions: () => send("POST", "/v1/auth/passkey/options", { body: {} }),
  async signIn(session, credential) {
    keep(await send("POST", "/v1/auth/passkey", { body: { session, credential } }));
  },
};
// -- end of passkeys ----------------------------------------------------------------------

// -- the routes ---------------------------------------------------------------------------

export const api = {
  register: (email, password, language) =>
    send("POST", "/v1/account/register", { body: { email, password, language } }),
  // The password is set with the code: whoever holds the inbox chooses it (docs/decisions/0008-account-security-review.md).
  verify: (email, code, password) => send("POST", "/v1/account/verify", { body: { email, code, password } }),
  resend: (email) => send("POST", "/v1/account/verify/resend", { body: { email } }),
  /** Null once logged in; with two-step verification on, the challenge the second step answers. */
  async login(email, password) {
    const answer = await send("POST", "/v1/auth/login", { body: { email, password } });
    if (answer && answer.challenge) return answer;
    keep(answer);
    return null;
  },
  async logout(allDevices = false) {
    try {
      await authorized("POST", "/v1/auth/logout", { body: { allDevices } });
    } catch (error) {
      if (error.code !== "SessionEnded") throw error; // already logged out: what was asked
    } finally {
      forget();
    }
  },
  forgot: (email) => send("POST", "/v1/password/forgot", { body: { email } }),
  reset: (email, code, newPassword) => send("POST", "/v1/password/reset", { body: { email, code, newPassword } }),
  account: () => authorized("GET", "/v1/account"),
  updateAccount: (language) => authorized("PATCH", "/v1/account", { body: { language } }),
  // -- where you're signed in (web/screens/account-sessions.js) --
  sessions: () => authorized("GET", "/v1/account/sessions"),
  // Another device's session; this one's ends with logout (it also forgets the tokens here).
  endSession: (sessionId) => authorized("DELETE", `/v1/account/sessions/${encodeURIComponent(sessionId)}`),
  // -- end: where you're signed in --
  // A wrong password on these three is 403 WrongPassword (the session is fine); a 401 is the
  // session, refreshed and retried once like any other call.
  deleteAccount: async (password) => {
    await authorized("DELETE", "/v1/account", { body: { password } });
    forget();
  },
  changePassword: (currentPassword, newPassword) =>
    authorized("POST", "/v1/password/change", { body: { currentPassword, newPassword } }),
  changeEmail: (newEmail, password) => authorized("POST", "/v1/account/email", { body: { newEmail, password } }),
  async verifyEmailChange(code) {
    const account = await authorized("POST", "/v1/account/email/verify", { body: { code } });
    // This session follows the account: a fresh access token carries the new address.
    await refresh();
    return account;
  },
  downloads: (query) => authorized("GET", "/v1/account/downloads", { query }),
  video: (videoId) => send("GET", `/v1/videos/${encodeURIComponent(videoId)}`, { siteOrigin: true }),
  newsletter: (subscribed, source) => authorized("PUT", "/v1/account/newsletter", { body: { subscribed, source } }),
  videos: (query) => send("GET", "/v1/videos", { query, siteOrigin: true }),
  download: (videoId, rendition) =>
    authorized("POST", `/v1/videos/${encodeURIComponent(videoId)}/download`, { body: { rendition } }),
};

// -- two-step verification (issue 15): the second step of a sign-in, and the account's settings --

export const twoStepApi = {
  /** The challenge's session and an app code or a recovery code: the token pair, kept. */
  async signIn(session, { code, recoveryCode }) {
    const body = recoveryCode ? { session, recoveryCode } : { session, code };
    keep(await send("POST", "/v1/auth/login/mfa", { body }));
  },
  // {secret, otpauthUri, qrSvg}: nothing changes at sign-in until `confirm`.
  enrol: (password) => authorized("POST", "/v1/account/mfa/totp", { body: { password } }),
  // {recoveryCodes}: two-step verification is on.
  confirm: (code) => authorized("POST", "/v1/account/mfa/totp/confirm", { body: { code } }),
  // `code`: from the app, or a recovery code.
  turnOff: (password, code) => authorized("DELETE", "/v1/account/mfa/totp", { body: { password, code } }),
  newRecoveryCodes: (password, code) =>
    authorized("POST", "/v1/account/mfa/recovery-codes", { body: { password, code } }),
};
// -- end of two-step verification ---------------------------------------------------------------

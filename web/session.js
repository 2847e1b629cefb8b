// What the client remembers between screens, apart from the tokens (api.js keeps those).

const FLOW_KEY = "portal.flow";
// After a code went out, the API allows the next one to the same address a minute later.
export const RESEND_INTERVAL_SECONDS = 60;

// Kept in memory only, never stored: the sign-up password (to log in right after the code is
// confirmed, so that the newsletter button works), the reset code (between two screens), the
// address last typed (to prefill the next form), and the password of an email change (the API
// asks for it again with each new code).
export const memory = { signupPassword: null, resetCode: null, lastEmail: "", emailChangePassword: null };

/** The code flow in progress (sign-up, reset or email change), kept in sessionStorage so a reload keeps it. */
export function loadFlow() {
  try {
    return JSON.parse(sessionStorage.getItem(FLOW_KEY) || "null");
  } catch {
    return null;
  }
}

export function saveFlow(flow) {
  try {
    if (flow) sessionStorage.setItem(FLOW_KEY, JSON.stringify(flow));
    else sessionStorage.removeItem(FLOW_KEY);
  } catch {
    // The flow then lasts as long as the page.
  }
}

/**
 * A code just went to `email` (`delivery` is the API's {destination, codeExpiresIn}; null when
 * it went earlier): the flow the code screen reads, with the next code allowed `waitSeconds` on.
 */
export function startCodeFlow(kind, email, delivery, { waitSeconds = RESEND_INTERVAL_SECONDS, ...extra } = {}) {
  saveFlow({
    kind,
    email,
    destination: delivery ? delivery.destination : null,
    codeExpiresIn: delivery ? delivery.codeExpiresIn : 1800,
    nextSendAt: Date.now() + waitSeconds * 1000,
    ...extra,
  });
}

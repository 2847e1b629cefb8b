// The browser's side of passkeys (WebAuthn): whether this browser can use them here, the API's
// JSON options turned into what navigator.credentials takes, the credential turned back into JSON,
// a default name for a new passkey, and what a browser's refusal means.
//
// The API speaks WebAuthn Level 3's JSON forms (base64url everywhere). Browsers that have
// PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON and
// credential.toJSON() do the conversion themselves; for the others, the few binary members are
// converted here (nothing else in those forms is binary).

/**
 * Whether passkeys can work on this page: the browser has WebAuthn, the page is a secure context,
 * and its host is a domain name (a WebAuthn relying party is a domain; an IP address never is, so
 * at http://127.0.0.1 the browser would refuse every request).
 */
export function passkeysSupported() {
  if (typeof window.PublicKeyCredential !== "function" || !navigator.credentials || !window.isSecureContext)
    return false;
  const host = location.hostname;
  return !(/^[\d.]+$/.test(host) || host.includes(":") || host.startsWith("["));
}

/** Whether the browser offers passkeys in the address field's autofill (conditional mediation). */
export async function autofillSupported() {
  if (!passkeysSupported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") return false;
  try {
    return await PublicKeyCredential.isConditionalMediationAvailable();
  } catch {
    return false;
  }
}

function toBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function toText(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const descriptors = (list) => (list || []).map((d) => ({ ...d, id: toBytes(d.id) }));

/** PublicKeyCredentialCreationOptionsJSON -> what navigator.credentials.create takes. */
export function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function")
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: toBytes(json.challenge),
    user: { ...json.user, id: toBytes(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

/** PublicKeyCredentialRequestOptionsJSON -> what navigator.credentials.get takes. */
export function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function")
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  const options = { ...json, challenge: toBytes(json.challenge) };
  if (json.allowCredentials) options.allowCredentials = descriptors(json.allowCredentials);
  return options;
}

/** A PublicKeyCredential as RegistrationResponseJSON or AuthenticationResponseJSON. */
export function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toText(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toText(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = toText(r.authenticatorData);
    response.signature = toText(r.signature);
    if (r.userHandle) response.userHandle = toText(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
  };
}

const BROWSERS = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\//, "Opera"],
  [/SamsungBrowser\//, "Samsung Internet"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/Chrome\/|CriOS\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS = [
  [/iPhone/, "iPhone"],
  [/iPad/, "iPad"],
  [/Android/, "Android"],
  [/CrOS/, "ChromeOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

/**
 * A name for a passkey made on this device, from what the browser says about itself: "Chrome on
 * Windows". `pattern` is the language's way to say it ("{browser} on {system}").
 */
export function deviceName(pattern) {
  const ua = navigator.userAgent || "";
  const browser = (BROWSERS.find(([re]) => re.test(ua)) || [null, ""])[1];
  const system = (SYSTEMS.find(([re]) => re.test(ua)) || [null, ""])[1];
  if (browser && system) return pattern.replace("{browser}", browser).replace("{system}", system);
  return browser || system || "";
}

/**
 * What a browser's refusal of navigator.credentials.create/get means for the person:
 * "cancelled" (they closed the prompt, or it timed out: not an error), "aborted" (this page
 * stopped it), "exists" (this device already holds a passkey for the account), or "failed".
 */
export function refusalKind(error) {
  const name = error && error.name;
  if (name === "NotAllowedError") return "cancelled";
  if (name === "AbortError") return "aborted";
  if (name === "InvalidStateError") return "exists";
  return "failed";
}

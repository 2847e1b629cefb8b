// The password checklist's local half: the rules of portal/passwords.py that a browser can
// compute, under the same ids the API returns in `failedRules`. The API stays the judge: after a
// submit its answer replaces these guesses, and `common` (the 10,000 most used passwords) is only
// ever known from it.

export const RULE_IDS = [
  "minLength",
  "maxLength",
  "noWhitespace",
  "noControlCharacters",
  "uppercase",
  "lowercase",
  "digit",
  "symbol",
  "common",
  "containsEmail",
  "containsName",
];
// Shown only when broken: nobody types 129 characters or a control character by accident.
export const QUIET_RULES = new Set(["maxLength", "noControlCharacters"]);
export const SERVER_ONLY = new Set(["common", "containsName"]);

const MIN_LENGTH = 12;
const MAX_LENGTH = 128;
const MIN_LOCAL_PART_CHECKED = 3;
const WHITESPACE = /\s/u;
const CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u;
const UPPER = /\p{Uppercase}/u;
const LOWER = /\p{Lowercase}/u;
const DIGIT = /\p{Nd}/u;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

const isControl = (ch) => !WHITESPACE.test(ch) && CONTROL.test(ch);

const LOCAL_RULES = {
  minLength: (chars) => chars.length >= MIN_LENGTH,
  maxLength: (chars) => chars.length <= MAX_LENGTH,
  noWhitespace: (chars) => !chars.some((ch) => WHITESPACE.test(ch)),
  noControlCharacters: (chars) => !chars.some(isControl),
  uppercase: (chars) => chars.some((ch) => UPPER.test(ch)),
  lowercase: (chars) => chars.some((ch) => LOWER.test(ch)),
  digit: (chars) => chars.some((ch) => DIGIT.test(ch)),
  symbol: (chars) => chars.some((ch) => !LETTER_OR_NUMBER.test(ch) && !WHITESPACE.test(ch) && !isControl(ch)),
  containsEmail: (chars, local) =>
    local.length < MIN_LOCAL_PART_CHECKED || !chars.join("").toLowerCase().includes(local.toLowerCase()),
};

/**
 * Each rule id -> true (holds), false (broken) or null (only the API can tell).
 * Passwords are compared in NFKC, as the API does; length counts code points, as Python does.
 */
export function checkLocally(password, email = "") {
  const chars = [...password.normalize("NFKC")];
  const at = email.lastIndexOf("@");
  const local = at > 0 ? email.slice(0, at).trim() : "";
  const result = {};
  for (const id of RULE_IDS) {
    result[id] = id in LOCAL_RULES ? LOCAL_RULES[id](chars, local) : null;
  }
  return result;
}

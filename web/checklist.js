// The live password checklist under a new-password input.

import { h, nextId } from "./dom.js";
import { t } from "./i18n.js";
import { QUIET_RULES, RULE_IDS, SERVER_ONLY, checkLocally } from "./passwords.js";

/**
 * The live checklist under a new-password input. Each item is one of the API's rule ids; the
 * browser checks what it can as the person types, and the API's `failedRules` answer (for the
 * password it judged) overrides that until the password changes.
 */
export function passwordChecklist(input, emailOf) {
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

// The diagnostic registry, seen from lint: it is defined in cfg/rules.ts
// because cfg/ (below lint/ in the layer order) already types its diagnostics
// with it. Listing and lookup helpers for `lint --list-rules`, SARIF and docs.
export { RULES, RULE_IDS, ruleInfo, isRuleId, type RuleId, type RuleInfo, type Phase } from '../cfg/rules.js';
import { RULES, RULE_IDS } from '../cfg/rules.js';

/** `lint --list-rules`: one line per rule, `id  phase  severity  description`. */
export function listRules(): string {
  const w = Math.max(...RULE_IDS.map((id) => id.length));
  return RULE_IDS.map((id) => {
    const r = RULES[id];
    return `${id.padEnd(w)}  ${r.phase.padEnd(8)}  ${r.severity.padEnd(7)}  ${r.description}`;
  }).join('\n');
}

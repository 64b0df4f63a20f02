// docs/lint-rules.md, generated from the diagnostic registry (src/cfg/rules.ts)
// by `npm run docs:rules`; test/docs/rules-doc.test.ts fails when it is stale.
import { RULES, RULE_IDS, type Phase, type RuleId } from './codes.js';

const PHASES: { phase: Phase; title: string; text: string }[] = [
  {
    phase: 'parse',
    title: 'Found while reading the cfg',
    text: 'OpenSIPS 3.3 stops at the first of these, at its line (`opensips -C` prints it as `parse error in FILE:LINE:COL`); `check` lists them first, in file order.',
  },
  {
    phase: 'start-up',
    title: 'Found at start-up',
    text: 'OpenSIPS 3.3 finds these once the whole file is read (module dependencies, route references); `check` lists them after the parse errors.',
  },
  {
    phase: 'lint',
    title: 'Found by lint',
    text: 'Checks only `opensips-ts lint` runs: arguments against the export tables, route types, return codes, unused and never-set names.',
  },
];

/** The anchor of a rule's section in docs/lint-rules.md (GitHub's heading slugs: the id is already lower-case with dashes). */
export function ruleAnchor(id: RuleId): string {
  return id;
}

export function rulesDoc(): string {
  const out = [
    '# Lint rules',
    '',
    '<!-- Generated from src/cfg/rules.ts by `npm run docs:rules`; do not edit by hand. -->',
    '',
    `Every diagnostic opensips-ts reports carries one of these ${RULE_IDS.length} rule ids. \`opensips-ts lint --list-rules\` prints the same list;`,
    '`--format sarif` carries the descriptions and links here.',
    '',
    'The severity is the one `lint` reports, whatever the profile: what OpenSIPS 3.3 refuses is an error. Rules marked',
    '*tolerated* are refusals that `run` and `check` accept in the default profile (as warnings), so that configs such as',
    "the blog's run verbatim; `--strict` refuses them as OpenSIPS 3.3 does.",
    '',
  ];
  for (const { phase, title, text } of PHASES) {
    const ids = RULE_IDS.filter((id) => RULES[id].phase === phase);
    out.push(`## ${title}`, '', text, '', '| rule | severity | what it finds |', '| --- | --- | --- |');
    for (const id of ids) {
      const r = RULES[id];
      out.push(
        `| [\`${id}\`](#${ruleAnchor(id)}) | ${r.severity}${'tolerated' in r ? ' (tolerated)' : ''} | ${r.description.replaceAll('|', '\\|')} |`,
      );
    }
    out.push('');
    for (const id of ids) {
      const r = RULES[id];
      out.push(
        `### ${id}`,
        '',
        `${r.description} *${phase}, ${r.severity}${'tolerated' in r ? ', tolerated by the default profile' : ''}.*`,
        '',
        r.help,
        '',
      );
      if ('noLintCase' in r) out.push(`Not reported by \`lint\`: ${r.noLintCase}.`, '');
    }
  }
  return out.join('\n');
}

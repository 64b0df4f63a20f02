// --format sarif against the SARIF 2.1.0 schema's constraints (the ones our
// output can break, written here as facts of the spec) and GitHub code
// scanning's upload rules (the SARIF Multitool's SARIF2012 ProvideRuleProperties
// and GH1001-GH1007: required location and region properties, relative URIs,
// fully formatted messages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as Sarif from 'sarif';
import { lintCfg } from '../../src/lint/lint.js';
import { formatSarif, sarifLog } from '../../src/lint/format-sarif.js';
import { RULES, isRuleId } from '../../src/lint/codes.js';
import { BLOG_DIR } from '../helpers/cfg.js';

const LINT_DIR = new URL('../../conformance/lint/', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const LEVELS = ['none', 'note', 'warning', 'error'];

/** The SARIF 2.1.0 schema's requirements on the parts we emit; every problem as a path and what is wrong. */
function schemaProblems(log: Sarif.Log): string[] {
  const bad: string[] = [];
  const need = (ok: unknown, where: string): void => {
    if (!ok) bad.push(where);
  };
  need(log.version === '2.1.0', 'version must be "2.1.0"');
  need(typeof log.$schema === 'string' && /^https:\/\//.test(log.$schema), '$schema is a URI');
  need(Array.isArray(log.runs), 'runs is an array');
  for (const [ri, run] of (log.runs ?? []).entries()) {
    const driver = run.tool?.driver;
    need(typeof driver?.name === 'string' && driver.name.length > 0, `runs[${ri}].tool.driver.name is required`);
    if (driver?.informationUri !== undefined)
      need(/^https?:\/\//.test(driver.informationUri), 'informationUri is an absolute URI');
    const rules = driver?.rules ?? [];
    const ids = new Set<string>();
    for (const [i, r] of rules.entries()) {
      const at = `rules[${i}] ${r.id}`;
      need(typeof r.id === 'string' && r.id.length > 0, `${at}: id is required`);
      need(!ids.has(r.id), `${at}: ids are unique`);
      ids.add(r.id);
      for (const k of ['shortDescription', 'fullDescription', 'help'] as const) {
        if (r[k] !== undefined)
          need(
            typeof r[k]!.text === 'string' && r[k]!.text.length > 0,
            `${at}: ${k}.text is required in a multiformatMessageString`,
          );
      }
      if (r.helpUri !== undefined) need(/^https?:\/\//.test(r.helpUri), `${at}: helpUri is an absolute URI`);
      if (r.defaultConfiguration?.level !== undefined)
        need(LEVELS.includes(r.defaultConfiguration.level), `${at}: level enum`);
    }
    for (const [i, res] of (run.results ?? []).entries()) {
      const at = `results[${i}]`;
      need(typeof res.message?.text === 'string', `${at}: message.text (or id) is required`);
      if (res.level !== undefined) need(LEVELS.includes(res.level), `${at}: level enum`);
      if (res.ruleIndex !== undefined)
        need(
          Number.isInteger(res.ruleIndex) && res.ruleIndex >= 0 && rules[res.ruleIndex]?.id === res.ruleId,
          `${at}: ruleIndex points at the rule ${res.ruleId}`,
        );
      for (const loc of [...(res.locations ?? []), ...(res.relatedLocations ?? [])]) {
        const reg = loc.physicalLocation?.region;
        if (!reg) continue;
        need(Number.isInteger(reg.startLine) && reg.startLine! >= 1, `${at}: region.startLine >= 1`);
        if (reg.startColumn !== undefined)
          need(Number.isInteger(reg.startColumn) && reg.startColumn >= 1, `${at}: region.startColumn >= 1`);
        if (reg.endLine !== undefined) need(reg.endLine >= reg.startLine!, `${at}: endLine >= startLine`);
        // endColumn is one past the last character: an empty region on one line has endColumn == startColumn.
        if (reg.endColumn !== undefined)
          need(
            reg.endColumn >= 1 &&
              ((reg.endLine ?? reg.startLine) !== reg.startLine || reg.endColumn >= (reg.startColumn ?? 1)),
            `${at}: endColumn after startColumn`,
          );
      }
    }
  }
  return bad;
}

/** GitHub code scanning's upload rules, as the Multitool checks them. */
function githubProblems(log: Sarif.Log): string[] {
  const bad: string[] = [];
  const need = (ok: unknown, where: string): void => {
    if (!ok) bad.push(where);
  };
  for (const run of log.runs) {
    const driver = run.tool.driver;
    need(
      driver.informationUri === undefined || !/github\.com\/opensips-ts\/opensips-ts/.test(driver.informationUri),
      'informationUri must not point at a repository that does not exist',
    );
    for (const r of driver.rules ?? []) {
      // SARIF2012: rules provide a friendly name, a short and a full description, and help.
      need(
        r.name && r.name !== r.id && /^[A-Z][A-Za-z0-9]*$/.test(r.name),
        `${r.id}: name is PascalCase and differs from the id`,
      );
      need(
        r.shortDescription?.text && r.shortDescription.text !== r.id,
        `${r.id}: shortDescription differs from the id`,
      );
      need(r.fullDescription?.text, `${r.id}: fullDescription`);
      need(
        r.fullDescription?.text !== r.shortDescription?.text,
        `${r.id}: fullDescription says more than shortDescription`,
      );
      need(r.help?.text, `${r.id}: help`);
      // SARIF2001: descriptions are sentences.
      need(
        /[.]$/.test(r.shortDescription?.text ?? '') && /[.)]$/.test(r.fullDescription?.text ?? ''),
        `${r.id}: descriptions end with a period`,
      );
      need(r.defaultConfiguration?.level, `${r.id}: defaultConfiguration.level`);
    }
    for (const res of run.results ?? []) {
      need(res.ruleId, 'GH: every result has a ruleId');
      need(res.message.text && !/\{\d+\}/.test(res.message.text), 'GH1007: fully formatted message text');
      need(res.locations?.length, `GH1001: ${res.ruleId} has a location`);
      for (const loc of res.locations ?? []) {
        const uri = loc.physicalLocation?.artifactLocation?.uri ?? '';
        need(
          uri && !/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('/'),
          `GH1005: ${uri} is relative to the repository root`,
        );
        need(!uri.includes('\\'), `GH1005: ${uri} uses forward slashes`);
        need(loc.physicalLocation?.region?.startLine, 'GH1003: region.startLine');
      }
    }
  }
  return bad;
}

function lintSarif(file: string): Sarif.Log {
  return JSON.parse(formatSarif(lintCfg(file, { profile: { strict: false } }).diagnostics, ROOT, '0.1.0')) as Sarif.Log;
}

test("SARIF of the blog configs and every golden case passes the 2.1.0 schema constraints and GitHub's rules", async () => {
  const { readdirSync } = await import('node:fs');
  const files = [
    BLOG_DIR + 'blog-registrar.cfg',
    BLOG_DIR + 'blog-mid-registrar.cfg',
    ...readdirSync(LINT_DIR)
      .filter((f) => f.endsWith('.cfg'))
      .map((f) => LINT_DIR + f),
  ];
  for (const f of files) {
    const log = lintSarif(f);
    assert.deepEqual(schemaProblems(log), [], f);
    assert.deepEqual(githubProblems(log), [], f);
  }
});

test('rule metadata comes from the registry: descriptions, help, default level; no made-up URI', () => {
  const log = lintSarif(BLOG_DIR + 'blog-registrar.cfg');
  const driver = log.runs[0]!.tool.driver;
  assert.equal(driver.informationUri, undefined);
  const rule = driver.rules!.find((r) => r.id === 'route-undefined')!;
  assert.equal(rule.shortDescription!.text, RULES['route-undefined'].description);
  assert.match(rule.fullDescription!.text, /refuses to start/);
  assert.equal(rule.help!.text, RULES['route-undefined'].help);
  assert.match(rule.help!.markdown!, /\(docs\/lint-rules\.md#route-undefined\)/);
  assert.equal(rule.defaultConfiguration!.level, 'error');
  assert.equal(rule.helpUri, undefined);
  assert.equal(driver.rules!.find((r) => r.id === 'flag-never-set')!.defaultConfiguration!.level, 'warning');
  for (const r of driver.rules!) assert.ok(isRuleId(r.id));
});

test("with a homepage, informationUri and helpUri point at it and at the rule's anchor in docs/lint-rules.md", () => {
  const diags = lintCfg(LINT_DIR + 'route-undefined.cfg', { profile: { strict: false } }).diagnostics;
  const log = sarifLog(diags, ROOT, '0.1.0', { homepage: 'https://example.org/opensips-ts' });
  const driver = log.runs[0]!.tool.driver;
  assert.equal(driver.informationUri, 'https://example.org/opensips-ts');
  assert.equal(
    driver.rules!.find((r) => r.id === 'route-undefined')!.helpUri,
    'https://example.org/opensips-ts/docs/lint-rules.md#route-undefined',
  );
  assert.deepEqual(schemaProblems(log), []);
});

test('the structural checks catch what GitHub refuses (the checks can fail)', () => {
  const log = lintSarif(LINT_DIR + 'route-undefined.cfg');
  const broken = structuredClone(log);
  const r = broken.runs[0]!.tool.driver.rules![0]!;
  r.shortDescription = { text: r.id };
  delete r.fullDescription;
  broken.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri = '/abs/path.cfg';
  broken.runs[0]!.results![0]!.locations![0]!.physicalLocation!.region!.startLine = 0;
  assert.equal(githubProblems(broken).length >= 3, true);
  assert.ok(schemaProblems(broken).some((p) => /startLine/.test(p)));
});

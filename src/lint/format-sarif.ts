// `--format sarif`: SARIF 2.1.0 that GitHub code scanning accepts. Rule
// metadata comes from the diagnostic registry: the one-line description as
// shortDescription, description and help as fullDescription and help, lint's
// severity as the default level, and a link into docs/lint-rules.md when the
// package says where its documentation lives (package.json `homepage`).
import type * as Sarif from 'sarif';
import type { Diagnostic, Severity } from '../cfg/diagnostic.js';
import { RULES, type RuleId } from './codes.js';
import { displayPath } from './pretty.js';
import { ruleAnchor } from './rules-doc.js';

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

export interface SarifOptions {
  /** Where the project's documentation lives (package.json `homepage`); without it no URI is made up. */
  homepage?: string;
}

function uri(path: string, cwd: string): string {
  return displayPath(path, cwd).split('\\').join('/');
}

function ruleDescriptor(id: RuleId, opts: SarifOptions): Sarif.ReportingDescriptor {
  const r = RULES[id];
  const doc = `docs/lint-rules.md#${ruleAnchor(id)}`;
  return {
    id,
    name: id.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase()),
    shortDescription: { text: r.description },
    fullDescription: { text: `${r.description} ${r.help}` },
    help: {
      text: r.help,
      markdown: `${r.help}\n\nSee [${doc}](${opts.homepage ? new URL(doc, opts.homepage.replace(/\/?$/, '/')).href : doc}).`,
    },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { phase: r.phase, ...('tolerated' in r ? { toleratedByDefaultProfile: true } : {}) },
    ...(opts.homepage ? { helpUri: new URL(doc, opts.homepage.replace(/\/?$/, '/')).href } : {}),
  };
}

function region(d: Diagnostic): Sarif.Region {
  const s = d.span;
  return {
    startLine: s.line,
    startColumn: s.col,
    endLine: Math.max(s.endLine, s.line),
    endColumn: s.endLine > s.line ? Math.max(s.endCol, 1) : Math.max(s.endCol, s.col + 1),
  };
}

export function sarifLog(
  diags: readonly Diagnostic[],
  cwd: string,
  version: string,
  opts: SarifOptions = {},
): Sarif.Log {
  const ids = [...new Set(diags.map((d) => d.rule))].sort();
  const results: Sarif.Result[] = diags.map((d) => ({
    ruleId: d.rule,
    ruleIndex: ids.indexOf(d.rule),
    level: LEVEL[d.severity],
    message: { text: d.hint ? `${d.message} (${d.hint})` : d.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(d.span.file, cwd) }, region: region(d) } }],
    ...(d.includeChain?.length
      ? {
          relatedLocations: d.includeChain.map((s, i) => ({
            id: i,
            message: { text: 'included from here' },
            physicalLocation: {
              artifactLocation: { uri: uri(s.file, cwd) },
              region: { startLine: s.line, startColumn: s.col },
            },
          })),
        }
      : {}),
  }));
  const driver: Sarif.ToolComponent = {
    name: 'opensips-ts',
    version,
    semanticVersion: version,
    ...(opts.homepage ? { informationUri: opts.homepage } : {}),
    rules: ids.map((id) => ruleDescriptor(id, opts)),
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver }, results }],
  };
}

export function formatSarif(
  diags: readonly Diagnostic[],
  cwd: string,
  version: string,
  opts: SarifOptions = {},
): string {
  return JSON.stringify(sarifLog(diags, cwd, version, opts), null, 2);
}

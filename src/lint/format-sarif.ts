// `--format sarif`: SARIF 2.1.0, so that GitHub code scanning can show the results.
import type { Diagnostic } from '../cfg/diagnostic.js';
import { displayPath } from './pretty.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function formatSarif(diags: readonly Diagnostic[], cwd: string, version: string): string {
  const rules = [...new Set(diags.map((d) => d.rule))].sort();
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'opensips-ts', version, informationUri: 'https://github.com/opensips-ts/opensips-ts', rules: rules.map((id) => ({ id, shortDescription: { text: id } })) } },
      results: diags.map((d) => ({
        ruleId: d.rule,
        ruleIndex: rules.indexOf(d.rule),
        level: LEVEL[d.severity],
        message: { text: d.hint ? `${d.message} (${d.hint})` : d.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: displayPath(d.span.file, cwd).split('\\').join('/') },
            region: { startLine: d.span.line, startColumn: d.span.col, endLine: d.span.endLine, endColumn: Math.max(d.span.endCol, d.span.col + 1) },
          },
        }],
        ...(d.includeChain?.length ? { relatedLocations: d.includeChain.map((s, i) => ({ id: i, message: { text: 'included from here' }, physicalLocation: { artifactLocation: { uri: displayPath(s.file, cwd) }, region: { startLine: s.line, startColumn: s.col } } })) } : {}),
      })),
    }],
  }, null, 2);
}

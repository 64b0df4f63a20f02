// Quick fixes for the diagnostics whose fix is mechanical: load the module a
// function belongs to, define a route that is called, quote a bare word,
// unquote a number. Each reads the diagnostic's rule id and its hint (the
// same text `lint` prints), so the fix and the advice cannot drift apart.
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic as LspDiagnostic,
  type TextEdit,
} from 'vscode-languageserver';
import type { Analysis } from './analysis.js';

export interface DiagnosticData {
  hint?: string;
}

function edit(uri: string, title: string, d: LspDiagnostic, edits: TextEdit[]): CodeAction {
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [d],
    edit: { changes: { [uri]: edits } },
    isPreferred: true,
  };
}

/** Where a new `loadmodule` goes: after the last one of the file, else at the top. */
function loadmoduleInsertion(a: Analysis): { line: number; character: number } {
  const last = a.index.loadmodules.filter((l) => l.span.file === a.path).pop();
  return last ? { line: a.lines.positionAt(last.span.endOffset).line + 1, character: 0 } : { line: 0, character: 0 };
}

function fixFor(a: Analysis, uri: string, d: LspDiagnostic): CodeAction | undefined {
  const hint = (d.data as DiagnosticData | undefined)?.hint ?? '';
  const text = a.text.slice(a.lines.offsetAt(d.range.start), a.lines.offsetAt(d.range.end));
  let m: RegExpExecArray | null;
  switch (d.code) {
    case 'missing-loadmodule':
      if (!(m = /loadmodule "([\w-]+\.so)"/.exec(hint))) return undefined;
      return edit(uri, `Add loadmodule "${m[1]}"`, d, [
        { range: { start: loadmoduleInsertion(a), end: loadmoduleInsertion(a) }, newText: `loadmodule "${m[1]}"\n` },
      ]);
    case 'route-undefined': {
      const name = text.replace(/^["']|["']$/g, '');
      const end = a.lines.positionAt(a.text.length);
      const sep = a.text.endsWith('\n') ? '\n' : '\n\n';
      return edit(uri, `Define route[${name}]`, d, [
        { range: { start: end, end }, newText: `${sep}route[${name}] {\n\treturn;\n}\n` },
      ]);
    }
    case 'bare-word-argument':
      return edit(uri, `Quote it: "${text}"`, d, [{ range: d.range, newText: `"${text}"` }]);
    case 'argument-type':
      if (!(m = /remove the quotes: (-?\d+)/.exec(hint))) return undefined;
      return edit(uri, `Remove the quotes: ${m[1]}`, d, [{ range: d.range, newText: m[1]! }]);
    default:
      return undefined;
  }
}

export function codeActions(a: Analysis, uri: string, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  return diagnostics.flatMap((d) => fixFor(a, uri, d) ?? []);
}

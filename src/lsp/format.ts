// Formatting: `opensips-ts fmt`'s canonical layout as one edit over the whole
// document; nothing while the text has a syntax error (the layout of broken
// text would be a guess).
import type { TextEdit } from 'vscode-languageserver';
import { hasErrors } from '../cfg/diagnostic.js';
import { parseCfgText } from '../cfg/parse.js';
import { printCfg } from '../cfg/print.js';
import { LineIndex } from './text.js';

export function formatDocument(path: string, text: string): TextEdit[] {
  const parsed = parseCfgText(text, path, { strict: false });
  if (hasErrors(parsed.diagnostics.filter((d) => d.rule === 'syntax' || d.rule === 'unterminated-string'))) return [];
  const formatted = printCfg(parsed.result, parsed.comments);
  if (formatted === text) return [];
  const lines = new LineIndex(text);
  return [{ range: { start: { line: 0, character: 0 }, end: lines.positionAt(text.length) }, newText: formatted }];
}

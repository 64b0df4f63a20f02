// The language server over stdio, driven as an editor drives it: diagnostics
// on open and change (the same findings as `opensips-ts lint`), hover,
// completion, definition, references, rename, symbols, formatting and quick
// fixes, then shutdown and exit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  CodeAction,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  Hover,
  Location,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { LspClient } from '../helpers/lsp-client.js';
import { parseCfgText } from '../../src/cfg/parse.js';
import { printCfg } from '../../src/cfg/print.js';

const dir = mkdtempSync(join(tmpdir(), 'ots-lsp-'));
const cfgPath = join(dir, 'proxy.cfg');
const incPath = join(dir, 'extra.cfg');
const uri = pathToFileURL(cfgPath).href;
const incUri = pathToFileURL(incPath).href;

// Line numbers matter below: positions are 0-based lines in LSP.
const CFG = [
  /* 0 */ 'socket=udp:127.0.0.1:5060',
  /* 1 */ 'loadmodule "tm.so"',
  /* 2 */ 'loadmodule "sl.so"',
  /* 3 */ 'modparam("tm", "fr_timeout", 5)',
  /* 4 */ 'include_file "extra.cfg"',
  /* 5 */ 'route {',
  /* 6 */ '\t$var(dest) = $ru;',
  /* 7 */ '\tsetflag(ACC_DONE);',
  /* 8 */ '\tt_on_failure("missed");',
  /* 9 */ '\troute(relay);',
  /* 10 */ '\tif (isflagset(ACC_DONE)) xlog("L_INFO", "to $var(dest)\\n");',
  /* 11 */ '\tsave("location");',
  /* 12 */ '\troute(nowhere);',
  /* 13 */ '}',
  /* 14 */ 'route[relay] {',
  /* 15 */ '\tif (!t_relay()) sl_reply_error();',
  /* 16 */ '\texit;',
  /* 17 */ '}',
  /* 18 */ 'failure_route[missed] {',
  /* 19 */ '\txlog("L_INFO", "failed $T_reply_code\\n");',
  /* 20 */ '}',
  '',
].join('\n');

const INCLUDED = ['route[helper] {', '\tforward(;', '}', ''].join('\n');

let client: LspClient;
let opened: Diagnostic[];

before(async () => {
  writeFileSync(cfgPath, CFG);
  writeFileSync(incPath, INCLUDED);
  client = new LspClient();
  const init = await client.initialize({ debounceMs: 0 });
  assert.ok((init.capabilities as Record<string, unknown>).hoverProvider);
  const includedDiags = client.diagnostics(incUri);
  opened = await client.open(uri, CFG);
  await includedDiags.then((d) => (includedSyntax = d));
});

let includedSyntax: Diagnostic[] = [];

after(async () => {
  const code = await client.stop();
  rmSync(dir, { recursive: true, force: true });
  assert.equal(code, 0, 'the server exits 0 after shutdown + exit');
});

const pos = (line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
const col = (line: number, needle: string, extra = 0): number => CFG.split('\n')[line]!.indexOf(needle) + extra;

test('diagnostics on open: lint findings with rule ids at their positions', () => {
  const save = opened.find((d) => d.code === 'missing-loadmodule');
  assert.ok(save, JSON.stringify(opened, null, 1));
  assert.equal(save.severity, 1);
  assert.deepEqual(save.range.start, { line: 11, character: 1 });
  const nowhere = opened.find((d) => d.code === 'route-undefined');
  assert.ok(nowhere);
  assert.equal(nowhere.range.start.line, 12);
  assert.equal(nowhere.source, 'opensips-ts');
});

test('the syntax error of an included file is published for that file', () => {
  const syntax = includedSyntax.find((d) => d.code === 'syntax');
  assert.ok(syntax, JSON.stringify(includedSyntax));
  assert.equal(syntax.range.start.line, 1);
});

test('diagnostics follow changes (versioned), and a fix clears them', async () => {
  const fixed = CFG.replace('\tsave("location");\n', '').replace('\troute(nowhere);\n', '');
  const diags = await client.change(uri, 2, fixed);
  assert.equal(diags.filter((d) => d.code === 'missing-loadmodule' || d.code === 'route-undefined').length, 0);
  const back = await client.change(uri, 3, CFG);
  assert.ok(back.some((d) => d.code === 'missing-loadmodule'));
});

test('hover: a function shows its signature, module and return codes', async () => {
  const h = await client.request<Hover>('textDocument/hover', pos(15, col(15, 't_relay') + 2));
  const text = (h.contents as { value: string }).value;
  assert.match(text, /t_relay\(/);
  assert.match(text, /module `tm`/);
  assert.match(text, /native in opensips-ts/);
  assert.deepEqual(h.range?.start, { line: 15, character: col(15, 't_relay') });
});

test('hover: a route call shows the first lines of the route', async () => {
  const h = await client.request<Hover>('textDocument/hover', pos(9, col(9, 'relay') + 1));
  assert.match((h.contents as { value: string }).value, /route\[relay\] \{\n\tif \(!t_relay\(\)\)/);
});

test('hover: a module parameter shows its type and default; a pvar its class', async () => {
  const p = await client.request<Hover>('textDocument/hover', pos(3, col(3, 'fr_timeout') + 1));
  assert.match((p.contents as { value: string }).value, /modparam\("tm", "fr_timeout", int\)/);
  const v = await client.request<Hover>('textDocument/hover', pos(6, col(6, '$ru') + 1));
  assert.match((v.contents as { value: string }).value, /`\$ru` \(core\) read\/write/);
});

test("completion: module names, a module's parameters, pvars, routes, loaded functions only", async () => {
  let version = 10;
  const labels = async (line: number, character: number, text?: string): Promise<string[]> => {
    if (text !== undefined) await client.change(uri, ++version, text);
    const r = await client.request<CompletionItem[]>('textDocument/completion', pos(line, character));
    return r.map((i) => i.label);
  };
  const lines = CFG.split('\n');
  const withLine = (n: number, s: string): string => lines.map((l, i) => (i === n ? s : l)).join('\n');
  assert.ok((await labels(2, 12, withLine(2, 'loadmodule "'))).includes('registrar'));
  assert.ok((await labels(3, 16, withLine(3, 'modparam("tm", "'))).includes('fr_inv_timeout'));
  const inRoute = await labels(16, 1, withLine(16, '\t'));
  assert.ok(inRoute.includes('t_relay') && inRoute.includes('sl_send_reply'));
  assert.ok(!inRoute.includes('lookup'), 'functions of modules not loaded are not offered');
  assert.ok((await labels(16, 2, withLine(16, '\t$'))).includes('ru'));
  assert.deepEqual(await labels(16, 6, withLine(16, '\t$var(')), ['dest']);
  assert.ok((await labels(16, 7, withLine(16, '\troute('))).includes('relay'));
  assert.deepEqual(await labels(16, 15, withLine(16, '\tt_on_failure("')), ['missed']);
  await client.change(uri, 99, CFG);
});

test('definition: route call to its block; flag to its setflag; $var to its first assignment', async () => {
  const r = await client.request<Location>('textDocument/definition', pos(9, col(9, 'relay') + 2));
  assert.equal(r.uri, uri);
  assert.deepEqual(r.range.start, { line: 14, character: 6 });
  const f = await client.request<Location>('textDocument/definition', pos(10, col(10, 'ACC_DONE') + 1));
  assert.equal(f.range.start.line, 7);
  const v = await client.request<Location>('textDocument/definition', pos(10, col(10, 'dest') + 1));
  assert.deepEqual(v.range, { start: { line: 6, character: 6 }, end: { line: 6, character: 10 } });
});

test('references: every call of a route, with or without its declaration', async () => {
  const all = await client.request<Location[]>('textDocument/references', {
    ...pos(14, 8),
    context: { includeDeclaration: true },
  });
  assert.deepEqual(
    all.map((l) => l.range.start.line),
    [14, 9],
  );
  const calls = await client.request<Location[]>('textDocument/references', {
    ...pos(14, 8),
    context: { includeDeclaration: false },
  });
  assert.deepEqual(
    calls.map((l) => l.range.start.line),
    [9],
  );
});

test('rename: a failure route is renamed in its block and inside the quotes of t_on_failure', async () => {
  const e = await client.request<WorkspaceEdit>('textDocument/rename', {
    ...pos(8, col(8, 'missed') + 1),
    newName: 'on_fail',
  });
  const edits = e.changes![uri]!;
  assert.deepEqual(
    edits.map((x) => [x.range.start.line, x.range.start.character, x.range.end.character, x.newText]),
    [
      [18, 14, 20, 'on_fail'],
      [8, 15, 21, 'on_fail'],
    ],
  );
  await assert.rejects(client.request('textDocument/rename', { ...pos(8, col(8, 'missed') + 1), newName: 'bad name' }));
});

test('document symbols: the route blocks', async () => {
  const s = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(
    s.map((x) => x.name),
    ['route', 'route[relay]', 'failure_route[missed]'],
  );
});

test("formatting gives `fmt`'s layout", async () => {
  const edits = await client.request<TextEdit[]>('textDocument/formatting', {
    textDocument: { uri },
    options: { tabSize: 4, insertSpaces: false },
  });
  const parsed = parseCfgText(CFG, cfgPath, { strict: false });
  assert.equal(edits.length, 1);
  assert.equal(edits[0]!.newText, printCfg(parsed.result, parsed.comments));
});

test('quick fixes: add the missing loadmodule; define the called route', async () => {
  const diags = (await client.change(uri, 200, CFG)).filter(
    (d) => d.code === 'missing-loadmodule' || d.code === 'route-undefined',
  );
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: diags[0]!.range,
    context: { diagnostics: diags },
  });
  const titles = actions.map((a) => a.title);
  assert.deepEqual(titles.sort(), ['Add loadmodule "registrar.so"', 'Define route[nowhere]']);
  const add = actions.find((a) => a.title.startsWith('Add'))!.edit!.changes![uri]![0]!;
  assert.deepEqual(add.range.start, { line: 3, character: 0 }, 'after the last loadmodule');
  assert.equal(add.newText, 'loadmodule "registrar.so"\n');
});

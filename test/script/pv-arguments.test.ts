// Issue 21 §1: a pseudo-variable passed where a function's export table takes
// one (CMD_PARAM_VAR, or a string parameter that expands formats) compiles for
// every module, native or not. One test per native module: each of its
// functions, each variable-taking parameter given a variable, a quoted format
// and a literal, with literals of the right kind in the other positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findModule, type CmdParam, type ScriptFunction } from '../../src/catalog/index.js';
import { NATIVE_MODULES } from '../../src/modules/index.js';
import { engineFor, run } from '../helpers/engine.js';

const ROUTE_OF: Record<string, string> = {
  request: 'route',
  failure: 'failure_route[f]',
  onreply: 'onreply_route[r]',
  branch: 'branch_route[b]',
  local: 'local_route',
  startup: 'startup_route',
  timer: 'timer_route[t, 10]',
  event: 'event_route[E_CORE_THRESHOLD]',
  error: 'error_route',
};

function literal(p: CmdParam): string {
  return p.kinds.includes('int') && !p.kinds.includes('str')
    ? '1'
    : p.kinds.includes('var') && !p.kinds.includes('str')
      ? '$var(out)'
      : '"x"';
}

function takesVariable(p: CmdParam): boolean {
  return p.kinds.includes('var') || (p.kinds.includes('str') && !p.static && !p.noExpand);
}

/** The call with parameter `at` given `value` and every other mandatory one a literal. */
function call(f: ScriptFunction, at: number, value: string): string {
  const args = f.params
    .slice(0, Math.max(f.minArgs, at + 1))
    .map((p, i) => (i === at ? value : p.optional ? '' : literal(p)));
  return `${f.name}(${args.join(', ')})`;
}

function cfgWith(module: string, f: ScriptFunction, stmt: string): string {
  const where = f.routes.includes('request') || f.routes.length === 0 ? 'route' : ROUTE_OF[f.routes[0]!]!;
  const main = where === 'route' ? '' : 'route { exit; }\n';
  return `loadmodule "${module}.so"\n${main}${where} {\n  ${stmt};\n}\n`;
}

for (const [name, native] of Object.entries(NATIVE_MODULES)) {
  const entry = findModule(name);
  if (!entry) continue;
  const functions = entry.functions.filter((f) => native.functions[f.name]);
  test(`${name}: every variable-taking parameter of its native functions compiles with a variable, a format and a literal`, () => {
    let tried = 0;
    for (const f of functions) {
      f.params.forEach((p, i) => {
        if (!takesVariable(p)) return;
        const values =
          p.kinds.includes('var') && !p.kinds.includes('str')
            ? ['$var(v)', '$avp(v)']
            : ['$ru', '$rU', '$sp', '"$si:$sp"', '"$socket_in(proto)"', literal(p)];
        for (const v of values) {
          const { diagnostics } = engineFor(cfgWith(name, f, call(f, i, v)));
          const bad = diagnostics.filter((d) => /^(internal|pvar-unknown|pvar-syntax)@/.test(d));
          assert.deepEqual(bad, [], `${call(f, i, v)}`);
          tried++;
        }
      });
    }
    assert.ok(tried > 0 || functions.every((f) => !f.params.some(takesVariable)), 'something was tried');
  });
}

test('b2b_logic (not native): b2b_client_new("callee", $ru) compiles', () => {
  const { diagnostics } = engineFor(
    'loadmodule "tm.so"\nloadmodule "b2b_entities.so"\nloadmodule "b2b_logic.so"\nroute {\n  b2b_client_new("callee", $ru);\n  b2b_client_new("callee", $rU);\n  $var(c) = $b2b_logic.ctx(x);\n}\n',
  );
  assert.deepEqual(
    diagnostics.filter((d) => /^(internal|pvar)/.test(d)),
    [],
  );
});

test('a variable argument reaches the function as its value', () => {
  const cfg = (m: string): string =>
    `loadmodule "sipmsgops.so"\nroute {\n  $var(m) = "${m}";\n  if (is_method($var(m))) xlog("yes\\n"); else xlog("no\\n");\n}\n`;
  assert.ok(
    run(cfg('INVITE')).logs.some((l) => l.trim().endsWith('yes')),
    'INVITE matches',
  );
  assert.ok(
    run(cfg('BYE')).logs.some((l) => l.trim().endsWith('no')),
    'BYE does not',
  );
});

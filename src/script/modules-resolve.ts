// Which modules a cfg loads, as OpenSIPS 3.3 resolves them: `loadmodule`
// names (with or without `.so`, any directory), modparam regexes matched
// against the modules loaded *before* the line, parameter types, hard
// dependencies and transport modules. Under --strict a missing module is an
// error, as 3.3 refuses to start; in the default profile opensips-ts loads it
// itself with a warning (cfg-language.md §14.2, C2-C4).
import type * as A from '../cfg/ast.js';
import type { Diagnostic, Profile, RuleId } from '../cfg/diagnostic.js';
import { leniency } from '../cfg/diagnostic.js';
import type { Script } from '../cfg/script.js';
import { findModule, loadCatalog } from '../catalog/index.js';
import type { ModuleEntry } from '../catalog/types.js';

export interface ResolvedModule {
  name: string;
  entry: ModuleEntry;
  /** Where it was loaded; undefined when opensips-ts loaded it on its own. */
  decl?: A.LoadModule;
  /** Why it was loaded without a loadmodule line. */
  autoReason?: string;
  params: Map<string, { value: string | number; span: A.Span }>;
  /** Every value of each parameter, in cfg order (rtpengine_sock and others may be given several times). */
  paramLists: Map<string, (string | number)[]>;
}

export interface ModuleResolution {
  modules: Map<string, ResolvedModule>;
  diagnostics: Diagnostic[];
}

/** `modparam("registrar|nathelper", ...)`: POSIX ERE, case-insensitive, anchored. */
function moduleRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(`^(${source})$`, 'i');
  } catch {
    return undefined;
  }
}

function calledFunctions(script: Script): { name: string; span: A.Span; recovered?: true }[] {
  const out: { name: string; span: A.Span; recovered?: true }[] = [];
  const walkExpr = (e: A.Expr): void => {
    switch (e.kind) {
      case 'Logical':
      case 'Binary':
        walkExpr(e.left);
        walkExpr(e.right);
        break;
      case 'Not':
      case 'BitNot':
        walkExpr(e.operand);
        break;
      case 'Group':
      case 'Bracket':
        walkExpr(e.expr);
        break;
      case 'StatementExpr':
        walk([e.statement]);
        break;
      default:
        break;
    }
  };
  const walk = (list: readonly A.Statement[]): void => {
    for (const s of list) {
      switch (s.kind) {
        case 'Call':
          out.push({ name: s.name, span: s.nameSpan, ...(s.recovered ? { recovered: s.recovered } : {}) });
          break;
        case 'Async':
          out.push({
            name: s.call.name,
            span: s.call.nameSpan,
            ...(s.call.recovered ? { recovered: s.call.recovered } : {}),
          });
          break;
        case 'If':
          walkExpr(s.cond);
          walk(s.then);
          if (s.otherwise) walk(s.otherwise);
          break;
        case 'While':
          walkExpr(s.cond);
          walk(s.body);
          break;
        case 'ForEach':
        case 'Block':
          walk(s.body);
          break;
        case 'Switch':
          for (const c of s.cases) walk(c.body);
          break;
        case 'Assign':
          walkExpr(s.value);
          break;
        case 'Assert':
          walkExpr(s.cond);
          break;
        default:
          break;
      }
    }
  };
  for (const table of Object.values(script.routes)) for (const r of table.values()) walk(r.body);
  return out;
}

const KEYWORD_COMMANDS = new Set(['xlog', 'xdbg', 'log', 'error']);

export function resolveModules(script: Script, items: readonly A.TopItem[], profile: Profile): ModuleResolution {
  const catalog = loadCatalog();
  const modules = new Map<string, ResolvedModule>();
  const diagnostics: Diagnostic[] = [];
  const report = (
    rule: RuleId,
    severity: Diagnostic['severity'],
    message: string,
    span: A.Span,
    hint?: string,
  ): void => {
    diagnostics.push({ rule, severity, message, span, ...(hint ? { hint } : {}) });
  };
  const add = (entry: ModuleEntry, decl: A.LoadModule | undefined, autoReason?: string): ResolvedModule => {
    const m: ResolvedModule = {
      name: entry.name,
      entry,
      params: new Map(),
      paramLists: new Map(),
      ...(decl ? { decl } : {}),
      ...(autoReason ? { autoReason } : {}),
    };
    modules.set(entry.name, m);
    return m;
  };

  // loadmodule and modparam lines, in file order: a modparam sees only the modules loaded above it.
  for (const item of items) {
    if (item.kind === 'LoadModule') {
      const name = (item.path.split('/').pop() ?? item.path).replace(/\.so$/, '');
      const entry = findModule(name);
      if (!entry)
        report(
          'unknown-module',
          'error',
          `module \`${name}\` does not exist in OpenSIPS 3.3`,
          item.pathSpan,
          'check the name against `opensips-ts modules`',
        );
      else if (!modules.has(entry.name)) add(entry, item);
    } else if (item.kind === 'ModParam') {
      const re = moduleRegex(item.module);
      if (!re) {
        report('modparam-regex', 'error', `\`${item.module}\` is not a valid module regex`, item.moduleSpan);
        continue;
      }
      const matched = [...modules.values()].filter((m) => re.test(m.name));
      if (!matched.length) {
        report(
          'modparam-no-module',
          'error',
          `no loaded module matches \`${item.module}\``,
          item.moduleSpan,
          'load the module with `loadmodule` above this line',
        );
        continue;
      }
      for (const m of matched) {
        const def = m.entry.params.find((p) => p.name === item.param);
        if (!def) {
          report(
            'modparam-unknown',
            'error',
            `parameter \`${item.param}\` not found in module \`${m.name}\``,
            item.paramSpan,
            matched.length > 1
              ? `the regex \`${item.module}\` matches ${matched.map((x) => x.name).join(' and ')}; every match must have the parameter`
              : undefined,
          );
          continue;
        }
        const type = item.value.kind === 'String' ? 'str' : 'int';
        if (!def.types.includes(type)) {
          report(
            'modparam-type',
            'error',
            `\`${m.name}\` parameter \`${item.param}\` takes ${def.types.includes('int') ? 'a number' : 'a quoted string'}`,
            item.value.span,
            def.types.includes('int') ? 'remove the quotes' : 'put the value in double quotes',
          );
          continue;
        }
        m.params.set(item.param, { value: item.value.value, span: item.value.span });
        m.paramLists.set(item.param, [...(m.paramLists.get(item.param) ?? []), item.value.value]);
      }
    }
  }

  // C2: modules owning functions the script calls.
  const coreNames = new Set(catalog.core.functions.map((f) => f.name));
  for (const call of calledFunctions(script)) {
    if (call.recovered || coreNames.has(call.name) || KEYWORD_COMMANDS.has(call.name)) continue;
    if (
      [...modules.values()].some(
        (m) =>
          m.entry.functions.some((f) => f.name === call.name) ||
          m.entry.asyncFunctions.some((f) => f.name === call.name),
      )
    )
      continue;
    const owner = catalog.modules.find(
      (m) => m.functions.some((f) => f.name === call.name) || m.asyncFunctions.some((f) => f.name === call.name),
    );
    if (!owner) {
      report(
        'unknown-function',
        'error',
        `unknown function \`${call.name}\``,
        call.span,
        'no OpenSIPS 3.3 module exports it',
      );
      continue;
    }
    report(
      'missing-loadmodule',
      leniency(profile),
      `\`${call.name}\` belongs to module \`${owner.name}\`, which is not loaded: OpenSIPS 3.3 says "unknown command, missing loadmodule?"`,
      call.span,
      `add \`loadmodule "${owner.name}.so"\`${profile.strict ? '' : '; opensips-ts loads it with default parameters'}`,
    );
    if (!profile.strict) add(owner, undefined, `owns ${call.name}()`);
  }

  // C4: transport modules for the socket protocols.
  const reported = new Set<string>();
  for (const s of script.sockets) {
    const proto = s.address.proto;
    if (!proto) continue;
    const name = `proto_${proto}`;
    if (modules.has(name) || reported.has(name)) continue;
    reported.add(name);
    const entry = findModule(name);
    if (!entry) continue;
    report(
      'missing-transport',
      leniency(profile),
      `sockets use ${proto.toUpperCase()} but \`${name}\` is not loaded: OpenSIPS 3.3 refuses to start`,
      s.span,
      `add \`loadmodule "${name}.so"\`${profile.strict ? '' : '; opensips-ts loads it'}`,
    );
    if (!profile.strict) add(entry, undefined, `transport for socket line ${s.span.line}`);
  }

  // C3: hard dependencies, repeated until closed (a dependency may have its own).
  for (let changed = true; changed;) {
    changed = false;
    for (const m of [...modules.values()]) {
      for (const dep of m.entry.deps.modules) {
        if (dep.onMissing !== 'abort' || !dep.module || modules.has(dep.module)) continue;
        const entry = findModule(dep.module);
        if (!entry) continue;
        const at = m.decl?.span ??
          script.sockets[0]?.span ?? { file: '', line: 1, col: 1, offset: 0, endLine: 1, endCol: 1, endOffset: 0 };
        report(
          'missing-dependency',
          leniency(profile),
          `module \`${m.name}\` depends on \`${dep.module}\`, which is not loaded: OpenSIPS 3.3 refuses to start`,
          at,
          `add \`loadmodule "${dep.module}.so"\`${profile.strict ? '' : '; opensips-ts loads it with default parameters'}`,
        );
        if (!profile.strict) {
          add(entry, undefined, `dependency of ${m.name}`);
          changed = true;
        }
      }
    }
  }
  // signaling needs tm or sl; without sl every reply outside a transaction
  // (a registrar absorbing a REGISTER) fails, so the lenient profile adds it.
  const sig = modules.get('signaling');
  const sl = findModule('sl');
  if (sig && sl && !modules.has('sl')) {
    if (sig.decl)
      report(
        'missing-dependency',
        'warning',
        'module `signaling` has no `sl` loaded: replies sent outside a transaction (e.g. an absorbed REGISTER) will fail',
        sig.decl.span,
        `add \`loadmodule "sl.so"\`${profile.strict ? '' : '; opensips-ts loads it'}`,
      );
    if (!profile.strict) add(sl, undefined, 'stateless replies of signaling');
  }
  return { modules, diagnostics };
}

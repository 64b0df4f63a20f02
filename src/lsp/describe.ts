// What hover and completion say about a function, a module parameter, a
// pseudo-variable or a module: facts from the OpenSIPS 3.3 catalog (names,
// parameter kinds, route types) and from the native export tables (return
// codes, whether opensips-ts runs it).
import {
  findFunctions,
  findModule,
  findPv,
  findTransformation,
  type CmdParam,
  type FunctionRef,
  type ModParam,
  type ModuleEntry,
  type PseudoVar,
} from '../catalog/index.js';
import { NATIVE_MODULES } from '../modules/index.js';
import { CORE_FUNCTIONS } from '../script/core-functions.js';

function paramText(p: CmdParam, i: number): string {
  const kinds = p.kinds.map((k) => (k === 'var' ? 'pvar' : k)).join('|') || 'any';
  const s = `p${i + 1}: ${kinds}${p.static ? ' (constant)' : ''}`;
  return p.optional ? `[${s}]` : s;
}

export function signature(ref: FunctionRef): string {
  return `${ref.fn.name}(${ref.fn.params.map(paramText).join(', ')})`;
}

function behaviourOf(ref: FunctionRef): { native: boolean; returns?: number[] } {
  const b = ref.module === null ? CORE_FUNCTIONS[ref.fn.name] : NATIVE_MODULES[ref.module]?.functions[ref.fn.name];
  return { native: !!b?.impl || (ref.module === null && !!b), returns: b?.returns };
}

export function describeFunction(name: string, loaded: readonly string[]): string | undefined {
  const refs = findFunctions(name, loaded);
  const any = refs.length ? refs : findFunctions(name);
  if (!any.length) return undefined;
  return any
    .map((ref) => {
      const b = behaviourOf(ref);
      const owner = ref.module === null ? 'core' : `module \`${ref.module}\``;
      const lines = [
        '```opensips\n' + signature(ref) + '\n```',
        `${owner}${refs.length ? '' : ' (not loaded)'}; ${b.native ? 'native in opensips-ts' : 'not native: `run` refuses it, `dry-run --stub` simulates it'}`,
      ];
      if (ref.fn.routes.length) lines.push(`routes: ${ref.fn.routes.join(', ')}`);
      if (b.returns) lines.push(`returns: ${b.returns.join(', ')}`);
      return lines.join('\n\n');
    })
    .join('\n\n---\n\n');
}

export function describeModule(m: ModuleEntry): string {
  const native = NATIVE_MODULES[m.name];
  const nativeFns = native ? Object.values(native.functions).filter((f) => f.impl).length : 0;
  return [
    `**${m.name}** (OpenSIPS 3.3 module, ${m.path})`,
    `${m.functions.length} functions, ${m.params.length} parameters, ${m.pvs.length} pseudo-variables`,
    native ? `native in opensips-ts: ${nativeFns} of ${m.functions.length} functions` : 'not native in opensips-ts',
  ].join('\n\n');
}

export function describeModParam(module: string, p: ModParam): string {
  const def = p.default === null ? 'none' : JSON.stringify(p.default);
  return [
    '```opensips\n' + `modparam("${module}", "${p.name}", ${p.types.join('|')})` + '\n```',
    `default: ${def}${p.useFunc ? '; may be repeated' : ''}`,
  ].join('\n\n');
}

export function describePv(name: string, loaded: readonly string[]): string | undefined {
  const forms = findPv(name, loaded);
  if (!forms.length) return undefined;
  const one = (f: { module: string | null; pv: PseudoVar }): string => {
    const shape = `$${f.pv.name}${f.pv.takesName ? '(name)' : ''}${f.pv.takesIndex ? '[index]' : ''}`;
    return `\`${shape}\` (${f.module ?? 'core'}) ${f.pv.writable ? 'read/write' : 'read-only'}`;
  };
  return forms.map(one).join('\n\n');
}

export function describeTransformation(cls: string, loaded: readonly string[]): string | undefined {
  const t = findTransformation(cls, loaded);
  if (!t) return undefined;
  return `transformation class \`{${cls}.*}\` (${t.module ?? 'core'}): ${t.tr.methods.map((m) => `\`${m}\``).join(', ')}`;
}

export function moduleEntry(name: string): ModuleEntry | undefined {
  return findModule(name);
}

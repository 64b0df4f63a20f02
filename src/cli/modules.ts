// `opensips-ts modules [NAME]`: the modules opensips-ts knows (every OpenSIPS
// 3.3 module, from the catalog) and which functions, MI commands and
// statistics run natively (from the module's export table), and its timers.
import { findModule, loadCatalog } from '../catalog/index.js';
import type { CmdParam } from '../catalog/types.js';
import { NATIVE_MODULES } from '../modules/index.js';
import { isStatFamily, type NativeModule } from '../modules/types.js';
import { EXIT, type Io } from './io.js';

function paramText(p: CmdParam, i: number): string {
  const t = `${p.kinds.join('|')}${p.static ? ' (constant)' : ''}`;
  return p.optional ? `[${i ? ', ' : ''}${t}]` : `${i ? ', ' : ''}${t}`;
}

export function runModules(name: string | undefined, io: Io): number {
  const catalog = loadCatalog();
  if (!name) {
    io.out(
      `${catalog.modules.length} OpenSIPS ${catalog.source.version} modules (catalog from the ${catalog.source.ref} sources)\n`,
    );
    for (const m of catalog.modules) {
      const native = NATIVE_MODULES[m.name];
      const implemented = m.functions.filter((f) => native?.functions[f.name]?.impl).length;
      const status = !native ? 'catalog only' : `native: ${implemented}/${m.functions.length} functions`;
      io.out(`${m.name.padEnd(24)} ${status}`);
    }
    return EXIT.ok;
  }
  const m = findModule(name);
  if (!m) {
    io.err(`opensips-ts: no module ${name} in OpenSIPS 3.3`);
    return EXIT.usage;
  }
  const native = NATIVE_MODULES[m.name];
  io.out(
    `module ${m.name}${native ? '' : ' (catalog only: `run` refuses its functions, `dry-run --stub` simulates them)'}`,
  );
  const deps = m.deps.modules
    .filter((d) => d.module)
    .map((d) => `${d.module} (${d.onMissing === 'abort' ? 'required' : 'optional'})`);
  if (deps.length) io.out(`depends on: ${deps.join(', ')}`);
  io.out('\nfunctions:');
  for (const f of m.functions) {
    const impl = native?.functions[f.name]?.impl ? 'native' : 'not implemented';
    io.out(`  ${f.name}(${f.params.map(paramText).join('')})  routes: ${f.routes.join(', ') || '-'}  [${impl}]`);
  }
  io.out('\nparameters:');
  for (const p of m.params)
    io.out(
      `  ${p.name.padEnd(28)} ${p.types.join('|').padEnd(8)} default ${p.default === null ? '(unset)' : JSON.stringify(p.default)}`,
    );
  printTable(m.mi, m.stats, native, io);
  return EXIT.ok;
}

/** MI commands and statistics: OpenSIPS's (from the catalog) marked native when the table has them, and the native extras; then the timers. */
function printTable(
  catalogMi: { name: string; recipes: string[][] }[],
  catalogStats: { name: string; flags: string[] }[],
  native: NativeModule | undefined,
  io: Io,
): void {
  const mi = new Map((native?.mi ?? []).map((c) => [c.name, c]));
  const miNames = [...new Set([...catalogMi.map((c) => c.name), ...mi.keys()])];
  if (miNames.length) {
    io.out('\nMI commands:');
    for (const name of miNames) {
      const cmd = mi.get(name);
      const recipes = (cmd?.recipes ?? catalogMi.find((c) => c.name === name)?.recipes ?? [])
        .map((r) => `(${r.join(', ')})`)
        .join(' ');
      io.out(
        `  ${name.padEnd(28)} ${recipes.padEnd(36)} [${cmd ? 'native' : 'not implemented'}]${cmd?.help ? `  ${cmd.help}` : ''}`,
      );
    }
  }
  const stats = new Map((native?.stats ?? []).map((st) => [st.name, st]));
  const statNames = [...new Set([...catalogStats.map((st) => st.name), ...stats.keys()])];
  if (statNames.length) {
    io.out('\nstatistics:');
    for (const name of statNames) {
      const st = stats.get(name);
      const kind = !st
        ? ''
        : isStatFamily(st)
          ? 'one per table'
          : st.computed
            ? 'computed'
            : st.reset
              ? 'counter'
              : 'no reset';
      io.out(`  ${name.padEnd(28)} ${kind.padEnd(14)} [${st ? 'native' : 'not implemented'}]`);
    }
  }
  if (native?.timers?.length) {
    io.out('\ntimers:');
    for (const t of native.timers) io.out(`  ${t.name.padEnd(28)} every ${t.period}`);
  }
}

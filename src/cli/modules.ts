// `opensips-ts modules [NAME]`: the modules opensips-ts knows (every OpenSIPS
// 3.3 module, from the catalog) and which functions run natively.
import { findModule, loadCatalog } from '../catalog/index.js';
import type { CmdParam } from '../catalog/types.js';
import { NATIVE_MODULES } from '../modules/index.js';
import { EXIT, type Io } from './io.js';

function paramText(p: CmdParam, i: number): string {
  const t = `${p.kinds.join('|')}${p.static ? ' (constant)' : ''}`;
  return p.optional ? `[${i ? ', ' : ''}${t}]` : `${i ? ', ' : ''}${t}`;
}

export function runModules(name: string | undefined, io: Io): number {
  const catalog = loadCatalog();
  if (!name) {
    io.out(`${catalog.modules.length} OpenSIPS ${catalog.source.version} modules (catalog from the ${catalog.source.ref} sources)\n`);
    for (const m of catalog.modules) {
      const native = NATIVE_MODULES[m.name];
      const implemented = m.functions.filter((f) => native?.functions[f.name]?.impl).length;
      const status = !native ? 'catalog only' : `native: ${implemented}/${m.functions.length} functions`;
      io.out(`${m.name.padEnd(24)} ${status}`);
    }
    return EXIT.ok;
  }
  const m = findModule(name);
  if (!m) { io.err(`opensips-ts: no module ${name} in OpenSIPS 3.3`); return EXIT.usage; }
  const native = NATIVE_MODULES[m.name];
  io.out(`module ${m.name}${native ? '' : ' (catalog only: `run` refuses its functions, `dry-run --stub` simulates them)'}`);
  const deps = m.deps.modules.filter((d) => d.module).map((d) => `${d.module} (${d.onMissing === 'abort' ? 'required' : 'optional'})`);
  if (deps.length) io.out(`depends on: ${deps.join(', ')}`);
  io.out('\nfunctions:');
  for (const f of m.functions) {
    const impl = native?.functions[f.name]?.impl ? 'native' : 'not implemented';
    io.out(`  ${f.name}(${f.params.map(paramText).join('')})  routes: ${f.routes.join(', ') || '-'}  [${impl}]`);
  }
  io.out('\nparameters:');
  for (const p of m.params) io.out(`  ${p.name.padEnd(28)} ${p.types.join('|').padEnd(8)} default ${p.default === null ? '(unset)' : JSON.stringify(p.default)}`);
  return EXIT.ok;
}

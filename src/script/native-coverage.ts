// What `run` refuses at start-up: every call to a function whose module has
// no native implementation in opensips-ts, all listed at once.
import type { Diagnostic } from '../cfg/diagnostic.js';
import type { LoadedCfg } from '../cfg/load.js';
import { routeBodies, walkStatements } from '../cfg/walk.js';
import type { Runtime } from './runtime.js';
import { staticArgs } from './static-args.js';

export function notNative(loaded: LoadedCfg, rt: Runtime): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of routeBodies(loaded.script.routes)) {
    walkStatements(r.body, {
      statement: (s) => {
        if (s.kind !== 'Call') return;
        const f = rt.functions.get(s.name);
        if (!f || rt.stubs.has(s.name)) return;
        const partly = f.behaviour?.impl ? f.behaviour.notNativeFor?.(staticArgs(s)) : undefined;
        if (partly) {
          out.push({
            rule: 'not-native',
            severity: 'error',
            span: s.nameSpan,
            message: `\`${s.name}\`: ${partly}`,
            hint: `\`dry-run --stub ${s.name}=RC\` simulates it`,
          });
          return;
        }
        if (f.behaviour?.impl) return;
        out.push({
          rule: 'not-native',
          severity: 'error',
          span: s.nameSpan,
          message: `\`${s.name}\` (module ${f.module}) has no native implementation in opensips-ts yet`,
          hint: `\`opensips-ts modules ${f.module}\` lists what is implemented; \`dry-run --stub ${s.name}=RC\` simulates it`,
        });
      },
    });
  }
  return out;
}

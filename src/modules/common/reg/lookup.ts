// lookup(): the R-URI becomes the first usable binding, the others become
// branches; $du, branch flags and the socket come back from the binding
// (registrar-semantics.md §5).
import type { ExecContext } from '../../../script/context.js';
import { isValid, usrlocOf } from '../../usrloc/api.js';
import { extractAor, settingsOf } from './aor.js';
import { parseLookupFlags } from './flags.js';
import { methodAllowed } from './methods.js';

/** `known`: the AoR already extracted, and the module whose settings apply (mid_registrar mode 2). */
export function registrarLookup(
  ctx: ExecContext,
  domainName: string,
  flagsText: string,
  aorUri: string | undefined,
  known?: { aor: string; mod: string },
): number {
  const f = parseLookupFlags(flagsText);
  if (f.error) return -3;
  const rt = ctx.runtime;
  const s = known?.mod === 'mid_registrar' ? settingsOf(rt, 'mid_registrar') : settingsOf(rt, 'registrar');
  const ul = usrlocOf(rt);
  const a = known ?? extractAor(aorUri ?? ctx.ruri, ul.useDomain, s);
  if ('error' in a) return -1;
  const record = ul.domain(domainName).get(a.aor);
  if (!record) return -1;
  const nowSec = Math.floor(rt.clock.now() / 1000);
  const valid = record.bindings.filter((b) => isValid(b, nowSec));
  if (!valid.length) return -1;
  const byMethod = f.methodFilter ? valid.filter((b) => methodAllowed(b.methods, ctx.msg.method)) : valid;
  if (!byMethod.length) return -2;
  const chosen = byMethod.filter((b) => !f.uaFilter || f.uaFilter.test(b.userAgent));
  if (!chosen.length) return -1;
  const attr = s.attrAvp;
  const push = (i: number): void => {
    const b = chosen[i]!;
    const du = b.path ? b.path.replace(/^<|>.*$/g, '') : (b.received ?? null);
    const socket = b.socket ? (rt.findSocket(b.socket) ?? null) : null;
    if (attr) ctx.avpStack(attr).push(b.attr ?? null);
    if (i === 0 && !f.branchesOnly) {
      ctx.ruri = b.uri;
      ctx.ruriQ = b.q;
      if (du) ctx.du = du;
      ctx.branchFlags[0] = (ctx.branchFlags[0] ?? 0) | b.cflags;
      if (socket) ctx.socketOut = socket;
      return;
    }
    ctx.branches.push({ uri: b.uri, du, flags: b.cflags, q: b.q, socket, ...(b.path ? { path: b.path } : {}) });
    ctx.branchFlags.push(b.cflags);
  };
  const count = f.bestOnly ? 1 : chosen.length;
  for (let i = 0; i < count; i++) push(i);
  return 1;
}

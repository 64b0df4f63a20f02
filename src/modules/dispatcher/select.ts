// ds_select_dst / ds_select_domain / ds_next_* / ds_mark_dst (dispatch.c):
// a candidate from the algorithm (a hash spread over the cumulative weights,
// round robin, random, first), moved on past inactive destinations, then
// applied to $du (or the R-URI's host:port). With the `f` flag the other
// active destinations are stacked in AVPs for ds_next_*, the chosen one on top.
import type { ExecContext } from '../../script/context.js';
import { expandFormat } from '../../script/pv.js';
import { joinUri, splitUri } from '../../script/uri-fields.js';
import { parseCredentials } from '../../sip/scalars.js';
import { isSipError } from '../../sip/result.js';
import { dsHash } from '../common/core-hash.js';
import {
  avpNames,
  findSet,
  firstAvp,
  isActive,
  param,
  setState,
  type DsDest,
  type DsSet,
  type StateChange,
} from './sets.js';

export interface SelectFlags {
  failover: boolean;
  userOnly: boolean;
  useDefault: boolean;
  append: boolean;
}

/** The flags string: f, u, d, a in any case, spaces ignored; undefined for another letter. */
export function parseSelectFlags(text: string): SelectFlags | undefined {
  const f: SelectFlags = { failover: false, userOnly: false, useDefault: false, append: false };
  for (const ch of text.toLowerCase()) {
    if (ch === 'f') f.failover = true;
    else if (ch === 'u') f.userOnly = true;
    else if (ch === 'd') f.useDefault = true;
    else if (ch === 'a') f.append = true;
    else if (ch !== ' ') return undefined;
  }
  return f;
}

/** The hash keys of a URI (get_uri_hash_keys): user, and host with a port that is not the protocol's default. */
function uriHash(uri: string | undefined, userOnly: boolean): number | undefined {
  const p = uri ? splitUri(uri.trim().replace(/^<|>$/g, '')) : undefined;
  if (!p || !p.host) return undefined;
  if (userOnly) return dsHash(p.user ?? '', '');
  const tls = p.scheme.toLowerCase() === 'sips' || /;transport=tls/i.test(p.params);
  const port = p.port && Number(p.port) !== (tls ? 5061 : 5060) ? ':' + p.port : '';
  return dsHash(p.user ?? '', p.host + port);
}

/** The user part of the first Proxy-Authorization's (else Authorization's) digest username; undefined when there is none. */
function authUser(ctx: ExecContext): string | undefined {
  const h = ctx.msg.header('Proxy-Authorization') ?? ctx.msg.header('Authorization');
  if (!h) return undefined;
  const c = parseCredentials(h);
  if (isSipError(c)) return undefined;
  const user = (c.params.username ?? '').replace(/^"|"$/g, '').trim();
  return user === '' ? undefined : user.split('@')[0];
}

/** Step A: the hash (0 when the algorithm names a candidate instead) and the candidate (-1 = from the hash); undefined on failure. */
function candidate(
  ctx: ExecContext,
  set: DsSet,
  alg: number,
  size: number,
  flags: SelectFlags,
): { hash: number; id: number } | undefined {
  switch (alg) {
    case 0: {
      const callId = ctx.msg.callId?.trim();
      return callId ? { hash: dsHash(callId), id: -1 } : undefined;
    }
    case 1:
    case 2:
    case 3: {
      const uri = alg === 1 ? ctx.msg.from?.uri : alg === 2 ? ctx.msg.to?.uri : ctx.ruri;
      const hash = uriHash(uri, flags.userOnly);
      return hash === undefined ? undefined : { hash, id: -1 };
    }
    case 4: {
      const last = set.dests[set.last]!;
      if (last.rrCount < last.weight) return { hash: 0, id: set.last };
      last.rrCount = 0;
      return { hash: 0, id: (set.last + 1) % size };
    }
    case 5: {
      const user = authUser(ctx);
      if (user !== undefined) return { hash: dsHash(user), id: -1 };
      const id = set.last;
      set.last = (set.last + 1) % size;
      return { hash: 0, id };
    }
    case 6:
      return { hash: Math.floor(Math.random() * 0x7fffffff), id: -1 };
    case 7: {
      const spec = param(ctx.runtime, 'hash_pvar', '');
      const text = spec ? expandFormat(ctx, spec).trim() : '';
      return text ? { hash: dsHash(text), id: -1 } : undefined;
    }
    default:
      return { hash: 0, id: 0 }; // 8, and (with OpenSIPS's warning) an unknown one
  }
}

function runningWeight(dests: DsDest[], upTo: number, activeOnly: boolean): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let j = 0; j < upTo; j++) {
    if (!activeOnly || isActive(dests[j]!)) sum += dests[j]!.weight;
    out.push(sum);
  }
  return out;
}

/** Steps B and C: the index chosen, or -1 when no destination can be used. */
function choose(set: DsSet, size: number, hash: number, id: number, useDefault: boolean): number {
  const dests = set.dests;
  if (id < 0) {
    const rw = runningWeight(dests, size, false);
    const total = rw[size - 1]!;
    id = total ? rw.findIndex((w) => hash % total < w) : hash % size;
  }
  let i = id;
  while (!isActive(dests[i]!)) {
    if (hash === 0) i = (i + 1) % size;
    else {
      const activeNr = dests.filter(isActive).length;
      const cnt = activeNr - (useDefault && isActive(dests[dests.length - 1]!) ? 1 : 0);
      if (cnt) {
        const arw = runningWeight(dests, size, true);
        const total = arw[size - 1]!;
        if (total) i = arw.findIndex((w, j) => isActive(dests[j]!) && hash % total < w);
        else {
          let k = hash % cnt;
          for (i = 0; i < size; i++) if (isActive(dests[i]!) && --k < 0) break;
        }
        if (i < 0 || i >= size) return -1;
      }
    }
    if (i === id) {
      if (!useDefault) return -1;
      i = dests.length - 1;
      return isActive(dests[i]!) ? i : -1;
    }
  }
  return i;
}

/** ds_select_dst (domain false) / ds_select_domain (true). */
export function dsSelect(
  ctx: ExecContext,
  setId: number,
  alg: number,
  flags: SelectFlags,
  maxResults: number,
  domain: boolean,
): number {
  const rt = ctx.runtime;
  const set = findSet(rt, setId);
  if (!set) {
    rt.logger.log(-1, 'dispatcher', 'ds_select_dst', `destination set [${setId}] not found`);
    return -1;
  }
  const dests = set.dests;
  if (dests.length === 0 || !dests.some(isActive)) return -1;
  const size = flags.useDefault && dests.length > 1 ? dests.length - 1 : dests.length;
  const start = candidate(ctx, set, alg, size, flags);
  if (!start) return -1;
  const i = choose(set, size, start.hash, start.id, flags.useDefault);
  if (i < 0) return -1;
  set.last = i;
  if (alg === 4) dests[i]!.rrCount++;
  const selected = dests[i]!;
  apply(ctx, selected.dstUri, selected.socket ? socketText(selected) : undefined, domain);
  selected.chosen++;
  const avps = avpNames(rt);
  let cnt = 0;
  if (flags.failover) {
    if (!flags.append) for (const n of Object.values(avps)) ctx.avps.delete(n);
    if (flags.useDefault && i !== dests.length - 1) {
      push(ctx, avps, dests[dests.length - 1]!);
      cnt++;
    }
    const last = dests.length - 1;
    let skip =
      dests.filter(isActive).length +
      (flags.useDefault && !isActive(dests[last]!) ? 1 : 0) -
      (flags.useDefault ? 1 : 0) -
      maxResults;
    for (let k = i - 1 + dests.length; k > i; k--) {
      const j = k % dests.length;
      if (!isActive(dests[j]!) || (flags.useDefault && j === last)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      push(ctx, avps, dests[j]!);
      cnt++;
    }
    ctx.avpStack(avps.dst).push(selected.uri);
    cnt++;
  }
  if (avps.attrs) ctx.avpStack(avps.attrs).push(selected.attrs);
  if (avps.scriptAttrs) ctx.avpStack(avps.scriptAttrs).push(selected.scriptAttrs);
  ctx.avpStack(avps.grp).push(setId);
  ctx.avpStack(avps.cnt).push(cnt);
  return 1;
}

function socketText(d: DsDest): string {
  const s = d.socket!;
  return `${s.proto}:${s.ip}:${s.port}`;
}

/** push_ds_2_avps: socket (OpenSIPS stores a pointer; here the socket, '(nil)' for none), URI, attrs. */
function push(ctx: ExecContext, avps: ReturnType<typeof avpNames>, d: DsDest): void {
  ctx.avpStack(avps.sock).push(d.socket ? socketText(d) : '(nil)');
  ctx.avpStack(avps.dst).push(d.dstUri);
  if (avps.attrs) ctx.avpStack(avps.attrs).push(d.attrs);
  if (avps.scriptAttrs) ctx.avpStack(avps.scriptAttrs).push(d.scriptAttrs);
}

/** $du (and the forced socket), or the R-URI's host:port in domain mode (maddr dropped, the destination's parameters first). */
function apply(ctx: ExecContext, uri: string, socket: string | undefined, domain: boolean): void {
  if (socket) {
    const s = ctx.runtime.findSocket(socket);
    if (s) ctx.socketOut = s;
  }
  if (!domain) {
    ctx.du = uri;
    return;
  }
  const r = splitUri(ctx.ruri);
  const d = splitUri(uri);
  if (!r || !d) return;
  const params = r.params
    .split(';')
    .filter((p) => p && !/^maddr(=|$)/i.test(p.trim()))
    .map((p) => ';' + p)
    .join('');
  ctx.ruri = joinUri({
    ...r,
    host: d.host,
    ...(d.port ? { port: d.port } : { port: undefined }),
    params: d.params + params,
  });
}

/** ds_next_dst / ds_next_domain: the current destination off the stacks, the next one applied. */
export function dsNext(ctx: ExecContext, domain: boolean): number {
  const avps = avpNames(ctx.runtime);
  const dst = ctx.avps.get(avps.dst);
  if (!dst || dst.length === 0) return -1;
  dst.pop();
  if (avps.attrs) ctx.avps.get(avps.attrs)?.pop();
  if (avps.scriptAttrs) ctx.avps.get(avps.scriptAttrs)?.pop();
  const next = dst[dst.length - 1];
  if (typeof next !== 'string') return -1;
  const sock = ctx.avps.get(avps.sock)?.pop();
  apply(ctx, next, typeof sock === 'string' && sock !== '(nil)' ? sock : undefined, domain);
  return 1;
}

/** The state letter of ds_mark_dst / ds_set_state: i/0 inactive (the default), a/1 active, p/2 probing. */
export function stateOf(text: string | undefined): StateChange | undefined {
  if (text === undefined || text === '') return 'inactive';
  if (text.length > 1) return undefined;
  const c = text.toLowerCase();
  return c === 'i' || c === '0'
    ? 'inactive'
    : c === 'a' || c === '1'
      ? 'active'
      : c === 'p' || c === '2'
        ? 'probing'
        : undefined;
}

/** ds_mark_dst: the destination on top of the failover stacks (set from grp_avp, URI from dst_avp). */
export function dsMark(ctx: ExecContext, stateText: string | undefined): number {
  const change = stateOf(stateText);
  if (!change) return -1;
  const avps = avpNames(ctx.runtime);
  const grp = firstAvp(ctx, avps.grp);
  const uri = firstAvp(ctx, avps.dst);
  if (grp === undefined || typeof uri !== 'string') return -1;
  const set = findSet(ctx.runtime, Number(grp));
  const dest = set?.dests.find((d) => d.uri.length === uri.length && d.uri.toLowerCase() === uri.toLowerCase());
  if (!set || !dest) return -1;
  setState(ctx.runtime, set, dest, change, 'script function ds_mark()');
  return 1;
}

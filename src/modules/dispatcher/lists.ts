// ds_is_in_list, ds_count and the script attributes: looking destinations up
// by address. Destinations are matched on the host their URI names (an IP
// here; OpenSIPS also resolves names, which opensips-ts does not).
import { isIP } from 'node:net';
import type { ArgValue } from '../types.js';
import type { ExecContext } from '../../script/context.js';
import { pvNamed } from '../../script/pv.js';
import { globRegex } from '../../script/regex.js';
import type { Runtime } from '../../script/runtime.js';
import { avpNames, dsData, INACTIVE, isActive, param, PROBING, type DsDest, type DsSet } from './sets.js';

function sameIp(a: string, b: string): boolean {
  return a === b || (isIP(a) === 6 && isIP(b) === 6 && expand6(a) === expand6(b));
}

/** An IPv6 address with every group written out, for comparison. */
function expand6(ip: string): string {
  const [head, tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const mid = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...mid, ...t].map((g) => g.padStart(4, '0')).join(':');
}

/** Destinations at ip (and port, 0 = any) in set `setId` (-1 = all sets), in list order. */
function* at(rt: Runtime, ip: string, port: number, setId: number): Generator<[DsSet, DsDest]> {
  for (const s of dsData(rt).sets) {
    if (setId !== -1 && s.id !== setId) continue;
    for (const d of s.dests) if ((port === 0 || d.port === port) && sameIp(d.host, ip)) yield [s, d];
  }
}

/** ds_is_in_list(ip, port[, set[, partition[, active_only[, pattern]]]]). */
export function dsIsInList(
  ctx: ExecContext,
  ip: string,
  port: number,
  setId: number,
  activeOnly: boolean,
  pattern: string | undefined,
): number {
  const rt = ctx.runtime;
  const addr = ip.replace(/^\[|\]$/g, '');
  if (!isIP(addr)) return -1;
  for (const [s, d] of at(rt, addr, port, setId)) {
    if (activeOnly && !isActive(d)) continue;
    if (pattern !== undefined && (d.attrs === '' || !globRegex(pattern, false).test(d.attrs))) continue;
    const setidPv = param(rt, 'setid_pvar', '');
    if (setId === -1 && setidPv) pvNamed(ctx, setidPv)?.set?.(ctx, s.id, '=');
    const avps = avpNames(rt);
    if (avps.attrs) ctx.avpStack(avps.attrs).push(d.attrs);
    if (avps.scriptAttrs) ctx.avpStack(avps.scriptAttrs).push(d.scriptAttrs);
    return 1;
  }
  return -1;
}

/** ds_count(set, filter, var): destinations of the set in the states the filter names (all three or none: every one). */
export function dsCount(ctx: ExecContext, setId: number, filter: string, out: ArgValue | undefined): number {
  const set = dsData(ctx.runtime).sets.find((s) => s.id === setId);
  if (!set) return -1;
  const f = filter.toLowerCase();
  const wantA = /[a1]/.test(f),
    wantI = /[i0]/.test(f),
    wantP = /[p2]/.test(f);
  const all = (wantA && wantI && wantP) || (!wantA && !wantI && !wantP);
  const n = set.dests.filter(
    (d) => all || (isActive(d) ? wantA : d.flags & INACTIVE ? wantI : d.flags & PROBING ? wantP : false),
  ).length;
  out?.pv?.set(ctx, n);
  return 1;
}

/** ds_push_script_attrs(attrs, ip, port[, set]): the attributes on every destination at that address. */
export function dsPushScriptAttrs(rt: Runtime, attrs: string, ip: string, port: number, setId: number): number {
  const addr = ip.replace(/^\[|\]$/g, '');
  if (!isIP(addr)) return -1;
  for (const [, d] of at(rt, addr, port, setId)) d.scriptAttrs = attrs;
  return 1;
}

/** ds_get_script_attrs(uri, set, partition, var): the attributes of the destination whose $du form is `uri`. */
export function dsGetScriptAttrs(ctx: ExecContext, uri: string, setId: number, out: ArgValue | undefined): number {
  for (const s of dsData(ctx.runtime).sets) {
    if (setId !== -1 && s.id !== setId) continue;
    const d = s.dests.find((x) => x.dstUri === uri);
    if (d) {
      out?.pv?.set(ctx, d.scriptAttrs);
      return 1;
    }
  }
  return -1;
}

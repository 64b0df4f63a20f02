// do_routing() and use_next_gw() (drouting.c): the rule of the caller's group
// with the longest matching prefix (then the prefixless ones), valid now by
// its time recurrence, highest priority first; its gateways and carriers
// sorted (N as listed, W by weight), disabled ones left out; the first goes
// into the R-URI, the others wait in AVPs (ruri_avp, gw_id_avp, gw_sock_avp...)
// stacked as OpenSIPS's add_avp_last does, for use_next_gw() in failure_route.
// With the F flag use_next_gw() falls back to the next rule of the same
// prefix (only when the prefix had more rules: 3.3 saves nothing otherwise).
import type { ExecContext } from '../../script/context.js';
import type { ArgValue } from '../types.js';
import type { Runtime } from '../../script/runtime.js';
import { runRoute } from '../../script/compile.js';
import { Flow } from '../../script/context.js';
import { splitUri, type UriPieces } from '../../script/uri-fields.js';
import { DbError } from '../../db/index.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { checkTimeRecExpr } from '../common/timerec.js';
import { avpNameOf } from '../../script/avp-param.js';
import {
  drData,
  num,
  param,
  parseDstList,
  type Carrier,
  type DrData,
  type DstRef,
  type Gateway,
  type Rule,
} from './data.js';
import { setGwState } from './status.js';

export const FALLBACK = 1;
export const STRICT_LEN = 2;
export const ONLY_CHECK = 4;
const INTERNAL = 8;

/** fix_flags: F, L and C; other letters are ignored. */
export function routingFlags(text: string | undefined): number {
  let f = 0;
  for (const c of text ?? '') f |= c === 'F' ? FALLBACK : c === 'L' ? STRICT_LEN : c === 'C' ? ONLY_CHECK : 0;
  return f;
}

export interface DrAvps {
  ruri: string;
  gwId: string;
  sock: string;
  priPrefix: string | undefined;
  ruleId: string | undefined;
  rulePrefix: string | undefined;
  carrierId: string | undefined;
  ruleAttrs: string;
  gwAttrs: string;
  carrierAttrs: string;
  fallback: string;
}

export function avpNames(ctx: ExecContext): DrAvps {
  const rt = ctx.runtime;
  const name = (p: string, dflt: string) => avpNameOf(param(rt, p, `$avp(${dflt})`)) ?? dflt;
  const opt = (p: string) => avpNameOf(param(rt, p, ''));
  return {
    ruri: name('ruri_avp', '___dr_ruri__'),
    gwId: name('gw_id_avp', '___dr_gw_id__'),
    sock: name('gw_sock_avp', '___dr_sock__'),
    priPrefix: opt('gw_priprefix_avp'),
    ruleId: opt('rule_id_avp'),
    rulePrefix: opt('rule_prefix_avp'),
    carrierId: opt('carrier_id_avp'),
    ruleAttrs: '___dr_ru_att__',
    gwAttrs: '___dr_gw_att__',
    carrierAttrs: '___dr_cr_att__',
    fallback: '___dr_fallback__',
  };
}

// OpenSIPS's AVP list keeps the newest first: search_first_avp reads it, add_avp
// puts before it, add_avp_last after the oldest. Our stacks keep the newest last.
const first = (ctx: ExecContext, name: string): string | number | undefined => {
  const s = ctx.avps.get(name);
  const v = s?.[s.length - 1];
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
};
const addLast = (ctx: ExecContext, name: string, v: string | number) => ctx.avpStack(name).unshift(v);
const addFirst = (ctx: ExecContext, name: string, v: string | number) => ctx.avpStack(name).push(v);
const dropFirst = (ctx: ExecContext, name: string) => void ctx.avps.get(name)?.pop();

/** get_group_id: the caller's group from dr_groups (user, and domain with use_domain), else default_group; -1 when none. */
function groupOf(ctx: ExecContext): number {
  const rt = ctx.runtime;
  const from = ctx.msg.from?.uri ? splitUri(ctx.msg.from.uri.replace(/^<|>$/g, '')) : undefined;
  if (!from) {
    rt.logger.log(-1, 'drouting', 'do_routing', 'unable to parse from uri');
    return -1;
  }
  const db = dbFor(rt, dbUrlOf(rt, 'drouting'));
  const keys = [param(rt, 'drg_user_col', 'username')];
  const vals = [from.user ?? ''];
  if (num(rt, 'use_domain', 1)) {
    keys.push(param(rt, 'drg_domain_col', 'domain'));
    vals.push(from.host);
  }
  const res =
    db instanceof DbError
      ? db
      : db.exec(
          db.sql.query(param(rt, 'drg_table', 'dr_groups'), {
            keys,
            vals,
            cols: [param(rt, 'drg_grpid_col', 'groupid')],
            limit: 1,
          }),
        );
  if (res instanceof DbError) {
    rt.logger.log(-1, 'drouting', 'get_group_id', 'DB query failed');
    return -1;
  }
  const row = res.rows[0];
  if (!row) {
    const dflt = num(rt, 'default_group', -1);
    if (dflt !== -1) return dflt;
    rt.logger.log(-1, 'drouting', 'get_group_id', `no group for user "${from.user ?? ''}"@"${from.host}"`);
    return -1;
  }
  const g = Object.values(row)[0];
  return typeof g === 'number' || typeof g === 'bigint' ? Number(g) : -1;
}

function timeOk(rt: Runtime, r: Rule): boolean {
  return !r.timeRec || checkTimeRecExpr(r.timeRec, Math.floor(rt.clock.now() / 1000)) === 1;
}

/** internal_check_rt: from index `idx` on, the first rule valid now; idx becomes the next one to try (0 after the last). */
function checkList(rt: Runtime, list: Rule[] | undefined, idx: { v: number }): Rule | undefined {
  if (!list) return undefined;
  for (let j = idx.v; j < list.length; j++) {
    if (!timeOk(rt, list[j]!)) continue;
    idx.v = j + 1 < list.length ? j + 1 : 0;
    return list[j];
  }
  return undefined;
}

/** get_prefix: down the tree as far as the number and the tree go, then back up to the first node with a rule valid now. */
function findByPrefix(
  rt: Runtime,
  d: DrData,
  number: string,
  grp: number,
  idx: { v: number },
): { rule: Rule | undefined; len: number } {
  if (!number) return { rule: undefined, len: 0 };
  let depth = 0;
  for (; depth < number.length; depth++) {
    if (!d.prefixChars.has(number[depth]!)) return { rule: undefined, len: 0 };
    if (depth === number.length - 1 || !d.inner.has(number.slice(0, depth + 1))) break;
  }
  for (let len = depth + 1; len >= 1; len--) {
    const rule = checkList(rt, d.prefixes.get(number.slice(0, len))?.get(grp), idx);
    if (rule) return { rule, len };
  }
  return { rule: undefined, len: 0 };
}

/** find_rule_by_prefix (dr_match, MI dr_number_routing): the prefix rules, else the prefixless ones. */
export function matchRule(rt: Runtime, number: string, grpIn: number): { rule: Rule; len: number } | undefined {
  const d = drData(rt);
  const grp = grpIn >>> 0;
  const found = findByPrefix(rt, d, number, grp, { v: 0 });
  if (found.rule) return { rule: found.rule, len: found.len };
  const rule = checkList(rt, d.noPrefix.get(grp), { v: 0 });
  return rule ? { rule, len: 0 } : undefined;
}

/** build_ruri: sip:<pri><user minus strip>[:pass]@<gw address>[;ruri params][?headers]. */
function buildRuri(u: UriPieces, gw: Gateway): string {
  const user = u.user ?? '';
  const strip = Math.min(gw.strip, user.length);
  const pri = gw.priPrefix ?? '';
  const userPart = pri + user.slice(strip);
  const at = u.password || userPart ? '@' : '';
  return `sip:${userPart}${u.password ? ':' + u.password : ''}${at}${gw.address}${u.params}${u.headers}`;
}

/** weight_based_sort: repeatedly pick by weight among those left (the first when all weigh 0). */
function sortDsts(dsts: DstRef[], alg: string): DstRef[] {
  if (alg !== 'W') return [...dsts];
  const idx = [...dsts];
  for (let first = 0; idx.length - first > 1; first++) {
    let sum = 0;
    const running: number[] = [];
    for (let i = first; i < idx.length; i++) running[i] = sum += idx[i]!.weight;
    let pick = first;
    if (sum) {
      const r = Math.floor(sum * Math.random());
      pick = first;
      while (pick < idx.length - 1 && running[pick]! <= r) pick++;
    }
    [idx[first], idx[pick]] = [idx[pick]!, idx[first]!];
  }
  return idx;
}

function socketText(gw: Gateway): string {
  return gw.socket ? `${gw.socket.proto}:${gw.socket.ip}:${gw.socket.port}` : '(nil)';
}

interface Pushed {
  gwAttrs?: string;
  carrierAttrs?: string;
}

/** push_gw_for_usage: the first gateway into the R-URI, the next ones into the AVPs; its id, attrs, prefix and carrier too. */
function pushGw(
  ctx: ExecContext,
  avps: DrAvps,
  ruri: UriPieces,
  gw: Gateway,
  carrier: Carrier | undefined,
  n: number,
): void {
  const uri = buildRuri(ruri, gw);
  if (n === 0) {
    ctx.ruri = uri;
    if (gw.socket) ctx.socketOut = gw.socket;
  } else {
    addLast(ctx, avps.ruri, uri);
    addLast(ctx, avps.sock, socketText(gw));
  }
  addLast(ctx, avps.gwId, gw.id);
  addLast(ctx, avps.gwAttrs, gw.attrs);
  if (avps.priPrefix) addLast(ctx, avps.priPrefix, gw.priPrefix ?? '');
  if (avps.carrierId) addLast(ctx, avps.carrierId, carrier?.id ?? '');
  addLast(ctx, avps.carrierAttrs, carrier?.attrs ?? '');
}

interface Fallback {
  idx: number;
  prefix: string;
  ruri: string;
  grp: number;
  flags: number;
  wl?: string;
}

export interface AttrOut {
  rule?: ArgValue | undefined;
  gw?: ArgValue | undefined;
  carrier?: ArgValue | undefined;
}

function setPv(ctx: ExecContext, a: ArgValue | undefined, v: string): void {
  if (a?.given) a.pv?.set(ctx, v);
}

/** A rule's script route (routeid): run as a top route; `drop` in it stops the routing. */
function runRuleRoute(ctx: ExecContext, name: string): boolean {
  const route = ctx.runtime.route('route', name);
  if (!route) return true;
  const flow = ctx.flow;
  const dropped = ctx.dropped;
  runRoute(ctx, route, 'request', name);
  const drop = ctx.dropped && !dropped;
  ctx.dropped = dropped;
  if (ctx.flow === Flow.Exit || ctx.flow === Flow.Return) ctx.flow = flow;
  return !drop;
}

export function doRouting(
  ctx: ExecContext,
  grpIn: number,
  flagsIn: number,
  whitelist: string | undefined,
  out: AttrOut,
): number {
  const rt = ctx.runtime;
  const d = drData(rt);
  const avps = avpNames(ctx);
  let flags = flagsIn;
  let grp = grpIn;
  if (!(flags & ONLY_CHECK) && d.gateways.size === 0) return -1;
  if (!(flags & ONLY_CHECK))
    for (const n of [
      avps.ruri,
      avps.gwId,
      avps.sock,
      avps.ruleAttrs,
      avps.gwAttrs,
      avps.carrierAttrs,
      avps.carrierId,
      avps.priPrefix,
      avps.ruleId,
      avps.rulePrefix,
    ])
      if (n) ctx.avps.delete(n);
  let username: string;
  let ruriText: string;
  const idx = { v: 0 };
  let fb: Fallback | undefined;
  if (!(flags & INTERNAL)) {
    if (grp < 0) {
      grp = groupOf(ctx);
      if (grp < 0) return -1;
    }
    ruriText = ctx.ruri;
    const u = splitUri(ruriText);
    if (!u) {
      rt.logger.log(-1, 'drouting', 'do_routing', 'unable to parse RURI');
      return -1;
    }
    username = u.user ?? '';
  } else {
    const raw = first(ctx, avps.fallback);
    fb = typeof raw === 'string' ? (JSON.parse(raw) as Fallback) : undefined;
    if (!fb) return -1;
    idx.v = fb.idx;
    username = fb.prefix;
    if (username.length === 0 && idx.v < 0) return -1;
    ruriText = fb.ruri;
  }
  const ruri = splitUri(ruriText);
  if (!ruri) return -1;
  let rule: Rule | undefined;
  let prefixLen = 0;
  let wl: DstRef[] | undefined;
  for (;;) {
    if (rule) {
      // search_again: the next rule under the same prefix, or a shorter prefix.
      username = username.slice(0, Math.max(0, prefixLen - (idx.v ? 0 : 1)));
      if (username.length === 0 && idx.v <= 0) return -1;
    }
    const found = findByPrefix(rt, d, username, grp, idx);
    rule = found.rule;
    prefixLen = found.len;
    if (flags & STRICT_LEN && (!rule || prefixLen !== username.length)) return -1;
    if (!rule) {
      if (idx.v >= 0) rule = checkList(rt, d.noPrefix.get(grp), idx);
      if (!rule) return -1;
      prefixLen = 0;
      if (idx.v === 0) idx.v = -1;
    }
    if (rule.routeId && !runRuleRoute(ctx, rule.routeId)) return -1;
    if (flags & ONLY_CHECK) break;
    if (prefixLen === 0 && idx.v <= 0) flags &= ~FALLBACK;
    if (!rule.dsts.length) {
      rt.logger.log(
        2,
        'drouting',
        'do_routing',
        `no destination for dr group ${grp}, rule_idx ${idx.v}, username ${username}`,
      );
      if (flags & FALLBACK) continue;
      return -1;
    }
    if (whitelist && !wl) wl = parseDstList(rt, d, whitelist) ?? undefined;
    const allowed = (x: Carrier | Gateway) => !wl || wl.some((w) => w.carrier === x || w.gw === x);
    let n = 0;
    const pushed: Pushed = {};
    for (const dst of sortDsts(rule.dsts, rule.sortAlg)) {
      if (dst.carrier) {
        const cr = dst.carrier;
        if (cr.off || !allowed(cr) || !cr.dsts.length) continue;
        for (const cd of sortDsts(cr.dsts, cr.sortAlg)) {
          if (!cd.gw || cd.gw.disabled) continue;
          pushGw(ctx, avps, ruri, cd.gw, cr, n++);
          if (n === 1) {
            pushed.carrierAttrs = cr.attrs;
            pushed.gwAttrs = cd.gw.attrs;
          }
          if (cr.firstOnly) break;
        }
      } else if (dst.gw && !dst.gw.disabled && allowed(dst.gw)) {
        pushGw(ctx, avps, ruri, dst.gw, undefined, n++);
        if (n === 1) pushed.gwAttrs = dst.gw.attrs;
      }
    }
    if (n < 1) {
      if (flags & FALLBACK) continue;
      return -1;
    }
    setPv(ctx, out.gw, pushed.gwAttrs ?? '');
    setPv(ctx, out.carrier, pushed.carrierAttrs ?? '');
    break;
  }
  if (avps.rulePrefix) addFirst(ctx, avps.rulePrefix, username.slice(0, prefixLen));
  addFirst(ctx, avps.ruleAttrs, rule.attrs);
  setPv(ctx, out.rule, rule.attrs);
  if (avps.ruleId) addFirst(ctx, avps.ruleId, rule.id);
  if (flags & FALLBACK) {
    if (!(flags & INTERNAL)) {
      if (idx.v > 0) {
        const save: Fallback = { idx: idx.v, prefix: username.slice(0, prefixLen), ruri: ruriText, grp, flags };
        if (wl && whitelist) save.wl = whitelist;
        ctx.avps.set(avps.fallback, [JSON.stringify(save)]);
      }
    } else if (fb) {
      fb.idx = idx.v;
      if (idx.v === 0) fb.prefix = username.slice(0, prefixLen ? prefixLen - 1 : 0);
      ctx.avps.set(avps.fallback, [JSON.stringify(fb)]);
    }
  } else if (flags & INTERNAL) ctx.avps.delete(avps.fallback);
  return 1;
}

/** The string values on top of an AVP (OpenSIPS skips non-string ones). */
function popUntilString(ctx: ExecContext, name: string): string | undefined {
  const s = ctx.avps.get(name);
  while (s?.length && typeof s[s.length - 1] !== 'string') s.pop();
  const v = s?.[s.length - 1];
  return typeof v === 'string' ? v : undefined;
}

/** use_next_gw: the next pending gateway that is not disabled into the R-URI; else the rule fallback (F). */
export function useNextGw(ctx: ExecContext, out: AttrOut): number {
  const rt = ctx.runtime;
  const avps = avpNames(ctx);
  const d = drData(rt);
  for (;;) {
    const ra = first(ctx, avps.ruleAttrs);
    if (out.rule?.given && typeof ra === 'string') setPv(ctx, out.rule, ra);
    popUntilString(ctx, avps.gwAttrs);
    dropFirst(ctx, avps.gwAttrs);
    if (out.gw?.given) {
      const v = popUntilString(ctx, avps.gwAttrs);
      if (v !== undefined) setPv(ctx, out.gw, v);
    }
    popUntilString(ctx, avps.carrierAttrs);
    dropFirst(ctx, avps.carrierAttrs);
    if (out.carrier?.given) {
      const v = popUntilString(ctx, avps.carrierAttrs);
      if (v !== undefined) setPv(ctx, out.carrier, v);
    }
    if (avps.priPrefix) {
      popUntilString(ctx, avps.priPrefix);
      dropFirst(ctx, avps.priPrefix);
    }
    if (avps.carrierId) {
      popUntilString(ctx, avps.carrierId);
      dropFirst(ctx, avps.carrierId);
    }
    if (popUntilString(ctx, avps.gwId) === undefined) {
      rt.logger.log(1, 'drouting', 'use_next_gw', 'no GWs found at all -> have you done do_routing in script ?? ');
      return -1;
    }
    dropFirst(ctx, avps.gwId);
    const id = popUntilString(ctx, avps.gwId);
    const ruri = id === undefined ? undefined : popUntilString(ctx, avps.ruri);
    if (id === undefined || ruri === undefined) return ruleFallback(ctx, avps, out);
    const sock = popUntilString(ctx, avps.sock);
    dropFirst(ctx, avps.sock);
    const gw = d.gateways.get(id);
    if (gw && !gw.disabled) {
      ctx.ruri = ruri;
      const s = sock && sock !== '(nil)' ? rt.findSocket(sock) : undefined;
      if (s) ctx.socketOut = s;
      dropFirst(ctx, avps.ruri);
      return 1;
    }
    dropFirst(ctx, avps.ruri);
  }
}

function ruleFallback(ctx: ExecContext, avps: DrAvps, out: AttrOut): number {
  const raw = first(ctx, avps.fallback);
  const fb = typeof raw === 'string' ? (JSON.parse(raw) as Fallback) : undefined;
  if (!fb || !(fb.flags & FALLBACK)) return -1;
  if (doRouting(ctx, fb.grp, fb.flags | INTERNAL, fb.wl, out) === 1) return 1;
  ctx.avps.delete(avps.fallback);
  return -1;
}

/** dr_disable: the gateway in use (gw_id_avp's first value) is disabled, as a script decision. */
export function drDisable(ctx: ExecContext): number {
  const id = first(ctx, avpNames(ctx).gwId);
  if (typeof id !== 'string') return -1;
  const gw = drData(ctx.runtime).gateways.get(id);
  if (gw && !gw.disabled) setGwState(ctx.runtime, gw, true, false, 'script dr_disable');
  return 1;
}

/** route_to_gw / route_to_carrier: the listed gateways (or carriers' gateways) as do_routing would push them, no rule involved. */
export function routeTo(ctx: ExecContext, ids: string, carriers: boolean, out: AttrOut): number {
  const rt = ctx.runtime;
  const d = drData(rt);
  const avps = avpNames(ctx);
  for (const n of [avps.ruri, avps.gwId, avps.sock, avps.gwAttrs, avps.carrierAttrs, avps.carrierId, avps.priPrefix])
    if (n) ctx.avps.delete(n);
  const ruri = splitUri(ctx.ruri);
  if (!ruri) return -1;
  let n = 0;
  for (const raw of ids.split(',')) {
    const id = raw.trim();
    if (!id) continue;
    if (carriers) {
      const cr = d.carriers.get(id);
      if (!cr) {
        rt.logger.log(-1, 'drouting', 'route2_carrier', `carrier <${id}> was not found`);
        continue;
      }
      if (cr.off) continue;
      for (const cd of sortDsts(cr.dsts, cr.sortAlg)) {
        if (!cd.gw || cd.gw.disabled) continue;
        if (n === 0) {
          setPv(ctx, out.gw, cd.gw.attrs);
          setPv(ctx, out.carrier, cr.attrs);
        }
        pushGw(ctx, avps, ruri, cd.gw, cr, n++);
        if (cr.firstOnly) break;
      }
    } else {
      const gw = d.gateways.get(id);
      if (!gw) {
        rt.logger.log(-1, 'drouting', 'route2_gw', `no GW found with ID <${id}> -> ignoring`);
        continue;
      }
      if (gw.disabled) continue;
      if (n === 0) {
        setPv(ctx, out.gw, gw.attrs);
        const cr = [...d.carriers.values()].find((c) => c.dsts.some((x) => x.gw === gw));
        setPv(ctx, out.carrier, cr?.attrs ?? '');
      }
      pushGw(ctx, avps, ruri, gw, undefined, n++);
    }
  }
  return n ? 1 : -1;
}

/** dr_match: does the number match a rule of the group (with L, all of it)? */
export function drMatch(
  ctx: ExecContext,
  grp: number,
  flags: number,
  number: string,
  ruleAttrs: ArgValue | undefined,
): number {
  const m = matchRule(ctx.runtime, number, grp);
  if (!m || (flags & STRICT_LEN && m.len !== number.length)) return -1;
  setPv(ctx, ruleAttrs, m.rule.attrs);
  const rp = avpNames(ctx).rulePrefix;
  if (rp) addFirst(ctx, rp, number.slice(0, m.len));
  return 1;
}

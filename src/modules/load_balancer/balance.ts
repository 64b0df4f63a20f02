// lb_start / lb_next / lb_reset / lb_is_started / lb_disable_dst /
// lb_is_destination / lb_count_call (lb_data.c). A call is balanced over the
// destinations of a group that offer every requested resource: the one with
// the most free capacity (capacity minus the dialogs in the resource's
// profile; with `r` as a percentage) wins, the first of equals (any of them
// with `s`); negative availability only with `n`. The choice is counted by
// putting the call's dialog (created when missing) in the resources'
// profiles. The state for lb_next lives in AVPs (__lb_grp, __lb_flg,
// __lb_mask, __lb_id, __lb_res) as in 3.3.
import type { ExecContext } from '../../script/context.js';
import type { ArgValue } from '../types.js';
import {
  createDialog,
  currentDialog,
  profileSize,
  setModuleProfile,
  unsetModuleProfile,
  type Dialog,
} from '../dialog/api.js';
import { lbData, profileOf, setDstState, type LbData, type LbDst } from './data.js';

export const RELATIVE = 1;
export const NEGATIVE = 2;
export const RANDOM = 4;

const AVP = { grp: '__lb_grp', flags: '__lb_flg', mask: '__lb_mask', id: '__lb_id', res: '__lb_res' } as const;

export function lbFlags(text: string | undefined): number {
  let f = 0;
  for (const c of text ?? '') f |= c === 'r' ? RELATIVE : c === 'n' ? NEGATIVE : c === 's' ? RANDOM : 0;
  return f;
}

function top(ctx: ExecContext, name: string): string | number | undefined {
  const s = ctx.avps.get(name);
  const v = s?.[s.length - 1];
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

function topInt(ctx: ExecContext, name: string): number | undefined {
  const v = top(ctx, name);
  if (v !== undefined && typeof v !== 'number') ctx.avps.get(name)?.pop();
  return typeof v === 'number' ? v : undefined;
}

/** __lb_res: the resources of the last iteration, in the order they were stored. */
function storedResources(ctx: ExecContext): string[] {
  return [...(ctx.avps.get(AVP.res) ?? [])].reverse().filter((v): v is string => typeof v === 'string');
}

/** The dialog of the call, created when missing (lb needs one to count the call). */
function dialogFor(ctx: ExecContext): Dialog | undefined {
  const d = currentDialog(ctx);
  if (d) return d;
  if (createDialog(ctx) !== 1) return undefined;
  return currentDialog(ctx);
}

function load(ctx: ExecContext, d: LbDst, resources: string[], flags: number): number | undefined {
  let min: number | undefined;
  for (const r of resources) {
    const max = d.capacity.get(r);
    if (max === undefined) return undefined;
    const used = profileSize(ctx.runtime, profileOf(r), d.profileId);
    const av = flags & RELATIVE ? (max ? 100 - Math.trunc((100 * used) / max) : 0) : max - used;
    if (min === undefined || av < min) min = av;
  }
  return min;
}

/** lb_route: 1 a destination is in $du; -1 error, -2 no capacity left, -3 no destination at all, -4 unknown resources. */
function lbRoute(
  ctx: ExecContext,
  groupIn: number,
  requested: string[] | undefined,
  flagsIn: number,
  reuse: boolean,
  attrs: ArgValue | undefined,
): number {
  const rt = ctx.runtime;
  const data = lbData(rt);
  let group = groupIn;
  let flags = flagsIn;
  let resources: string[];
  if (!reuse) {
    resources = data.resources.filter((r) => requested!.includes(r));
    if (resources.length !== new Set(requested).size) {
      rt.logger.log(-1, 'load_balancer', 'lb_route', 'initial call of LB - unknown resource found in input string');
      return -4;
    }
  } else resources = [];
  const grpAvp = topInt(ctx, AVP.grp);
  const flagsAvp = topInt(ctx, AVP.flags);
  const maskRaw = top(ctx, AVP.mask);
  const idAvp = topInt(ctx, AVP.id);
  const last = idAvp === undefined ? undefined : data.dsts.find((d) => d.id === idAvp);
  const prev = reuse || last ? storedResources(ctx).filter((r) => data.resources.includes(r)) : [];
  if (reuse) {
    resources = prev;
    if (!resources.length) {
      rt.logger.log(-1, 'load_balancer', 'lb_route', 'sequential call of LB - cannot find previous resources');
      return -1;
    }
    if (grpAvp === undefined) {
      rt.logger.log(-1, 'load_balancer', 'lb_route', 'sequential call of LB - cannot find previous group');
      return -1;
    }
    group = grpAvp;
    flags = flagsAvp ?? 0;
  }
  // The candidates: destinations offering every resource, minus those tried already (lb_next).
  let mask: Set<number>;
  if (reuse && typeof maskRaw === 'string') mask = new Set(maskRaw ? maskRaw.split(',').map(Number) : []);
  else {
    if (reuse)
      rt.logger.log(
        1,
        'load_balancer',
        'lb_route',
        'sequential call of LB - cannot find previous mask, routing will be re-started',
      );
    mask = new Set(data.dsts.filter((d) => resources.every((r) => d.capacity.has(r))).map((d) => d.id));
  }
  const dialog = dialogFor(ctx);
  if (!dialog) {
    rt.logger.log(
      -1,
      'load_balancer',
      'lb_route',
      `${reuse ? 'sequential' : 'initial'} call of LB - failed to create dialog`,
    );
    return -1;
  }
  if (last) for (const r of prev) unsetModuleProfile(dialog, profileOf(r), last.profileId);
  let best: LbDst[] = [];
  let bestLoad = 0;
  let available = 0;
  for (const d of data.dsts) {
    if (d.group !== group || !mask.has(d.id) || d.disabled) continue;
    available++;
    const l = load(ctx, d, resources, flags);
    if (l === undefined || (l <= 0 && !(flags & NEGATIVE))) continue;
    if (!best.length || l > bestLoad) {
      best = [d];
      bestLoad = l;
    } else if (l === bestLoad && flags & RANDOM) best.push(d);
  }
  const dst = best.length > 1 ? best[Math.floor(Math.random() * best.length)] : best[0];
  if (dst) {
    for (const r of resources) setModuleProfile(dialog, profileOf(r), dst.profileId);
    mask.delete(dst.id);
  }
  saveState(ctx, group, flags, mask, dst, resources);
  if (dst) ctx.du = dst.uri;
  if (dst) attrs?.pv?.set(ctx, dst.attrs);
  else if (attrs?.given) attrs.pv?.set(ctx, '');
  return dst ? 1 : available ? -2 : -3;
}

function saveState(
  ctx: ExecContext,
  group: number,
  flags: number,
  mask: Set<number>,
  dst: LbDst | undefined,
  resources: string[],
): void {
  ctx.avps.set(AVP.grp, [group]);
  if (flags || ctx.avps.has(AVP.flags)) ctx.avps.set(AVP.flags, [flags]);
  ctx.avps.set(AVP.mask, [[...mask].join(',')]);
  if (dst) ctx.avps.set(AVP.id, [dst.id]);
  else ctx.avps.delete(AVP.id);
  ctx.avps.set(AVP.res, [...resources].reverse());
}

export function lbStart(
  ctx: ExecContext,
  group: number,
  resources: string,
  flags: number,
  attrs: ArgValue | undefined,
): number {
  const requested = resourceNames(resources);
  if (!requested) return -1;
  return lbRoute(ctx, group, requested, flags, false, attrs);
}

export function lbNext(ctx: ExecContext, attrs: ArgValue | undefined): number {
  return lbRoute(ctx, -1, undefined, 0, true, attrs);
}

/** do_lb_is_started: the group (int), mask and resources (strings) of a previous lb_start are there. */
export function lbIsStarted(ctx: ExecContext): number {
  return typeof top(ctx, AVP.grp) === 'number' &&
    typeof top(ctx, AVP.mask) === 'string' &&
    typeof top(ctx, AVP.res) === 'string'
    ? 1
    : -1;
}

/** lb_reset: the state AVPs dropped and the call out of the last destination's profiles; -1 without a dialog. */
export function lbReset(ctx: ExecContext): number {
  const rt = ctx.runtime;
  const dialog = currentDialog(ctx);
  if (!dialog) {
    rt.logger.log(-1, 'load_balancer', 'do_lb_reset', 'no dialog found for this call, LB not started');
    return -1;
  }
  ctx.avps.delete(AVP.grp);
  ctx.avps.delete(AVP.flags);
  ctx.avps.delete(AVP.mask);
  const id = topInt(ctx, AVP.id);
  const data = lbData(rt);
  const last = id === undefined ? undefined : data.dsts.find((d) => d.id === id);
  ctx.avps.delete(AVP.id);
  if (last) for (const r of storedResources(ctx)) unsetModuleProfile(dialog, profileOf(r), last.profileId);
  ctx.avps.delete(AVP.res);
  return 1;
}

/** lb_disable_dst: the destination in use (__lb_id) is disabled until probing or MI enables it. */
export function lbDisableDst(ctx: ExecContext): number {
  const rt = ctx.runtime;
  const id = topInt(ctx, AVP.id);
  const dst = id === undefined ? undefined : lbData(rt).dsts.find((d) => d.id === id);
  if (!dst) return -1;
  if (!dst.disabled) {
    setDstState(rt, dst, true, false);
    if (Number(rt.param('load_balancer', 'probing_verbose') ?? 0))
      rt.logger.log(
        2,
        'load_balancer',
        'do_lb_disable_dst',
        `manually disable destination ${dst.id} <${dst.uri}> from script`,
      );
  }
  return 1;
}

const isIp = (s: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || /^\[?[0-9a-f:.]+\]?$/i.test(s);

function findDst(data: LbData, ip: string, port: number, group: number, active: boolean): LbDst | undefined {
  const host = ip.replace(/^\[|\]$/g, '').toLowerCase();
  return data.dsts.find(
    (d) =>
      (group === -1 || d.group === group) &&
      (!active || !d.disabled) &&
      (port === 0 || d.port === port) &&
      d.host === host,
  );
}

/** lb_is_destination(ip, port[, group[, active[, attrs]]]). */
export function lbIsDestination(
  ctx: ExecContext,
  ip: string,
  port: number,
  group: number,
  active: boolean,
  attrs: ArgValue | undefined,
): number {
  if (!isIp(ip)) {
    ctx.runtime.logger.log(-1, 'load_balancer', 'lb_is_dst', `IP val is not IP <${ip}>`);
    return -1;
  }
  const d = findDst(lbData(ctx.runtime), ip, port, group, active);
  attrs?.pv?.set(ctx, d?.attrs ?? '');
  return d ? 1 : -1;
}

function resourceNames(text: string): string[] | undefined {
  return parseNames(text)?.map((r) => r);
}

function parseNames(text: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of text.split(';')) {
    const t = raw.trim();
    if (!t) {
      if (out.length) continue;
      return undefined;
    }
    if (t.includes('=')) return undefined;
    out.push(t);
  }
  return out.length ? out : undefined;
}

/** lb_count_call(ip, port, group, resources[, undo]): the call counted on (or, undo, taken off) that destination's resources. */
export function lbCountCall(
  ctx: ExecContext,
  ip: string,
  port: number,
  group: number,
  resources: string,
  undo: boolean,
): number {
  const rt = ctx.runtime;
  if (!isIp(ip)) {
    rt.logger.log(-1, 'load_balancer', 'w_lb_count_call', `IP val is not IP <${ip}>`);
    return -1;
  }
  const data = lbData(rt);
  const dst = findDst(data, ip, port, group, false);
  if (!dst) {
    rt.logger.log(
      -1,
      'load_balancer',
      'lb_count_call',
      `no destination to match the given IP and port (${ip}:${port})`,
    );
    return -1;
  }
  const names = parseNames(resources);
  const known = names ? data.resources.filter((r) => names.includes(r)) : [];
  if (!names || known.length !== new Set(names).size) {
    rt.logger.log(-1, 'load_balancer', 'lb_count_call', 'unknown resource in input string');
    return -1;
  }
  const dialog = dialogFor(ctx);
  if (!dialog) {
    rt.logger.log(-1, 'load_balancer', 'lb_count_call', 'failed to create dialog');
    return -1;
  }
  for (const r of known) {
    if (undo) unsetModuleProfile(dialog, profileOf(r), dst.profileId);
    else setModuleProfile(dialog, profileOf(r), dst.profileId);
  }
  return 1;
}

export { parseNames as parseResourceNames };

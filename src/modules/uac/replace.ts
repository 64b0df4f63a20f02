// uac_replace_from / uac_replace_to and their restore, in the RR-parameter
// form 3.3 uses without a dialog: the header's display and URI rewritten as
// it writes them (params and tag kept), the original hidden in a Record-Route
// parameter (vsf / vst: the old URI XOR the new `<uri>`, XOR restore_passwd,
// base64 padded with '-'), put back by loose_route() in auto mode (or
// uac_restore_*() in manual mode) on the dialog's later requests, and the
// transaction's relayed replies given back the From/To the caller sent.
import type { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import { addRrParam, ourRouteParams } from '../rr/index.js';
import { restoreInReplies } from './restore.js';
import { strParam } from '../common/params.js';
import { stateKey } from '../../base/keys.js';

export type Which = 'from' | 'to';

/** uac_replace_* already changed this header of the request (a second change is refused, -10). */
const REPLACED = { from: stateKey<boolean>('uac:replaced:from'), to: stateKey<boolean>('uac:replaced:to') } as const;

const param = (ctx: ExecContext, name: string, dflt: string): string => strParam(ctx.runtime, 'uac', name, dflt);

export function restoreMode(ctx: ExecContext): 'none' | 'manual' | 'auto' {
  const m = param(ctx, 'restore_mode', 'auto').toLowerCase();
  return m === 'none' || m === 'manual' ? m : 'auto';
}

const storeParam = (ctx: ExecContext, which: Which): string =>
  param(ctx, which === 'from' ? 'rr_from_store_param' : 'rr_to_store_param', which === 'from' ? 'vsf' : 'vst');

/** A From/To value taken apart: what comes before the display, the display as written, the URI with or without its brackets, the rest (params). */
interface NameAddrParts {
  lead: string;
  display: string;
  gap: string;
  uri: string;
  bracketed: boolean;
  rest: string;
}

export function nameAddrParts(value: string): NameAddrParts | undefined {
  const lead = /^\s*/.exec(value)![0];
  let p = lead.length;
  let display = '';
  if (value[p] === '"') {
    let q = p + 1;
    while (q < value.length && value[q] !== '"') q += value[q] === '\\' ? 2 : 1;
    display = value.slice(p, q + 1);
    p = q + 1;
  }
  const lt = value.indexOf('<', p);
  if (lt >= 0 && (display !== '' || /^[^;]*$/.test(value.slice(p, lt)))) {
    const gt = value.indexOf('>', lt);
    if (gt < 0) return undefined;
    const between = value.slice(p, lt);
    if (!display) display = between.trim();
    const gap = display ? /\s*$/.exec(between)![0] : '';
    return { lead, display, gap, uri: value.slice(lt + 1, gt), bracketed: true, rest: value.slice(gt + 1) };
  }
  if (display) return undefined;
  const semi = value.indexOf(';', p);
  const end = semi < 0 ? value.length : semi;
  return { lead, display: '', gap: '', uri: value.slice(p, end).trim(), bracketed: false, rest: value.slice(end) };
}

/** The display as 3.3 writes it: kept when already quoted or a token, else in double quotes (inner quotes not escaped). */
function quoteDisplay(d: string): string {
  if (d === '' || (d.length >= 2 && d.startsWith('"') && d.endsWith('"')) || /^[A-Za-z0-9\-.!%*_+`'~]+$/.test(d))
    return d;
  return `"${d}"`;
}

function rewritten(parts: NameAddrParts, display: string | undefined, uri: string): string {
  const d = display === undefined ? parts.display : quoteDisplay(display);
  const replaceUri = uri !== '';
  const u = replaceUri ? `<${uri}>` : parts.bracketed ? `<${parts.uri}>` : parts.uri;
  if (parts.display) return `${parts.lead}${d}${parts.gap || (d ? ' ' : '')}${u}${parts.rest}`; // removed display: its space stays
  if (!d) return `${parts.lead}${u}${parts.rest}`;
  if (parts.bracketed) return `${parts.lead}${d} ${u}${parts.rest}`;
  return replaceUri ? `${parts.lead}${d}${u}${parts.rest}` : `${parts.lead}${d} <${parts.uri}>${parts.rest}`;
}

function xorInto(target: Buffer, key: Buffer, cyclic: boolean): void {
  for (let i = 0; i < target.length && (cyclic || i < key.length); i++) target[i]! ^= key[cyclic ? i % key.length : i]!;
}

/** encode_uri: the longer of old and new, its first bytes XOR the shorter, XOR the password, base64 with '-' padding. */
export function encodeOriginal(oldUri: string, newValue: string, passwd: string): string {
  const o = Buffer.from(oldUri, 'latin1');
  const n = Buffer.from(newValue, 'latin1');
  const mixed = Buffer.from(o.length >= n.length ? o : n);
  xorInto(mixed, o.length >= n.length ? n : o, false);
  if (passwd) xorInto(mixed, Buffer.from(passwd, 'latin1'), true);
  return mixed.toString('base64').replace(/=/g, '-');
}

function decodeBlob(text: string, passwd: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*-{0,2}$/.test(text)) return undefined;
  const b = Buffer.from(text.replace(/-/g, '='), 'base64');
  if (passwd) xorInto(b, Buffer.from(passwd, 'latin1'), true);
  return b;
}

/** The header of `which` on the request as the script sees it (its first one). */
function headerValue(ctx: ExecContext, which: Which): string | undefined {
  return ctx.msg.header(which === 'from' ? 'From' : 'To');
}

function setHeader(ctx: ExecContext, which: Which, value: string): void {
  headerEdits(ctx).push({ op: 'replace', name: which, nth: 0, value });
}

/** The relayed replies of this request's transaction get back the From/To display and URI it arrived with. */
function restoreReplies(ctx: ExecContext, which: Which): void {
  restoreInReplies(ctx, which);
}

export function uacReplace(ctx: ExecContext, which: Which, display: string | undefined, uri: string): number {
  const mode = restoreMode(ctx);
  const guard = REPLACED[which];
  if (ctx.state(guard) === true) return -10;
  const value = headerValue(ctx, which);
  const parts = value === undefined ? undefined : nameAddrParts(value);
  if (!parts) return -1;
  if (mode === 'auto' && uri !== '' && ctx.msg.to?.tag) return -1;
  setHeader(ctx, which, rewritten(parts, display, uri));
  if (ctx.routeStack[0]?.type === 'request') ctx.setState(guard, true);
  if (mode === 'none' || uri === '') return 1;
  const blob = encodeOriginal(parts.uri, `<${uri}>`, param(ctx, 'restore_passwd', ''));
  addRrParam(ctx, `;${storeParam(ctx, which)}=${blob}`);
  restoreReplies(ctx, which);
  return 1;
}

/**
 * restore_uri: our Route's vsf (vst) parameter decoded against the header
 * the request carries. From the caller (its From tag is the Route's ftag) the
 * header gets the new value; from the callee the other header gets the
 * original back. 1 when a header was rewritten.
 */
export function uacRestore(ctx: ExecContext, which: Which, withReplies: boolean): number {
  const params = ourRouteParams(ctx);
  const stored = params ? new RegExp(`;${storeParam(ctx, which)}=([^;>]*)`).exec(params)?.[1] : undefined;
  if (!stored) return -1;
  const blob = decodeBlob(stored, param(ctx, 'restore_passwd', ''));
  if (!blob) return -1;
  const ftag = /;ftag=([^;]*)/.exec(params!)?.[1];
  const fromTag = ctx.msg.from?.tag;
  const downstream = !ftag || !fromTag || fromTag === ftag;
  const target: Which = downstream ? which : which === 'from' ? 'to' : 'from';
  const value = headerValue(ctx, target);
  const parts = value === undefined ? undefined : nameAddrParts(value);
  if (!parts) return -1;
  const current = Buffer.from(downstream || !parts.bracketed ? parts.uri : `<${parts.uri}>`, 'latin1');
  if (blob.length < current.length) return -1;
  xorInto(blob, current, false);
  let result = blob.toString('latin1');
  if (blob.length === current.length) result = result.replace(/\0+$/, '');
  if (!result) return -1;
  const next = downstream
    ? `${parts.lead}${parts.display}${parts.display ? parts.gap || ' ' : ''}${result}${parts.rest}`
    : `${parts.lead}${parts.display}${parts.display ? parts.gap || ' ' : ''}${parts.bracketed ? `<${result}>` : result}${parts.rest}`;
  setHeader(ctx, target, next);
  if (withReplies) restoreReplies(ctx, target);
  return 1;
}

/** rr callback (auto mode): every loose-routed request gets From then To restored. */
export function restoreOnLooseRoute(ctx: ExecContext): void {
  if (restoreMode(ctx) !== 'auto') return;
  uacRestore(ctx, 'from', true);
  uacRestore(ctx, 'to', true);
}

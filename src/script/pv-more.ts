// More of OpenSIPS 3.3's core pseudo-variables (pvar.c, xlog.c): xlog
// colours, the credentials ($au, $ar, $auth.*...), the accounting username,
// identity headers ($ai, $pu..., $re, $rt, $di...), the destination set,
// branches, $ru_q, $time, $msg.*. Values as pvar.c gives them: null where
// it returns <null>.
import type { ExecContext } from './context.js';
import { socketString } from './context.js';
import type { PvDef } from './pv-core.js';
import { splitUri, uriParam } from './uri-fields.js';
import type { Val } from './values.js';
import { displayAsWritten } from './display-name.js';
import { parseCredentials } from '../sip/scalars.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { isSipError } from '../sip/result.js';
import { authorizedCredentials } from './credentials.js';

const str = (v: string | undefined): Val => (v === undefined || v === '' ? null : v);

// ---- $C(fb): ANSI colours, only when logging to stderr (log_stderror) or xlog_force_color ----

const COLOURS = 'srgybpcw';

export function colour(ctx: ExecContext, name: string | undefined): Val {
  if (!ctx.runtime.logColors || !name || name.length !== 2) return '';
  let out = '\x1b[';
  const fg = name[0]!;
  if (fg !== '_') out += fg === fg.toLowerCase() ? '0;' : '1;';
  const f = fg.toLowerCase();
  const b = name[1]!;
  const fi = f === 'x' ? 9 : COLOURS.indexOf(f);
  const bi = b === 'x' ? 9 : COLOURS.indexOf(b);
  if (fi < 0 || bi < 0) return null;
  return `${out}${30 + fi};${40 + bi}m`;
}

// ---- credentials ----

type CredField =
  | 'user'
  | 'domain'
  | 'whole'
  | 'realm'
  | 'uri'
  | 'nonce'
  | 'response'
  | 'cnonce'
  | 'opaque'
  | 'algorithm'
  | 'qop'
  | 'nc';

/** The first Proxy-Authorization, else the first Authorization (pv_get_authattr); none for ACK and CANCEL. */
function credentialsOf(ctx: ExecContext): Record<string, string> | undefined {
  if (ctx.msg.method === 'ACK' || ctx.msg.method === 'CANCEL') return undefined;
  const value = ctx.msg.header('proxy-authorization') ?? ctx.msg.header('authorization');
  if (value === undefined) return undefined;
  const c = parseCredentials(value);
  return isSipError(c) ? undefined : c.params;
}

function credPv(field: CredField): PvDef {
  return {
    takesName: false,
    get: (ctx) => {
      const p = credentialsOf(ctx);
      if (!p) return null;
      const whole = p.username ?? '';
      const at = whole.indexOf('@');
      switch (field) {
        case 'whole':
          return str(whole);
        case 'user':
          return str(at < 0 ? whole : whole.slice(0, at));
        case 'domain':
          return str(at < 0 ? '' : whole.slice(at + 1));
        default:
          return str(p[field]);
      }
    },
  };
}

/** $Au: the authorized credentials' user@realm, else the From URI's user@host. */
function accUsername(ctx: ExecContext): Val {
  const c = authorizedCredentials(ctx);
  if (c) {
    const whole = c.params.username ?? '';
    const user = whole.includes('@') ? whole.slice(0, whole.indexOf('@')) : whole;
    const realm = whole.includes('@') ? whole.slice(whole.indexOf('@') + 1) : c.params.realm;
    if (user) return realm ? `${user}@${realm}` : user;
  }
  const from = ctx.msg.from ? splitUri(ctx.msg.from.uri) : undefined;
  return from ? `${from.user ?? ''}@${from.host}` : null;
}

// ---- identity and other headers: the first header's name-addr ----

function nameAddrOf(ctx: ExecContext, header: string): { uri: string; displayName?: string; text: string } | undefined {
  const value = ctx.msg.header(header);
  if (value === undefined) return undefined;
  const first = value.split(',')[0]!;
  const na = parseNameAddr(first.trim());
  return isSipError(na)
    ? undefined
    : { uri: na.uri, ...(na.displayName ? { displayName: na.displayName } : {}), text: first };
}

function headerUri(header: string): PvDef {
  return { takesName: false, get: (ctx) => str(nameAddrOf(ctx, header)?.uri) };
}

function ppi(part: 'uri' | 'user' | 'host' | 'name'): PvDef {
  return {
    takesName: false,
    get: (ctx) => {
      const na = nameAddrOf(ctx, 'p-preferred-identity');
      if (!na) return null;
      if (part === 'uri') return na.uri;
      if (part === 'name') return str(displayAsWritten(na.text));
      const u = splitUri(na.uri);
      return u ? str(part === 'user' ? u.user : u.host) : null;
    },
  };
}

function diversion(part: 'uri' | 'reason' | 'privacy'): PvDef {
  return {
    takesName: false,
    get: (ctx) => {
      const na = nameAddrOf(ctx, 'diversion');
      if (!na) return null;
      if (part === 'uri') return na.uri;
      const params = na.text.slice(na.text.lastIndexOf('>') + 1);
      return str(uriParam(params, part)?.replace(/^"|"$/g, ''));
    },
  };
}

// ---- destination set, branches, q ----

/** q as OpenSIPS prints it: 1, 0, or 0.x without trailing zeros. */
export function qString(q: number): string {
  if (q >= 1000) return '1';
  if (q <= 0) return '0';
  return `0.${String(q).padStart(3, '0').replace(/0+$/, '')}`;
}

/** print_dset: `Contact: <uri>[;q=..], ...` — the R-URI only when the script rewrote it. */
function dset(ctx: ExecContext): Val {
  const parts: string[] = [];
  const item = (uri: string, q: number): string => `<${uri}>${q >= 0 ? `;q=${qString(q)}` : ''}`;
  if (ctx.ruri !== ctx.msg.ruri) parts.push(item(ctx.ruri, ctx.ruriQ));
  for (const b of ctx.branches) parts.push(item(b.uri, b.q));
  return parts.length ? `Contact: ${parts.join(', ')}` : null;
}

function branchField(ctx: ExecContext, i: number, field: string | undefined): Val {
  const b = ctx.branches[i];
  if (!b) return null;
  switch ((field ?? 'uri').toLowerCase()) {
    case 'uri':
      return b.uri;
    case 'q':
      return b.q < 0 ? '' : qString(b.q);
    case 'duri':
      return str(b.du ?? undefined);
    case 'path':
      return str(b.path);
    case 'flags':
      return ctx.runtime.flags.namesOf('branch', b.flags);
    case 'socket':
      return b.socket ? socketString(b.socket) : null;
    default:
      return null;
  }
}

// ---- $time(format): strftime on local time ----

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export function strftime(format: string, d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const start = new Date(d.getFullYear(), 0, 1);
  return format.replace(/%([a-zA-Z%])/g, (m, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getFullYear());
      case 'y':
        return two(d.getFullYear() % 100);
      case 'm':
        return two(d.getMonth() + 1);
      case 'd':
        return two(d.getDate());
      case 'e':
        return String(d.getDate()).padStart(2, ' ');
      case 'H':
        return two(d.getHours());
      case 'I':
        return two(d.getHours() % 12 || 12);
      case 'M':
        return two(d.getMinutes());
      case 'S':
        return two(d.getSeconds());
      case 'p':
        return d.getHours() < 12 ? 'AM' : 'PM';
      case 'a':
        return DAYS[d.getDay()]!.slice(0, 3);
      case 'A':
        return DAYS[d.getDay()]!;
      case 'b':
      case 'h':
        return MONTHS[d.getMonth()]!.slice(0, 3);
      case 'B':
        return MONTHS[d.getMonth()]!;
      case 'j':
        return String(Math.floor((d.getTime() - start.getTime()) / 86_400_000) + 1).padStart(3, '0');
      case 'u':
        return String(d.getDay() || 7);
      case 'w':
        return String(d.getDay());
      case 's':
        return String(Math.floor(d.getTime() / 1000));
      case 'T':
        return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
      case 'D':
        return `${two(d.getMonth() + 1)}/${two(d.getDate())}/${two(d.getFullYear() % 100)}`;
      case 'F':
        return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
      case '%':
        return '%';
      default:
        return m;
    }
  });
}

// ---- $ct.fields(name|uri|q|expires|methods|received|params) ----

function contactField(
  c: { text: string; uri: string; params: Record<string, string>; displayName?: string } | undefined,
  field: string | undefined,
): Val {
  if (!c) return null;
  const f = (field ?? '').toLowerCase();
  if (f === 'name') return str(c.displayName);
  if (f === 'uri') return c.uri;
  if (f === 'params') {
    const afterUri = c.text.includes('>') ? c.text.slice(c.text.indexOf('>') + 1) : c.text.slice(c.text.indexOf(';'));
    return str(afterUri.replace(/^\s*;\s*/, '').trim() || undefined);
  }
  if (f === 'q' || f === 'expires' || f === 'methods' || f === 'received') return str(c.params[f]);
  return c.text;
}

/** The message's headers, in order, as they came (for $hdr_name[n]). */
function headerNames(ctx: ExecContext): string[] {
  return ctx.msg.sip?.headerNames() ?? [];
}

export const MORE_CORE_PVS: Record<string, PvDef> = {
  'ct.fields': {
    takesName: true,
    get: (ctx, field) => {
      const c = ctx.msg.contacts();
      return c.star ? null : contactField(c.list[0], field);
    },
    all: (ctx, field) => {
      const c = ctx.msg.contacts();
      return c.star ? [] : c.list.map((x) => contactField(x, field));
    },
  },
  hdr_name: { takesName: false, get: (ctx) => headerNames(ctx)[0] ?? null, all: headerNames },
  C: { takesName: true, get: (ctx, name) => colour(ctx, name) },
  au: credPv('user'),
  ad: credPv('domain'),
  aU: credPv('whole'),
  ar: credPv('realm'),
  adu: credPv('uri'),
  an: credPv('nonce'),
  'auth.nonce': credPv('nonce'),
  'auth.resp': credPv('response'),
  'auth.cnonce': credPv('cnonce'),
  'auth.opaque': credPv('opaque'),
  'auth.alg': credPv('algorithm'),
  'auth.qop': credPv('qop'),
  'auth.nc': credPv('nc'),
  Au: { takesName: false, get: accUsername },
  ai: headerUri('p-asserted-identity'),
  re: headerUri('remote-party-id'),
  rt: headerUri('refer-to'),
  pu: ppi('uri'),
  pU: ppi('user'),
  pd: ppi('host'),
  pn: ppi('name'),
  di: diversion('uri'),
  dir: diversion('reason'),
  dip: diversion('privacy'),
  dP: {
    takesName: false,
    get: (ctx) =>
      ctx.du
        ? splitUri(ctx.du)
          ? (uriParam(splitUri(ctx.du)!.params, 'transport') ?? 'UDP').toUpperCase()
          : null
        : null,
  },
  oP: {
    takesName: false,
    get: (ctx) => {
      const u = splitUri(ctx.msg.ruri);
      return u ? (uriParam(u.params, 'transport') ?? 'UDP').toUpperCase() : null;
    },
  },
  ds: { takesName: false, get: dset },
  ru_q: {
    takesName: false,
    get: (ctx) => (ctx.msg.isRequest ? ctx.ruriQ : null),
    set: (ctx, _n, v) => {
      const n = v === null ? -1 : Number(v);
      if (!Number.isInteger(n)) return false;
      ctx.ruriQ = n;
      return true;
    },
  },
  branch: {
    get: (ctx, field) => branchField(ctx, 0, field),
    all: (ctx, field) => ctx.branches.map((_b, i) => branchField(ctx, i, field)),
    set: (ctx, field, v) => {
      if (field !== undefined || v === null) return false;
      ctx.branches.push({ uri: String(v), du: null, flags: 0, q: -1, socket: null });
      ctx.branchFlags.push(0);
      return true;
    },
  },
  time: { takesName: true, get: (ctx, format) => strftime(format ?? '', new Date(ctx.runtime.clock.now())) },
  'msg.is_request': { takesName: false, get: (ctx) => (ctx.msg.isRequest ? 1 : 0) },
  'msg.type': { takesName: false, get: (ctx) => (ctx.msg.isRequest ? 'request' : 'reply') },
  'msg.flag': {
    takesName: true,
    get: (ctx, name) => {
      const m = ctx.runtime.flags.mask('msg', name ?? '');
      return m && (ctx.msgFlags & m) !== 0 ? 1 : 0;
    },
    set: (ctx, name, v) => {
      const m = ctx.runtime.flags.mask('msg', name ?? '');
      if (!m) return false;
      ctx.msgFlags = v !== null && v !== 0 && v !== '0' && v !== '' ? ctx.msgFlags | m : ctx.msgFlags & ~m;
      return true;
    },
  },
};

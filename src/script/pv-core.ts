// The core pseudo-variables of OpenSIPS 3.3 (pvar.c), read and written on an
// ExecContext. Each definition says whether it takes a name `$x(name)` and
// whether it is writable; the linter reads the same table.
import type { ExecContext } from './context.js';
import { ERR_INFO, socketString } from './context.js';
import type { SocketInfo } from '../net/types.js';
import { uriField, setUriField, splitUri } from './uri-fields.js';
import { CORE_COUNTERS } from './core-stats.js';
import type { Val } from './values.js';
import type { ErrInfo } from './errinfo.js';
import { displayAsWritten } from './display-name.js';

export interface PvDef {
  /** `$name(inner)` form required (true), forbidden (false) or both accepted (undefined). */
  takesName?: boolean;
  get(ctx: ExecContext, inner: string | undefined): Val;
  /** Present when writable; returns false when the value was refused. */
  set?(ctx: ExecContext, inner: string | undefined, v: Val): boolean;
  /** Multiple values, for `[n]` / `[*]` indexes (headers, contacts). */
  all?(ctx: ExecContext, inner: string | undefined): Val[];
}

const str = (v: string | undefined): Val => (v === undefined ? null : v);

function socketField(s: SocketInfo, field: string | undefined): Val {
  switch (field) {
    case undefined:
      return socketString(s);
    case 'ip':
      return s.ip;
    case 'port':
      return s.port;
    case 'proto':
      return s.proto;
    case 'advertised_ip':
      return str(s.advertisedIp);
    case 'advertised_port':
      return s.advertisedPort ?? null;
    case 'tag':
      return str(s.tag);
    case 'anycast':
      return s.anycast ? 1 : 0;
    case 'af':
      return s.ip.includes(':') ? 'INET6' : 'INET';
    default:
      return null;
  }
}

const ruriPart = (field: 'user' | 'host' | 'port'): PvDef => ({
  takesName: false,
  get: (ctx) => {
    // parse_sip_msg_uri(): a Request-URI is parsed when read, and a failure counts as a bad URI (3.3's parse_uri).
    if (splitUri(ctx.ruri) === undefined) {
      CORE_COUNTERS.bad_URIs_rcvd.inc(ctx.runtime.services);
      return null;
    }
    return uriField(ctx.ruri, field);
  },
  set: (ctx, _i, v) => {
    if (v === null && field !== 'user') return false;
    const next = setUriField(ctx.ruri, field, v === null ? '' : String(v));
    if (next === undefined) return false;
    ctx.ruri = next;
    return true;
  },
});

function nameAddrPv(which: 'from' | 'to', part: 'uri' | 'user' | 'host' | 'name' | 'tag'): PvDef {
  return {
    takesName: false,
    get: (ctx) => {
      const na = ctx.msg[which];
      if (!na) return null;
      if (part === 'uri') return na.uri;
      if (part === 'name') {
        const h = ctx.msg.header(which);
        return str(h === undefined ? undefined : displayAsWritten(h));
      }
      if (part === 'tag') return str(na.tag);
      return uriField(na.uri, part);
    },
  };
}

function headerValues(ctx: ExecContext, name: string | undefined): Val[] {
  return name ? ctx.msg.headers(name) : [];
}

export const CORE_PVS: Record<string, PvDef> = {
  ru: {
    takesName: false,
    get: (ctx) => ctx.ruri,
    set: (ctx, _i, v) => {
      if (v === null) return false;
      ctx.ruri = String(v);
      return true;
    },
  },
  rU: ruriPart('user'),
  rd: ruriPart('host'),
  rp: {
    takesName: false,
    get: (ctx) => {
      const p = uriField(ctx.ruri, 'port');
      return p === null ? defaultPort(ctx.ruri) : Number(p);
    },
    set: ruriPart('port').set!,
  },
  rP: { takesName: false, get: (ctx) => uriField(ctx.ruri, 'transport') ?? 'UDP' },
  ou: { takesName: false, get: (ctx) => ctx.msg.ruri },
  oU: { takesName: false, get: (ctx) => uriField(ctx.msg.ruri, 'user') },
  od: { takesName: false, get: (ctx) => uriField(ctx.msg.ruri, 'host') },
  op: {
    takesName: false,
    get: (ctx) => {
      const p = uriField(ctx.msg.ruri, 'port');
      return p === null ? defaultPort(ctx.msg.ruri) : Number(p);
    },
  },
  du: {
    takesName: false,
    get: (ctx) => ctx.du,
    set: (ctx, _i, v) => {
      ctx.du = v === null ? null : String(v);
      return true;
    },
  },
  dd: { takesName: false, get: (ctx) => (ctx.du ? uriField(ctx.du, 'host') : null) },
  dp: { takesName: false, get: (ctx) => (ctx.du ? (uriField(ctx.du, 'port') ?? null) : null) },
  fu: nameAddrPv('from', 'uri'),
  fU: nameAddrPv('from', 'user'),
  fd: nameAddrPv('from', 'host'),
  fn: nameAddrPv('from', 'name'),
  ft: nameAddrPv('from', 'tag'),
  tu: nameAddrPv('to', 'uri'),
  tU: nameAddrPv('to', 'user'),
  td: nameAddrPv('to', 'host'),
  tn: nameAddrPv('to', 'name'),
  tt: nameAddrPv('to', 'tag'),
  rm: { takesName: false, get: (ctx) => ctx.msg.method },
  ci: { takesName: false, get: (ctx) => str(ctx.msg.callId) },
  cs: { takesName: false, get: (ctx) => ctx.msg.cseq?.num ?? null },
  ct: {
    takesName: false,
    get: (ctx) => {
      const c = ctx.msg.contacts();
      return c.star ? '*' : str(c.list[0]?.text);
    },
    all: (ctx) => {
      const c = ctx.msg.contacts();
      return c.star ? ['*'] : c.list.map((x) => x.text);
    },
  },
  hdr: { takesName: true, get: (ctx, name) => headerValues(ctx, name)[0] ?? null, all: headerValues },
  hdrcnt: { takesName: true, get: (ctx, name) => headerValues(ctx, name).length },
  ua: { takesName: false, get: (ctx) => str(ctx.msg.header('User-Agent')) },
  cl: { takesName: false, get: (ctx) => Buffer.byteLength(ctx.msg.body) },
  cT: { takesName: false, get: (ctx) => str(ctx.msg.header('Content-Type')) },
  rb: { get: (ctx) => ctx.msg.body },
  mb: { takesName: false, get: (ctx) => ctx.msg.text },
  ml: { takesName: false, get: (ctx) => Buffer.byteLength(ctx.msg.text) },
  rs: { takesName: false, get: (ctx) => ctx.msg.status ?? null },
  rr: { takesName: false, get: (ctx) => str(ctx.msg.reason) },
  si: { takesName: false, get: (ctx) => ctx.src.ip },
  sp: { takesName: false, get: (ctx) => ctx.src.port },
  socket_in: { get: (ctx, field) => socketField(ctx.socketIn, field) },
  socket_out: {
    get: (ctx, field) =>
      field === 'forced'
        ? ctx.socketOut
          ? socketString(ctx.socketOut)
          : null
        : socketField(ctx.socketOut ?? ctx.socketIn, field),
    set: (ctx, field, v) => {
      if (field !== undefined) return false;
      if (v === null) {
        ctx.socketOut = null;
        return true;
      }
      const found = ctx.runtime.findSocket(String(v));
      if (!found) {
        ctx.runtime.logger.log(
          1,
          'core',
          'pv_set_force_sock',
          `socket <${String(v)}> is not a listening socket, not forcing it`,
        );
        return true;
      }
      ctx.socketOut = found;
      return true;
    },
  },
  retcode: { takesName: false, get: (ctx) => ctx.retcode },
  cfg_line: { takesName: false, get: (ctx) => ctx.current?.line ?? 0 },
  cfg_file: { takesName: false, get: (ctx) => str(ctx.current?.file) },
  Ts: { takesName: false, get: (ctx) => Math.floor(ctx.runtime.clock.now() / 1000) },
  Tsm: { takesName: false, get: (ctx) => (ctx.runtime.clock.now() % 1000) * 1000 },
  TS: { takesName: false, get: (ctx) => Math.floor(ctx.runtime.startedAt / 1000) },
  Tf: { takesName: false, get: (ctx) => new Date(ctx.runtime.clock.now()).toString().slice(0, 24) },
  param: {
    takesName: true,
    get: (ctx, n) => {
      const top = ctx.routeStack[ctx.routeStack.length - 1];
      if (!top) return null;
      if (top.named) return eventParam(ctx, top.name, top.named, n ?? '');
      const i = Number(n);
      return i >= 1 ? (top.params[i - 1] ?? null) : null;
    },
  },
  'err.class': { takesName: false, get: (ctx) => errInfo(ctx)?.eclass ?? 0 },
  'err.level': { takesName: false, get: (ctx) => errInfo(ctx)?.level ?? 0 },
  'err.info': { takesName: false, get: (ctx) => errInfo(ctx)?.info ?? null },
  'err.rcode': { takesName: false, get: (ctx) => errInfo(ctx)?.rcode ?? 0 },
  'err.rreason': { takesName: false, get: (ctx) => errInfo(ctx)?.rreason ?? null },
  route: {
    takesName: false,
    get: (ctx) => ctx.routeStack.map((r) => (r.name ? `${r.type}[${r.name}]` : r.type)).join(' > ') || null,
  },
  'route.name': { takesName: false, get: (ctx) => ctx.routeStack[ctx.routeStack.length - 1]?.name ?? null },
  'route.type': { takesName: false, get: (ctx) => ctx.routeStack[ctx.routeStack.length - 1]?.type ?? null },
  mf: { takesName: false, get: (ctx) => ctx.msgFlags >>> 0 },
  bf: { takesName: false, get: (ctx) => (ctx.branchFlags[0] ?? 0) >>> 0 },
  pp: { takesName: false, get: () => process.pid },
  log_level: {
    takesName: false,
    get: (ctx) => ctx.runtime.logger.logLevel,
    set: (ctx, _i, v) => {
      if (typeof v !== 'number') return false;
      ctx.runtime.logger.logLevel = v;
      return true;
    },
  },
  xlog_level: {
    takesName: false,
    get: (ctx) => ctx.runtime.logger.xlogLevel,
    set: (ctx, _i, v) => {
      if (typeof v !== 'number') return false;
      ctx.runtime.logger.xlogLevel = v;
      return true;
    },
  },
};

/** Aliases, as pvar.c lists them under several names. */
const ALIASES: Record<string, string> = {
  ruri: 'ru',
  'ruri.user': 'rU',
  'ruri.domain': 'rd',
  ouri: 'ou',
  duri: 'du',
  from: 'fu',
  'from.user': 'fU',
  'from.domain': 'fd',
  to: 'tu',
  'to.user': 'tU',
  'to.domain': 'td',
  src_ip: 'si',
  rc: 'retcode',
};
for (const [alias, name] of Object.entries(ALIASES)) CORE_PVS[alias] = CORE_PVS[name]!;

function defaultPort(uri: string): number {
  return /^sips:/i.test(uri) || /;transport=tls/i.test(uri) ? 5061 : 5060;
}

/** An event_route parameter, by name or by 1-based position; a missing one is null with a warning, as event_route.c does. */
function eventParam(ctx: ExecContext, event: string, params: Record<string, Val>, name: string): Val {
  const byIndex = /^\d+$/.test(name);
  const value = byIndex
    ? Object.values(params)[Number(name) - 1]
    : Object.hasOwn(params, name)
      ? params[name]
      : undefined;
  if (value === undefined) {
    ctx.runtime.logger.log(
      1,
      'event_route',
      'event_route_param_get',
      byIndex
        ? `Parameter ${name} not found for event ${event} - max ${Object.keys(params).length}`
        : `Parameter <${name}> not found for event <${event}>`,
    );
    return null;
  }
  return value;
}

function errInfo(ctx: ExecContext): ErrInfo | undefined {
  return ctx.state(ERR_INFO);
}

// rr: record_route() and loose_route(), so that in-dialog requests follow
// the dialog's route set through this proxy.
import { parseUri } from '../../sip/index.js';
import { isSipError } from '../../sip/result.js';
import { advertisedHostPort, type ExecContext } from '../../script/context.js';
import { headerEdits, type HeaderEdit } from '../../script/edits.js';
import { uriTarget } from '../../script/forward.js';
import type { SocketInfo } from '../../net/types.js';
import { posixRegex } from '../../script/regex.js';
import { regexFixup } from '../common/fixups.js';
import type { NativeModule } from '../types.js';
import { serviceKey, stateKey } from '../../base/keys.js';

/**
 * One Record-Route header this proxy adds. `out` names the socket the copy
 * leaves from and `in` the socket the request came to, written only when the
 * two differ (enable_double_rr: OpenSIPS's SUBST_SND_ALL / SUBST_RCV_ALL and
 * COND_IF_DIFF_REALMS lumps, resolved per branch); `preset` is
 * record_route_preset's text. `params` grows with add_rr_param.
 */
interface RecordRoute {
  kind: 'out' | 'in' | 'preset';
  params: string;
}

/** Per-request rr state: params waiting for record_route, whether it ran, the params of the Route loose_route took. */
interface RrState {
  pending: string;
  done: boolean;
  routeParams?: string;
}

const STATE = stateKey<RrState>('rr:state');
/** Our Record-Route edits: the edit objects travel with the request's edits (into failure_route too). */
const OURS = new WeakMap<HeaderEdit, RecordRoute>();

function rrState(ctx: ExecContext): RrState {
  return ctx.state(STATE, () => ({ pending: '', done: false }));
}

function ourRecordRoutes(ctx: ExecContext): RecordRoute[] {
  const out: RecordRoute[] = [];
  for (const e of headerEdits(ctx)) {
    const rr = OURS.get(e);
    if (rr) out.push(rr);
  }
  return out;
}

function doubleRr(ctx: ExecContext): boolean {
  return Number(ctx.runtime.param('rr', 'enable_double_rr') ?? 1) !== 0;
}

/**
 * add_rr_param: into the Record-Route headers already made (every one with
 * double record-routing, the first only without), else kept for
 * record_route() (add_rr_param in record.c).
 */
export function addRrParam(ctx: ExecContext, text: string): number {
  const made = ourRecordRoutes(ctx);
  if (!made.length) {
    rrState(ctx).pending += text;
    return 1;
  }
  for (const rr of doubleRr(ctx) ? made : made.slice(0, 1)) rr.params += text;
  return 1;
}

/** Whether record_route() or record_route_preset() added our Record-Route to this request. */
export function isRecordRouted(ctx: ExecContext): boolean {
  return ourRecordRoutes(ctx).length > 0;
}

/** The parameters of our Route entry that loose_route() took (`;lr;ftag=...`), if it took one. */
export function ourRouteParams(ctx: ExecContext): string | undefined {
  return ctx.state(STATE)?.routeParams;
}

/** A module's callback for requests loose_route() routes by one of our Route entries (OpenSIPS's register_rrcb): it sees that entry's parameters. */
export type RrCallback = (ctx: ExecContext, params: string) => void;

const CALLBACKS = serviceKey<RrCallback[]>('rr:callbacks');

export function registerRrCallback(rt: ExecContext['runtime'], cb: RrCallback): void {
  rt.service(CALLBACKS, () => []).push(cb);
}

function fromTag(ctx: ExecContext): string {
  return ctx.runtime.param('rr', 'append_fromtag') !== 0 ? (ctx.msg.from?.tag ?? '') : '';
}

/** host[:port][;transport=x] of a socket as a Record-Route names it: no port for 5060 unless one is advertised (SUBST_*_ALL). */
function socketAddress(ctx: ExecContext, s: SocketInfo): string {
  const { host, port } = advertisedHostPort(ctx, s);
  const advertised = ctx.advertisedPort !== undefined || s.advertisedPort !== undefined;
  const h = host.includes(':') ? `[${host}]` : host;
  return `${h}${s.port !== 5060 || advertised ? `:${port}` : ''}${s.proto === 'udp' ? '' : `;transport=${s.proto}`}`;
}

function sameSocket(a: SocketInfo, b: SocketInfo): boolean {
  return a.ip === b.ip && a.port === b.port && a.proto === b.proto;
}

/**
 * Queues one Record-Route header. Edits are applied in order, each put
 * before the first header, so the first one queued is the topmost: the
 * outbound socket's above the inbound one's, as OpenSIPS's anchors leave them.
 */
function addRecordRoute(ctx: ExecContext, rr: RecordRoute, preset?: string): void {
  const received = ctx.socketIn;
  const double = doubleRr(ctx);
  const render = (send: SocketInfo | undefined): string => {
    if (rr.kind === 'preset') return `Record-Route: <sip:${preset}${rr.params}>\r\n`;
    const differ = double && send !== undefined && !sameSocket(send, received);
    if (rr.kind === 'in')
      return differ ? `Record-Route: <sip:${socketAddress(ctx, received)};r2=on${rr.params}>\r\n` : '';
    return `Record-Route: <sip:${socketAddress(ctx, send ?? received)}${differ ? ';r2=on' : ''}${rr.params}>\r\n`;
  };
  const edit: HeaderEdit = {
    op: 'insert',
    render,
    get text() {
      return render(undefined);
    },
  };
  OURS.set(edit, rr);
  headerEdits(ctx).push(edit);
}

function alreadyRecorded(ctx: ExecContext): boolean {
  if (!rrState(ctx).done) return false;
  ctx.runtime.logger.log(-1, 'rr', 'w_record_route', 'Double attempt to record-route');
  return true;
}

/** `;lr;ftag=x;nat=yes` of a Route URI: its parameters with the leading `;`, headers cut off. */
function uriParams(uri: string): string {
  const bare = uri.replace(/^<|>$/g, '');
  const at = bare.indexOf('@');
  const semi = bare.indexOf(';', at < 0 ? 0 : at);
  return semi < 0 ? '' : bare.slice(semi).split('?')[0]!;
}

/** An `r2` parameter among a URI's parameters (is_2rr): we put two Record-Routes there. */
function isDoubleRoute(params: string): boolean {
  return params.split(';').some((p) => /^\s*r2\s*(=|$)/i.test(p));
}

/** The listening socket a Route URI names (grep_sock_info, with the URI's default port and transport). */
function socketOfUri(ctx: ExecContext, uri: string): SocketInfo | undefined {
  const t = uriTarget(uri, 'udp');
  if (!t) return undefined;
  return ctx.runtime.sockets.find(
    (s) =>
      s.proto === t.proto &&
      (s.ip === t.ip || s.cfgIp === t.ip || s.advertisedIp === t.ip) &&
      (s.port === t.port || s.cfgPort === t.port || s.advertisedPort === t.port),
  );
}

/**
 * loose_route() (loose.c after_loose): our topmost Route comes off; with
 * `r2` the next one (our other socket) comes off too and the request is sent
 * from the socket it names, otherwise from the socket it came to. The next
 * Route, if any, is the destination. 1 when the route set drives the request.
 */
function looseRoute(ctx: ExecContext): number {
  const sip = ctx.msg.sip;
  if (!sip) return -1;
  const routes = sip.routes();
  if (isSipError(routes) || !routes.length) return -1;
  // No To tag: a preloaded route set on an initial request (is_preloaded).
  const preloaded = !ctx.msg.to?.tag;
  const first = parseUri(routes[0]!.uri);
  let taken = 0;
  let forceReceiving = false;
  let callbackParams = uriParams(routes[0]!.uri);
  if (!isSipError(first) && ctx.runtime.isMyAddress(first.host, first.port)) {
    const params = uriParams(routes[0]!.uri);
    rrState(ctx).routeParams = params;
    taken = 1;
    if (routes.length > 1 && doubleRr(ctx) && isDoubleRoute(params)) {
      const second = routes[1]!.uri;
      const socket = socketOfUri(ctx, second);
      if (socket) ctx.socketOut = socket;
      else if (Number(ctx.runtime.param('rr', 'enable_socket_mismatch_warning') ?? 1) !== 0)
        ctx.runtime.logger.log(0, 'rr', 'after_loose', `no socket found to match 2nd RR [${second}]`);
      callbackParams = uriParams(second);
      taken = 2;
    } else forceReceiving = true;
  }
  const rest = routes.slice(taken);
  if (taken > 0) {
    headerEdits(ctx).push({ op: 'remove', name: 'Route' });
    // Prepending in reverse keeps the remaining route set in order.
    for (const r of [...rest].reverse()) headerEdits(ctx).push({ op: 'insert', text: `Route: <${r.uri}>\r\n` });
  }
  // Only our own entries: in a dialog the R-URI is the next hop (1), a preloaded
  // route on an initial request is not route-set driven (-1).
  const status = rest.length ? 1 : preloaded ? -1 : 1;
  if (rest.length) ctx.du = rest[0]!.uri;
  if (forceReceiving && !preloaded) ctx.socketOut = ctx.socketIn;
  for (const cb of ctx.runtime.service(CALLBACKS) ?? []) cb(ctx, callbackParams);
  return status;
}

export const rr: NativeModule = {
  name: 'rr',
  pvs: {
    rr_params: { takesName: false, get: (ctx) => ctx.state(STATE)?.routeParams ?? null },
  },
  functions: {
    record_route: {
      returns: [1, -1],
      impl: (ctx, [params]) => {
        if (alreadyRecorded(ctx)) return -1;
        const ftag = fromTag(ctx);
        const st = rrState(ctx);
        const suffix = `;lr${ftag ? `;ftag=${ftag}` : ''}${params?.str ?? ''}${st.pending}`;
        addRecordRoute(ctx, { kind: 'out', params: suffix });
        if (doubleRr(ctx)) addRecordRoute(ctx, { kind: 'in', params: suffix });
        st.pending = '';
        st.done = true;
        return 1;
      },
    },
    record_route_preset: {
      returns: [1, -1],
      impl: (ctx, [first, second]) => {
        if (alreadyRecorded(ctx)) return -1;
        if (second?.given && !doubleRr(ctx)) {
          ctx.runtime.logger.log(
            -1,
            'rr',
            'w_record_route_preset',
            "Attempt to double record-route while 'enable_double_rr' param is disabled",
          );
          return -1;
        }
        const ftag = fromTag(ctx);
        const st = rrState(ctx);
        // The preset form puts ;ftag before ;lr; the first header takes the buffered params (record.c).
        for (const data of [first?.str, second?.given ? second.str : undefined]) {
          if (data === undefined) continue;
          addRecordRoute(
            ctx,
            { kind: 'preset', params: `${ftag ? `;ftag=${ftag}` : ''};lr${st.pending}` },
            data.replace(/^sip:/i, ''),
          );
          st.pending = '';
        }
        st.done = true;
        return 1;
      },
    },
    add_rr_param: { returns: [1, -1], impl: (ctx, [param]) => addRrParam(ctx, param?.str ?? '') },
    check_route_param: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re]) => {
        const params = ctx.state(STATE)?.routeParams;
        return params && posixRegex(re?.str ?? '').test(params) ? 1 : -1;
      },
    },
    is_direction: {
      returns: [1, -1],
      impl: (ctx, [dir]) => {
        // Upstream when our Route's ftag is not the request's From tag (the callee's side); downstream otherwise.
        const params = ctx.state(STATE)?.routeParams ?? '';
        const ftag = /;ftag=([^;]*)/i.exec(params)?.[1];
        const tag = ctx.msg.from?.tag;
        const upstream = !!ftag && !!tag && ftag !== tag;
        return (dir?.str?.toLowerCase() === 'upstream') === upstream ? 1 : -1;
      },
    },
    loose_route: { returns: [1, -1], impl: (ctx) => looseRoute(ctx) },
  },
};

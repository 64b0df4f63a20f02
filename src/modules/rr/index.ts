// rr: record_route() and loose_route(), so that in-dialog requests follow
// the dialog's route set through this proxy.
import { parseUri } from '../../sip/index.js';
import { isSipError } from '../../sip/result.js';
import { advertisedHostPort, type ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import { posixRegex } from '../../script/regex.js';
import { regexFixup } from '../common/fixups.js';
import type { NativeModule } from '../types.js';
import { serviceKey, stateKey } from '../../base/keys.js';

/** Per-request rr state: params waiting for record_route, the Record-Route edits made, the params of the Route loose_route took. */
interface RrState {
  pending: string;
  added: { op: 'insert'; text: string }[];
  routeParams?: string;
}

const STATE = stateKey<RrState>('rr:state');

function rrState(ctx: ExecContext): RrState {
  return ctx.state(STATE, () => ({ pending: '', added: [] }));
}

/** add_rr_param: into the Record-Route headers already made (both, with double record-routing), else kept for record_route(). */
export function addRrParam(ctx: ExecContext, text: string): number {
  const st = rrState(ctx);
  if (!st.added.length) {
    st.pending += text;
    return 1;
  }
  for (const e of st.added) e.text = e.text.replace(/>\r\n$/, `${text}>\r\n`);
  return 1;
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

/** Inserts one Record-Route header (edits are applied in order: the last inserted ends up on top). */
function addRecordRoute(ctx: ExecContext, uri: string): void {
  const edit = { op: 'insert' as const, text: `Record-Route: <${uri}>\r\n` };
  headerEdits(ctx).push(edit);
  rrState(ctx).added.push(edit);
}

function alreadyRecorded(ctx: ExecContext): boolean {
  if (!rrState(ctx).added.length) return false;
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
        const s = ctx.socketIn;
        const { host, port } = advertisedHostPort(ctx, s);
        const ftag = fromTag(ctx);
        const transport = s.proto === 'udp' ? '' : `;transport=${s.proto}`;
        addRecordRoute(
          ctx,
          `sip:${host.includes(':') ? `[${host}]` : host}:${port}${transport};lr${ftag ? `;ftag=${ftag}` : ''}${params?.str ?? ''}${rrState(ctx).pending}`,
        );
        return 1;
      },
    },
    record_route_preset: {
      returns: [1, -1],
      impl: (ctx, [first, second]) => {
        if (alreadyRecorded(ctx)) return -1;
        if (second?.str && !Number(ctx.runtime.param('rr', 'enable_double_rr') ?? 1)) {
          ctx.runtime.logger.log(
            -1,
            'rr',
            'w_record_route_preset',
            "Attempt to double record-route while 'enable_double_rr' param is disabled",
          );
          return -1;
        }
        const ftag = fromTag(ctx);
        // The preset form puts ;ftag before ;lr (record.c).
        for (const data of [first?.str, second?.str].filter((d): d is string => !!d))
          addRecordRoute(
            ctx,
            `sip:${data.replace(/^sip:/i, '')}${ftag ? `;ftag=${ftag}` : ''};lr${rrState(ctx).pending}`,
          );
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
    loose_route: {
      returns: [1, -1],
      impl: (ctx) => {
        const sip = ctx.msg.sip;
        if (!sip) return -1;
        const routes = sip.routes();
        if (isSipError(routes) || !routes.length) return -1;
        let i = 0;
        // Our own Route entries come off (one, or two with double record-routing).
        while (i < routes.length) {
          const u = parseUri(routes[i]!.uri);
          if (isSipError(u) || !ctx.runtime.isMyAddress(u.host, u.port)) break;
          i++;
        }
        const rest = routes.slice(i);
        if (i > 0) rrState(ctx).routeParams = uriParams(routes[0]!.uri);
        if (i > 0) {
          for (const cb of ctx.runtime.service(CALLBACKS) ?? []) cb(ctx, rrState(ctx).routeParams!);
          headerEdits(ctx).push({ op: 'remove', name: 'Route' });
          // Prepending in reverse keeps the remaining route set in order.
          for (const r of [...rest].reverse()) headerEdits(ctx).push({ op: 'insert', text: `Route: <${r.uri}>\r\n` });
        }
        // Only our own entry: removed; in a dialog the R-URI is the next hop (1), a preloaded
        // route on an initial request is not route-set driven (-1) (rr/loose.c after_loose).
        if (!rest.length) return i > 0 && ctx.msg.to?.tag ? 1 : -1;
        ctx.du = rest[0]!.uri;
        return 1;
      },
    },
  },
};

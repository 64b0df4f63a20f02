// rr: record_route() and loose_route(), so that in-dialog requests follow
// the dialog's route set through this proxy.
import { parseUri } from '../../sip/index.js';
import { isSipError } from '../../sip/result.js';
import type { ExecContext, SocketInfo } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import type { NativeModule } from '../types.js';

function isMyself(ctx: ExecContext, host: string, port: number | undefined): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return ctx.runtime.sockets.some((s: SocketInfo) =>
    (s.ip === h || s.cfgIp === h || s.advertisedIp === h) && (port === undefined ? s.port === 5060 || s.cfgPort === 5060 : s.port === port || s.cfgPort === port || s.advertisedPort === port));
}

export const rr: NativeModule = {
  name: 'rr',
  functions: {
    record_route: {
      returns: [1, -1],
      impl: (ctx, [params]) => {
        const s = ctx.socketIn;
        const host = s.advertisedIp ?? s.ip;
        const port = s.advertisedPort ?? s.port;
        const ftag = ctx.msg.from?.tag;
        const transport = s.proto === 'udp' ? '' : `;transport=${s.proto}`;
        const uri = `sip:${host.includes(':') ? `[${host}]` : host}:${port}${transport};lr${ftag && ctx.runtime.param('rr', 'append_fromtag') !== 0 ? `;ftag=${ftag}` : ''}${params?.str ?? ''}`;
        headerEdits(ctx).push({ op: 'insert', text: `Record-Route: <${uri}>\r\n` });
        return 1;
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
          if (isSipError(u) || !isMyself(ctx, u.host, u.port)) break;
          i++;
        }
        const rest = routes.slice(i);
        if (i > 0) {
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

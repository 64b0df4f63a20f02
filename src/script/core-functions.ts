// Core script functions of 3.3 (core_cmds.c) and the grammar-level commands
// xlog/xdbg/log/error. Signatures come from the catalog; behaviour is here.
import type * as A from '../cfg/ast.js';
import type { ArgValue, FunctionBehaviour } from './module-contract.js';
import { Compiler, type StmtFn } from './compile.js';
import { ADD_LOCAL_RPORT, FORCE_RPORT, type ExecContext } from './context.js';
import { raiseScriptEvent } from './events.js';
import { CACHE_FUNCTIONS } from './cache-functions.js';
import { forwardStateless, sendAsIs } from './forward.js';
import { setUriField, splitUri, joinUri } from './uri-fields.js';
import { nextBranches, serializeBranches } from './serial-forking.js';
import { CONNECTIONS } from '../net/types.js';

const ok = (b: boolean): number => (b ? 1 : -1);

function flagOp(space: 'msg' | 'branch', op: 'set' | 'reset' | 'test'): FunctionBehaviour {
  return {
    returns: op === 'test' ? [1, -1] : [1, -1],
    prepare: (rt, [name]) => {
      if (typeof name === 'string') rt.flags.index(space, name);
    },
    impl: (ctx, [name, idx]) => {
      const mask = ctx.runtime.flags.mask(space, name?.str ?? '');
      if (!mask) return -1;
      if (space === 'msg') {
        if (op === 'test') return ok((ctx.msgFlags & mask) !== 0);
        ctx.msgFlags = op === 'set' ? ctx.msgFlags | mask : ctx.msgFlags & ~mask;
        return 1;
      }
      const b = idx?.int ?? 0;
      if (b < 0 || b >= ctx.branchFlags.length) return -1;
      if (op === 'test') return ok((ctx.branchFlags[b]! & mask) !== 0);
      ctx.branchFlags[b] = op === 'set' ? ctx.branchFlags[b]! | mask : ctx.branchFlags[b]! & ~mask;
      return 1;
    },
  };
}

function rewrite(fn: (ctx: ExecContext, value: string) => string | undefined): FunctionBehaviour {
  return {
    returns: [1, -1],
    impl: (ctx, [v]) => {
      const next = fn(ctx, v?.str ?? '');
      if (next === undefined) return -1;
      ctx.ruri = next;
      return 1;
    },
  };
}

/** `host[:port]` replaces the R-URI host and port; `maddr` is dropped (3.3 sethostport). */
function setHostPort(uri: string, hostport: string): string | undefined {
  const p = splitUri(uri);
  if (!p || !hostport) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostport);
  if (!m) return undefined;
  p.host = m[1]!;
  if (m[2]) p.port = m[2];
  else delete p.port;
  p.params = p.params
    .split(';')
    .filter((x) => x && !/^maddr(=|$)/i.test(x.trim()))
    .map((x) => ';' + x)
    .join('');
  return joinUri(p);
}

function userEdit(fn: (user: string, arg: ArgValue) => string): FunctionBehaviour {
  return {
    returns: [1, -1],
    impl: (ctx, [arg]) => {
      const p = splitUri(ctx.ruri);
      if (!p || !arg) return -1;
      const user = fn(p.user ?? '', arg);
      const next = setUriField(ctx.ruri, 'user', user);
      if (next === undefined) return -1;
      ctx.ruri = next;
      return 1;
    },
  };
}

export const CORE_FUNCTIONS: Record<string, FunctionBehaviour> = {
  ...CACHE_FUNCTIONS,
  pv_printf: { returns: [1, -1], impl: (ctx, [pv, fmt]) => (pv?.pv?.set(ctx, fmt?.str ?? '') ? 1 : -1) },
  get_timestamp: {
    returns: [1, -1],
    impl: (ctx, [sec, usec]) => {
      const ms = ctx.runtime.clock.now();
      const ok = sec?.pv?.set(ctx, Math.floor(ms / 1000)) && usec?.pv?.set(ctx, Math.floor((ms % 1000) * 1000));
      return ok ? 1 : -1;
    },
  },
  construct_uri: {
    returns: [1, -1],
    // proto:[user@]domain[:port][;extra] (msg_translator.c); no protocol or domain: nothing is set, still 1.
    impl: (ctx, [proto, user, domain, port, extra, result]) => {
      if (!proto?.str || !domain?.str) {
        ctx.runtime.logger.log(
          -1,
          'core',
          'construct_uri',
          !proto?.str ? 'no protocol specified' : 'no domain specified',
        );
        return 1;
      }
      const uri = `${proto.str}:${user?.str ? `${user.str}@` : ''}${domain.str}${port?.str ? `:${port.str}` : ''}${extra?.str ? `;${extra.str}` : ''}`;
      return result?.pv?.set(ctx, uri) ? 1 : -1;
    },
  },
  remove_branch: {
    returns: [1, -1],
    impl: (ctx, [index]) => {
      const i = index?.int ?? -1;
      if (i < 0 || i >= ctx.branches.length) return -1;
      ctx.branches.splice(i, 1);
      return 1;
    },
  },
  forward: { returns: [1, -1], impl: (ctx, [dest]) => forwardStateless(ctx, dest?.given ? dest.str : undefined) },
  append_branch: {
    returns: [1, -1],
    impl: (ctx, [uri, q]) => {
      const qv = q?.str ? Math.round(Number(q.str) * 1000) : -1;
      if (Number.isNaN(qv) || qv > 1000) return -1;
      const own = !uri?.str;
      ctx.branches.push({
        uri: own ? ctx.ruri : uri.str!,
        du: ctx.du,
        flags: ctx.branchFlags[0] ?? 0,
        q: qv,
        socket: ctx.socketOut,
      });
      // The R-URI's own branch moved into the set: its destination, socket and flags start afresh (core_cmds.c).
      if (own) {
        ctx.du = null;
        ctx.socketOut = null;
        ctx.branchFlags[0] = 0;
      }
      return 1;
    },
  },
  force_tcp_alias: {
    returns: [1, -1],
    impl: (ctx, [port]) => {
      if (ctx.src.proto !== 'tcp' && ctx.src.proto !== 'tls') return 1;
      const tcp = ctx.runtime.service(CONNECTIONS);
      if (!tcp) return 1; // dry-run: no connections
      const p = port?.int ?? ctx.msg.sip?.topVia?.port ?? 5060;
      if (!tcp.addAlias({ proto: ctx.src.proto, ip: ctx.src.ip, port: ctx.src.port }, ctx.src.ip, p)) {
        ctx.runtime.logger.log(1, 'core', 'w_force_tcp_alias', 'tcp alias failed');
        return -1;
      }
      return 1;
    },
  },
  script_trace: {
    returns: [1, -1],
    impl: (ctx, [level, format, info]) => {
      if (!level?.given && !format?.given && !info?.given) {
        ctx.runtime.scriptTrace = undefined;
        return 1;
      }
      if (level?.int === undefined || !format?.given) {
        ctx.runtime.logger.log(-1, 'core', 'w_script_trace', "Missing 'pv_format_string' parameter");
        return -1;
      }
      ctx.runtime.scriptTrace = {
        level: level.int,
        format: format.str ?? '',
        info: info?.given ? info.str : undefined,
      };
      return 1;
    },
  },
  send: {
    returns: [1, -1],
    impl: (ctx, [dest, headers]) => sendAsIs(ctx, dest?.str ?? '', headers?.given ? headers.str : undefined),
  },
  set_advertised_address: {
    returns: [1, -1],
    impl: (ctx, [addr]) => {
      if (!addr?.str) return -1;
      ctx.advertisedAddress = addr.str;
      return 1;
    },
  },
  set_advertised_port: {
    returns: [1, -1],
    impl: (ctx, [port]) => {
      if (!port?.str || !/^\d+$/.test(port.str)) return -1;
      ctx.advertisedPort = port.str;
      return 1;
    },
  },
  serialize_branches: {
    returns: [1, -1],
    impl: (ctx, [clear, keep]) => serializeBranches(ctx, (clear?.int ?? 0) !== 0, (keep?.int ?? 0) !== 0),
  },
  next_branches: { returns: [1, 2, -1], impl: (ctx) => nextBranches(ctx) },
  raise_event: {
    returns: [1, -1],
    impl: (ctx, [name, attrs, vals]) => raiseScriptEvent(ctx, name?.str ?? '', attrs, vals),
  },
  setflag: flagOp('msg', 'set'),
  resetflag: flagOp('msg', 'reset'),
  isflagset: flagOp('msg', 'test'),
  setbflag: flagOp('branch', 'set'),
  resetbflag: flagOp('branch', 'reset'),
  isbflagset: flagOp('branch', 'test'),
  seturi: rewrite((_ctx, v) => (v ? v : undefined)),
  sethost: rewrite((ctx, v) => setUriField(ctx.ruri, 'host', v)),
  sethostport: rewrite((ctx, v) => setHostPort(ctx.ruri, v)),
  setport: rewrite((ctx, v) => setUriField(ctx.ruri, 'port', v)),
  setuser: rewrite((ctx, v) => setUriField(ctx.ruri, 'user', v)),
  setuserpass: rewrite((ctx, v) => {
    const p = splitUri(ctx.ruri);
    if (!p) return undefined;
    const i = v.indexOf(':');
    p.user = i >= 0 ? v.slice(0, i) : v;
    if (i >= 0) p.password = v.slice(i + 1);
    else delete p.password;
    return joinUri(p);
  }),
  prefix: userEdit((user, a) => (a.str ?? '') + user),
  strip: userEdit((user, a) => user.slice(Math.max(0, a.int ?? 0))),
  strip_tail: userEdit((user, a) => user.slice(0, Math.max(0, user.length - (a.int ?? 0)))),
  revert_uri: {
    returns: [1],
    impl: (ctx) => {
      ctx.ruri = ctx.msg.ruri;
      return 1;
    },
  },
  setdsturi: {
    returns: [1, -1],
    impl: (ctx, [v]) => {
      if (!v?.str) return -1;
      ctx.du = v.str;
      return 1;
    },
  },
  resetdsturi: {
    returns: [1],
    impl: (ctx) => {
      ctx.du = null;
      return 1;
    },
  },
  isdsturiset: { returns: [1, -1], impl: (ctx) => ok(ctx.du !== null) },
  force_rport: {
    returns: [1],
    impl: (ctx) => {
      ctx.setState(FORCE_RPORT, true);
      return 1;
    },
  },
  add_local_rport: {
    returns: [1],
    impl: (ctx) => {
      ctx.setState(ADD_LOCAL_RPORT, true);
      return 1;
    },
  },
  force_send_socket: {
    returns: [1, -1],
    impl: (ctx, [v]) => {
      const s = ctx.runtime.findSocket(v?.str ?? '');
      if (!s) {
        ctx.runtime.logger.log(1, 'core', 'force_send_socket', `no socket found to match [${v?.str ?? ''}]`);
        return 1;
      }
      ctx.socketOut = s;
      return 1;
    },
  },
  is_myself: {
    returns: [1, -1],
    impl: (ctx, [host, port]) =>
      ok(
        ctx.runtime.sockets.some(
          (s) => (s.ip === host?.str || s.advertisedIp === host?.str) && (!port?.given || s.port === port.int),
        ),
      ),
  },
};

// ---- grammar-level commands ------------------------------------------------------

const LEVELS: Record<string, number> = { A: -3, C: -2, E: -1, W: 1, N: 2, I: 3, D: 4 };

/** `L_ERR` and friends: only the third character counts, as in 3.3. */
export function xlogLevel(name: string): number | undefined {
  return name.length >= 3 && name.startsWith('L_') ? LEVELS[name[2]!.toUpperCase()] : undefined;
}

function xlogCommand(call: A.Call, c: Compiler): StmtFn {
  // Anything but one or two strings (NULL, a number) is refused by validate.ts (command-arguments): compile nothing.
  if (!call.args.length || call.args.length > 2 || call.args.some((a) => a?.kind !== 'String')) return () => undefined;
  const args = call.args as A.StringLit[];
  const fmt = c.format(args[args.length - 1]!);
  const levelArg = args.length === 2 ? args[0]! : undefined;
  let level: (ctx: ExecContext) => number | undefined;
  if (call.name === 'xdbg') level = () => 4;
  else if (!levelArg) level = (ctx) => ctx.runtime.xlogPrintLevel;
  else if (levelArg.value.startsWith('$')) {
    const f = c.format(levelArg);
    level = (ctx) => {
      const n = Number(f(ctx));
      return Number.isInteger(n) ? n : undefined;
    };
  } else {
    const n = xlogLevel(levelArg.value);
    level = () => n;
  }
  return (ctx) => {
    const lv = level(ctx);
    if (lv === undefined) {
      ctx.retcode = -1;
      return;
    }
    const text = fmt(ctx);
    const shown = ctx.runtime.logger.xlog(lv, text);
    if (ctx.tracer)
      ctx.tracer.event({
        kind: 'log',
        span: call.span,
        text: `${shown ? 'printed' : 'suppressed (level above xlog_level)'}: ${JSON.stringify(text)}`,
        depth: ctx.tracer.depth,
      });
    ctx.retcode = 1;
  };
}

function logCommand(call: A.Call, c: Compiler): StmtFn {
  const [first, second] = call.args;
  const level = second ? (first as A.NumberLit).value : 4;
  const text = ((second ?? first) as A.StringLit).value;
  void c;
  return (ctx) => {
    if (ctx.runtime.logger.logLevel >= level) ctx.runtime.logger.xlog(-3, text);
    ctx.retcode = 1;
  };
}

Compiler.keywords.set('xlog', xlogCommand);
Compiler.keywords.set('xdbg', xlogCommand);
Compiler.keywords.set('log', logCommand);
Compiler.keywords.set('error', (call) => (ctx) => {
  ctx.runtime.logger.log(
    -1,
    'core',
    'do_action',
    `error(${call.args.map((a) => (a as A.StringLit).value).join(', ')}): not implemented`,
  );
  ctx.retcode = 1;
});

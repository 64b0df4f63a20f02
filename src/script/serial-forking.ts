// serialize_branches(clear[, keep_order]) and next_branches(): serial forking
// as OpenSIPS's serialize.c does it. The R-URI and the branches are kept,
// sorted by q, in the "serial_branch" AVP (one value per destination, the
// highest q newest; here as JSON); each next_branches() takes the highest
// group of equal q (one at a time with keep_order) into the R-URI and branches.
import type { ExecContext } from './context.js';
import type { SocketInfo } from '../net/types.js';
import { socketString } from './context.js';

const AVP = 'serial_branch';

interface SerialEntry {
  uri: string;
  du: string | null;
  path?: string;
  q: number;
  flags: number;
  socket?: string;
  /** Q_FLAG: the last of its q group, going down (the group starts above it). */
  last: boolean;
}

function entry(
  uri: string,
  du: string | null,
  q: number,
  flags: number,
  socket: SocketInfo | null,
  path?: string,
): SerialEntry {
  return {
    uri,
    du,
    q,
    flags,
    last: false,
    ...(path ? { path } : {}),
    ...(socket ? { socket: socketString(socket) } : {}),
  };
}

/** 1, whether or not there was anything to order (no branches, or all of the R-URI's q without keep_order). */
export function serializeBranches(ctx: ExecContext, clear: boolean, keepOrder: boolean): number {
  if (!ctx.branches.length) return 1;
  if (!keepOrder && ctx.branches.every((b) => b.q === ctx.ruriQ)) return 1;
  // Ascending q; a branch goes before the first one of equal or higher q. keep_order: each in front.
  const list: SerialEntry[] = [entry(ctx.ruri, ctx.du, ctx.ruriQ, ctx.branchFlags[0] ?? 0, ctx.socketOut)];
  for (const b of ctx.branches) {
    const e = entry(b.uri, b.du, b.q, b.flags, b.socket, b.path);
    if (keepOrder) {
      list.unshift(e);
      continue;
    }
    const at = list.findIndex((x) => x.q >= e.q);
    if (at < 0) list.push(e);
    else list.splice(at, 0, e);
  }
  for (let i = 1; i < list.length; i++) list[i]!.last = keepOrder || list[i - 1]!.q < list[i]!.q;
  const stack = ctx.avpStack(AVP);
  if (clear) stack.length = 0;
  for (const e of list) stack.push(JSON.stringify(e));
  ctx.branches.length = 0;
  ctx.branchFlags.length = 1;
  return 1;
}

function pop(ctx: ExecContext): SerialEntry | undefined {
  const stack = ctx.avps.get(AVP);
  while (stack?.length) {
    try {
      return JSON.parse(String(stack.pop())) as SerialEntry;
    } catch {
      /* not ours: skipped */
    }
  }
  return undefined;
}

function remaining(ctx: ExecContext): number {
  return ctx.avps.get(AVP)?.length ?? 0;
}

/** next_branches(): 1 with more to come, 2 with the last group taken, -1 with nothing left (or outside request/failure routes). */
export function nextBranches(ctx: ExecContext): number {
  const type = ctx.routeStack[0]?.type;
  if (type !== 'request' && type !== 'failure') {
    ctx.runtime.logger.log(-1, 'core', 'next_branches', `called from unsupported route type ${type}`);
    return -1;
  }
  const first = pop(ctx);
  if (!first) return -1;
  ctx.ruri = first.uri;
  ctx.du = first.path ? first.path.replace(/^<|>.*$/g, '') : first.du || null;
  ctx.ruriQ = first.q;
  ctx.branchFlags[0] = first.flags;
  ctx.socketOut = first.socket ? (ctx.runtime.findSocket(first.socket) ?? null) : null;
  if (first.last) return remaining(ctx) ? 1 : 2;
  for (let e = pop(ctx); e; e = pop(ctx)) {
    const socket = e.socket ? (ctx.runtime.findSocket(e.socket) ?? null) : null;
    ctx.branches.push({ uri: e.uri, du: e.du, flags: e.flags, q: e.q, socket, ...(e.path ? { path: e.path } : {}) });
    ctx.branchFlags.push(e.flags);
    if (e.last) return remaining(ctx) ? 1 : 2;
  }
  return 2;
}

// $rtpquery and $rtpstat: rtpengine's `query` answer for the call (asked
// once per message; a delete's answer serves as well), as JSON, or its
// RTP/RTCP totals and the MOS, jitter, round-trip and packet-loss figures of
// its SSRCs.
import type { ExecContext } from '../../script/context.js';
import type { Val } from '../../script/values.js';
import type { BValue } from './bencode.js';
import { runCommand } from './commands.js';
import { stateKey } from '../../base/keys.js';

type Dict = Record<string, BValue>;
/** The call's query answer for this message; null when the query failed (asked once). */
const CACHE = stateKey<Dict | null>('rtpengine:query');

/** Keeps a delete's (or query's) answer for the PVs of this message. */
export function remember(ctx: ExecContext, reply: Dict): void {
  ctx.setState(CACHE, reply);
}

function queried(ctx: ExecContext): Dict | undefined {
  const known = ctx.state(CACHE);
  if (known !== undefined) return known ?? undefined;
  let reply: Dict | undefined;
  runCommand(ctx, 'query', {
    onReply: (r) => {
      reply = r;
    },
  });
  ctx.setState(CACHE, reply && reply.result === 'ok' ? reply : null);
  return reply && reply.result === 'ok' ? reply : undefined;
}

function isDict(v: BValue | undefined): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function toJson(v: BValue): unknown {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (Array.isArray(v)) return v.map(toJson);
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

export function rtpquery(ctx: ExecContext): Val {
  const r = queried(ctx);
  return r ? JSON.stringify(toJson(r)) : null;
}

const num = (v: BValue | undefined): number => (typeof v === 'number' ? v : -1);

/** The totals line of `$rtpstat`. */
function totalsLine(r: Dict): Val {
  const totals = r.totals;
  if (!isDict(totals) || !isDict(totals.RTP) || !isDict(totals.RTCP)) return null;
  const part = (d: Dict): string => `${num(d.bytes)} bytes, ${num(d.packets)} packets, ${num(d.errors)} errors`;
  return `RTP: ${part(totals.RTP)}; RTCP: ${part(totals.RTCP)}`;
}

const KEYS: Record<string, string> = {
  mos: 'MOS',
  jitter: 'jitter',
  roundtrip: 'round-trip time',
  packetloss: 'packet loss',
};

/** `$rtpstat(MOS-average)`, `(jitter-max-at)`...: over the SSRCs that report the figure. */
function figure(r: Dict, name: string): Val {
  const m = /^(mos|jitter|roundtrip|packetloss)-(average|min|max|min-at|max-at)$/.exec(name.toLowerCase());
  const ssrcs = r.SSRC;
  if (!m || !isDict(ssrcs)) return null;
  const key = KEYS[m[1]!]!;
  const which = m[2]!;
  const sub = which === 'average' ? 'average MOS' : which.startsWith('max') ? 'highest MOS' : 'lowest MOS';
  const found: { v: number; at: number }[] = [];
  for (const s of Object.values(ssrcs)) {
    if (!isDict(s) || !isDict(s[sub])) continue;
    const v = (s[sub] as Dict)[key];
    if (typeof v === 'number') found.push({ v, at: num((s[sub] as Dict)['reported at']) });
  }
  if (!found.length) return null;
  if (which === 'average') return Math.trunc(found.reduce((n, f) => n + f.v, 0) / found.length);
  const best = found.reduce((a, b) => (which.startsWith('max') ? (b.v > a.v ? b : a) : b.v < a.v ? b : a));
  return which.endsWith('-at') ? best.at - num(r.created) : best.v;
}

export function rtpstat(ctx: ExecContext, name: string | undefined): Val {
  const r = queried(ctx);
  if (!r) return null;
  return name ? figure(r, name) : totalsLine(r);
}

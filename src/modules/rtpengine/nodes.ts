// rtpengine nodes and sets (rtpengine_sock): "[setid ==] udp:host[:port][=weight] ...",
// set 0 by default, port 22222 by default. A command goes to a node chosen
// by the Call-ID's byte sum over the set's weights; a node that does not
// answer is disabled for rtpengine_disable_tout seconds and the next one is
// tried at once; a timer pings disabled nodes back. Each request carries a
// cookie; the reply must start with it.
import type { TimerExport } from '../types.js';
import type { Runtime } from '../../script/runtime.js';
import { numParam } from '../common/params.js';
import { bdecode, bencode, type BValue } from './bencode.js';
import { simulatedRtpengine } from './simulated.js';
export { selectNode } from '../common/relay-nodes.js';
import { parseNodeSets } from '../common/relay-nodes.js';
import { serviceKey, stateKey } from '../../base/keys.js';

export interface RtpeNode {
  /** As written, without its weight: what MI shows and sock_var receives. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  readonly index: number;
  disabled: boolean;
  /** Seconds since start-up when the timer may ping it again (Infinity: disabled over MI). */
  recheck: number;
}

export interface RtpeSet {
  readonly id: number;
  readonly nodes: RtpeNode[];
}

export interface RtpeState {
  sets: RtpeSet[];
  seq: number;
  problems: string[];
}

const num = (rt: Runtime, name: string, dflt: number): number => numParam(rt, 'rtpengine', name, dflt);

/** One node token: udp:host[:port], udp:[v6][:port], udp6:v6; unix: sockets are not supported here. */
function parseNode(token: string, index: number): RtpeNode | string {
  const eq = token.indexOf('=');
  const url = eq >= 0 ? token.slice(0, eq) : token;
  const weight = eq >= 0 ? Number.parseInt(token.slice(eq + 1), 10) || 0 : 1;
  const m = /^(udp6?):(.*)$/i.exec(url);
  if (!m) return `${url}: only udp: and udp6: rtpengine sockets are supported (OpenSIPS also takes UNIX sockets)`;
  let rest = m[2]!;
  let port = 22222;
  let host: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    host = rest.slice(1, close);
    if (rest[close + 1] === ':') port = Number(rest.slice(close + 2));
  } else if (m[1]!.toLowerCase() === 'udp6') {
    host = rest;
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      port = Number(rest.slice(colon + 1));
      rest = rest.slice(0, colon);
    }
    host = rest;
  }
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) return `${url}: bad rtpengine socket`;
  return { url, host, port, weight, index, disabled: false, recheck: 0 };
}

export function parseSocks(values: string[]): { sets: RtpeSet[]; problems: string[] } {
  return parseNodeSets(values, 0, 'rtpengine_sock', parseNode);
}

const STATE = serviceKey<RtpeState>('rtpengine:state');
/** The set rtpengine_use_set() chose for this message. */
export const CHOSEN_SET = stateKey<number>('rtpengine:set');

export function rtpeState(rt: Runtime): RtpeState {
  return rt.service(STATE, () => ({
    ...parseSocks(rt.paramValues('rtpengine', 'rtpengine_sock').map(String)),
    seq: 0,
  }));
}

function nowSec(rt: Runtime): number {
  return Math.floor((rt.clock.now() - rt.startedAt) / 1000);
}

/** Cookie + bencoded dict to `node`; the reply dict, or undefined (the node is then disabled). */
export function exchange(
  rt: Runtime,
  node: RtpeNode,
  dict: Record<string, BValue>,
): Record<string, BValue> | undefined {
  const st = rtpeState(rt);
  const cookie = `${process.pid}_${(st.seq++).toString()}_ot `;
  const payload = Buffer.concat([Buffer.from(cookie), bencode(dict)]);
  const prefix = Buffer.from(cookie);
  const attempts = num(rt, 'rtpengine_retr', 5);
  const channel = rt.control ?? simulatedRtpengine(rt);
  const reply =
    attempts > 0
      ? channel.request(node.host, node.port, payload, prefix, num(rt, 'rtpengine_tout', 1) * 1000, attempts)
      : undefined;
  if (!reply) {
    node.disabled = true;
    node.recheck = nowSec(rt) + num(rt, 'rtpengine_disable_tout', 60);
    rt.logger.log(
      -1,
      'rtpengine',
      'send_rtpe_command',
      `timeout waiting reply from a RTP proxy ${node.url}; proxy is disabled`,
    );
    return undefined;
  }
  const decoded = bdecode(reply.subarray(prefix.length));
  if (typeof decoded !== 'object' || Array.isArray(decoded) || Buffer.isBuffer(decoded)) {
    rt.logger.log(-1, 'rtpengine', 'rtpe_function_call', 'failed to decode bencoded reply');
    return { result: 'error', 'error-reason': 'failed to decode bencoded reply' };
  }
  return decoded;
}

/** A ping: true when the node answers pong. */
export function ping(rt: Runtime, node: RtpeNode): boolean {
  const r = exchange(rt, node, { command: 'ping' });
  const ok = r !== undefined && r.result === 'pong';
  node.disabled = !ok;
  if (!ok) node.recheck = nowSec(rt) + num(rt, 'rtpengine_disable_tout', 60);
  return ok;
}

/**
 * The timer's ping of a disabled node: without blocking when the channel can
 * (OpenSIPS pings from its timer process, not from a worker).
 */
function repingLater(rt: Runtime, node: RtpeNode): void {
  const channel = rt.control;
  if (!channel?.requestAsync) {
    ping(rt, node);
    return;
  }
  const st = rtpeState(rt);
  const cookie = `${process.pid}_${(st.seq++).toString()}_ot `;
  node.recheck = Infinity; // not pinged twice while this one is out
  void channel
    .requestAsync(
      node.host,
      node.port,
      Buffer.concat([Buffer.from(cookie), bencode({ command: 'ping' })]),
      Buffer.from(cookie),
      num(rt, 'rtpengine_tout', 1) * 1000,
      Math.max(1, num(rt, 'rtpengine_retr', 5)),
    )
    .then((reply) => {
      const decoded = reply ? bdecode(reply.subarray(cookie.length)) : undefined;
      const ok =
        decoded !== undefined &&
        typeof decoded === 'object' &&
        !Array.isArray(decoded) &&
        !Buffer.isBuffer(decoded) &&
        decoded.result === 'pong';
      node.disabled = !ok;
      node.recheck = ok ? 0 : nowSec(rt) + num(rt, 'rtpengine_disable_tout', 60);
    });
}

/** Start-up pings: the server waits for them, as OpenSIPS's start does. */
export function pingAllNodes(rt: Runtime): void {
  for (const s of rtpeState(rt).sets) for (const n of s.nodes) ping(rt, n);
}

/** The timer's job, every rtpengine_timer_interval seconds: ping the disabled nodes whose time has come. */
export const RECHECK_TIMER: TimerExport = {
  name: 'rtpengine-recheck',
  period: 'rtpengine_timer_interval seconds',
  interval: (rt) => num(rt, 'rtpengine_timer_interval', 5) * 1000,
  job: (rt) => {
    const now = nowSec(rt);
    for (const s of rtpeState(rt).sets) for (const n of s.nodes) if (n.disabled && n.recheck <= now) repingLater(rt, n);
  },
};

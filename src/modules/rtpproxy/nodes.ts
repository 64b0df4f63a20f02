// rtpproxy nodes (rtpproxy_sock): "[setid ==] udp:host[:port][|advertised][=weight] ...",
// default_set without `==`, port 22222 by default. Each is probed at start-up
// (V must answer 20040107, VF 20050322 must answer 1); a node that does not
// answer a command is disabled for rtpproxy_disable_tout seconds and probed
// again on its next use after that. Commands go over UDP with a cookie.
import type { Runtime } from '../../script/runtime.js';
import type { ControlChannel } from '../../net/types.js';
import { numParam } from '../common/params.js';
import { raiseEvent } from '../../script/events.js';
import { parseNodeSets, selectNode } from '../common/relay-nodes.js';
import { serviceKey } from '../../base/keys.js';

export interface RtppNode {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** `|ADDR`: the address written into the SDP instead of the one rtpproxy answers. */
  readonly advertised: string | undefined;
  readonly index: number;
  disabled: boolean;
  recheck: number;
}

export interface RtppSet {
  readonly id: number;
  readonly nodes: RtppNode[];
}
interface RtppState {
  sets: RtppSet[];
  problems: string[];
  seq: number;
  probed: boolean;
}

const num = (rt: Runtime, name: string, dflt: number): number => numParam(rt, 'rtpproxy', name, dflt);

function parseNode(token: string, index: number): RtppNode | string {
  const eq = token.indexOf('=');
  const weight = eq >= 0 ? Number.parseInt(token.slice(eq + 1), 10) || 0 : 1;
  let url = eq >= 0 ? token.slice(0, eq) : token;
  const bar = url.lastIndexOf('|');
  const advertised = bar >= 0 ? url.slice(bar + 1) : undefined;
  if (bar >= 0) url = url.slice(0, bar);
  const m = /^(udp6?):(.*)$/i.exec(url);
  if (!m)
    return `${url}: only udp: and udp6: rtpproxy sockets are supported (OpenSIPS also takes tcp: and UNIX sockets)`;
  const colon = m[2]!.lastIndexOf(':');
  const host = colon >= 0 ? m[2]!.slice(0, colon) : m[2]!;
  const port = colon >= 0 ? Number(m[2]!.slice(colon + 1)) : 22222;
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) return `${url}: bad rtpproxy socket`;
  return { url, host, port, weight, advertised, index, disabled: false, recheck: 0 };
}

export function parseRtppSocks(values: string[], defaultSet: number): { sets: RtppSet[]; problems: string[] } {
  return parseNodeSets(values, defaultSet, 'rtpproxy_sock', parseNode);
}

const STATE = serviceKey<RtppState>('rtpproxy:state');
/** The dry-run's stand-in rtpproxy (one per runtime: its port counter goes on). */
const SIMULATED = serviceKey<ControlChannel>('rtpproxy:simulated');

export function rtppState(rt: Runtime): RtppState {
  return rt.service(STATE, () => ({
    ...parseRtppSocks(rt.paramValues('rtpproxy', 'rtpproxy_sock').map(String), num(rt, 'default_set', 0)),
    seq: 0,
    probed: false,
  }));
}

function nowSec(rt: Runtime): number {
  return Math.floor((rt.clock.now() - rt.startedAt) / 1000);
}

/** rtpproxy_timeout is in seconds, fractions allowed ("0.2"). */
function timeoutMs(rt: Runtime): number {
  const v = Number(rt.param('rtpproxy', 'rtpproxy_timeout') ?? 1);
  return Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : 1000;
}

export function disable(rt: Runtime, node: RtppNode, event: boolean): void {
  node.disabled = true;
  node.recheck = nowSec(rt) + num(rt, 'rtpproxy_disable_tout', 60);
  if (event) raiseEvent(rt, 'E_RTPPROXY_STATUS', { socket: node.url, status: 'inactive' });
}

/** One command; the reply text (cookie and the space after it removed), or undefined (the node is then disabled). */
export function command(rt: Runtime, node: RtppNode, text: string): string | undefined {
  const st = rtppState(rt);
  const cookie = `${process.pid}_${st.seq++}_ot `;
  const channel = rt.control ?? simulatedRtpproxy(rt);
  const reply = channel.request(
    node.host,
    node.port,
    Buffer.from(cookie + text),
    Buffer.from(cookie),
    timeoutMs(rt),
    Math.max(1, num(rt, 'rtpproxy_retr', 5)),
  );
  if (!reply) {
    rt.logger.log(
      -1,
      'rtpproxy',
      'send_rtpp_command',
      `timeout waiting reply from a RTP proxy ${node.url}; proxy is disabled`,
    );
    disable(rt, node, true);
    return undefined;
  }
  return reply.subarray(cookie.length).toString('latin1');
}

/** rtpp_test: the protocol version and the one capability every node needs. */
export function probe(rt: Runtime, node: RtppNode): boolean {
  const v = command(rt, node, 'V');
  const ok =
    v !== undefined &&
    Number.parseInt(v, 10) === 20040107 &&
    Number.parseInt(command(rt, node, 'VF 20050322') ?? '', 10) === 1;
  if (ok) {
    node.disabled = false;
    node.recheck = 0;
    raiseEvent(rt, 'E_RTPPROXY_STATUS', { socket: node.url, status: 'active' });
  } else if (!node.disabled) disable(rt, node, v !== undefined);
  return ok;
}

/** The node of `set` for the call, probing first a disabled one whose time has come. */
export function nodeFor(rt: Runtime, set: RtppSet, callId: string): RtppNode | undefined {
  const now = nowSec(rt);
  for (const n of set.nodes) if (n.disabled && n.recheck <= now) probe(rt, n);
  return selectNode(set.nodes, callId);
}

export function probeAll(rt: Runtime): void {
  const st = rtppState(rt);
  if (st.probed) return;
  st.probed = true;
  for (const s of st.sets) for (const n of s.nodes) probe(rt, n);
}

/**
 * The rtpproxy of dry-runs and scenarios (nothing leaves the process): the
 * version it expects, and for each U/L command a port of its own
 * (35000 upwards, two by two) and no address, so the SDP names the
 * receiving socket's.
 */
function simulatedRtpproxy(rt: Runtime): ControlChannel {
  return rt.service(SIMULATED, () => simulation());
}

function simulation(): ControlChannel {
  let next = 35000;
  return {
    request: (_host, _port, payload, prefix) => {
      const text = payload.subarray(prefix.length).toString('latin1');
      const answer =
        text === 'V' ? '20040107' : text.startsWith('VF') ? '1' : /^[UL]/.test(text) ? String((next += 2) - 2) : '0';
      return Buffer.concat([prefix, Buffer.from(answer + '\n')]);
    },
  };
}

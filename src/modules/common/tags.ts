// The to-tag generators of sl and tm (one each per runtime, built on the
// first listening socket as OpenSIPS's init_tags does) and sl's record of
// when it last answered statelessly, which its ACK filter consults.
import { LocalTags, SL_TAG_KIND, TM_TAG_KIND } from '../../sip/local-tags.js';
import type { SipMessage } from '../../sip/message.js';
import { isSipError } from '../../sip/result.js';
import type { SocketInfo } from '../../net/types.js';
import type { Runtime } from '../../script/runtime.js';

/** OpenSIPS's protocol order (PROTO_UDP first): get_first_socket() takes the first listener of the first one that has any. */
const PROTO_ORDER = ['udp', 'tcp', 'tls', 'sctp', 'ws', 'wss', 'bin', 'bins', 'hep_udp', 'hep_tcp', 'smpp'];

function firstSocket(rt: Runtime): { ip: string; port: number } | undefined {
  let best: SocketInfo | undefined;
  let rank = Infinity;
  for (const s of rt.sockets) {
    const r = PROTO_ORDER.indexOf(s.proto);
    const k = r < 0 ? PROTO_ORDER.length : r;
    if (k < rank) { best = s; rank = k; }
  }
  // The cfg's own address: the tag is then the one OpenSIPS gives on the real host.
  return best && { ip: best.cfgIp ?? best.ip, port: best.cfgPort ?? best.port };
}

/** How long after its last reply sl still looks for ACKs to it (SL_RPL_WAIT_TIME, seconds). */
const SL_ACK_WAIT_S = 2;

export class SlState {
  /** get_ticks() before which an ACK may still belong to one of our replies. */
  private ackUntil = 0;

  constructor(readonly tags: LocalTags, private readonly rt: Runtime) {}

  private ticks(): number {
    return Math.floor((this.rt.clock.now() - this.rt.startedAt) / 1000);
  }

  /** A stateless reply went out. */
  replied(): void {
    this.ackUntil = this.ticks() + SL_ACK_WAIT_S;
  }

  /** sl_filter_ACK: an ACK whose To tag is ours for its Via, soon enough after a stateless reply. */
  isAckToOwnReply(msg: SipMessage): boolean {
    if (msg.method !== 'ACK' || this.ackUntil <= this.ticks()) return false;
    const to = msg.to;
    const tag = to !== undefined && !isSipError(to) ? to.tag : undefined;
    return tag !== undefined && this.tags.isOwn(tag, msg);
  }
}

export function slState(rt: Runtime): SlState {
  let s = rt.services.get('sl:state') as SlState | undefined;
  if (!s) { s = new SlState(new LocalTags(SL_TAG_KIND, firstSocket(rt)), rt); rt.services.set('sl:state', s); }
  return s;
}

export function tmTags(rt: Runtime): LocalTags {
  let t = rt.services.get('tm:tags') as LocalTags | undefined;
  if (!t) { t = new LocalTags(TM_TAG_KIND, firstSocket(rt)); rt.services.set('tm:tags', t); }
  return t;
}

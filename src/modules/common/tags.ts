// The to-tag generators of sl and tm (one each per runtime, built on the
// first listening socket as OpenSIPS's init_tags does) and sl's record of
// when it last answered statelessly, which its ACK filter consults.
import { LocalTags, SL_TAG_KIND, TM_TAG_KIND } from '../../sip/local-tags.js';
import type { SipMessage } from '../../sip/message.js';
import { isSipError } from '../../sip/result.js';
import { firstSocket } from '../../net/first-socket.js';
import type { Runtime } from '../../script/runtime.js';
import { serviceKey } from '../../base/keys.js';

/** How long after its last reply sl still looks for ACKs to it (SL_RPL_WAIT_TIME, seconds). */
const SL_ACK_WAIT_S = 2;

export class SlState {
  /** get_ticks() before which an ACK may still belong to one of our replies. */
  private ackUntil = 0;

  constructor(
    readonly tags: LocalTags,
    private readonly rt: Runtime,
  ) {}

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

const SL_STATE = serviceKey<SlState>('sl:state');
const TM_TAGS = serviceKey<LocalTags>('tm:tags');

export function slState(rt: Runtime): SlState {
  return rt.service(SL_STATE, () => new SlState(new LocalTags(SL_TAG_KIND, firstSocket(rt.sockets)), rt));
}

export function tmTags(rt: Runtime): LocalTags {
  return rt.service(TM_TAGS, () => new LocalTags(TM_TAG_KIND, firstSocket(rt.sockets)));
}

// CSeq numbers inside a dialog in which the proxy sent a request of its own
// number (uac_auth answering a challenge: the same request again with CSeq +
// 1), as 3.3's dlg_onroute keeps them: once the dialog is marked
// (cseqEnforce, DLG_FLAG_CSEQ_ENFORCE) the 2xx of the INVITE sets the callee
// leg's lastGenCseq, and every later request towards a leg with a
// lastGenCseq leaves with the next number (its ACK with the same as the
// INVITE), its relayed replies getting the sender's own number back.
import type { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import type { SipMessage } from '../../sip/message.js';
import { isSipError } from '../../sip/result.js';
import { tmHooks, type TmHooks } from '../tm/api.js';
import type { Dialog } from './store.js';

/** dlg_seq_*_onreply_mod_cseq: the relayed reply carries the CSeq number the request came with. */
class ReplyCseq implements TmHooks {
  constructor(readonly num: number) {}

  responseForwarded(reply: SipMessage, out: SipMessage): void {
    const cseq = reply.cseq;
    if (cseq && !isSipError(cseq)) out.replaceHeader('CSeq', `${this.num} ${cseq.method}`);
  }
}

/** The request leaves with CSeq `num` (update_msg_cseq; a later edit of the same header wins). */
export function setRequestCseq(ctx: ExecContext, num: number): void {
  const cseq = ctx.msg.cseq;
  if (cseq) headerEdits(ctx).push({ op: 'replace', name: 'cseq', nth: 0, value: `${num} ${cseq.method}` });
}

/** How many renumbered INVITEs of one leg keep their number for the ACK (3.3 drops each with its transaction). */
const MAX_CSEQ_MAPS = 16;

/**
 * A sequential request of a confirmed dialog going to leg `dstLeg`: the
 * leg's next generated number, if it has one; an INVITE's pair of numbers is
 * kept on the sender's leg (dlg_leg_push_cseq_map) so that its ACK gets the
 * number the INVITE left with even when a ping went in between; an ACK
 * without such a pair gets the leg's last generated number.
 */
export function mapSequentialCseq(ctx: ExecContext, d: Dialog, dstLeg: 0 | 1): void {
  const leg = d.legs[dstLeg];
  const src = d.legs[dstLeg === 1 ? 0 : 1];
  const cseq = ctx.msg.cseq;
  if (!cseq) return;
  if (ctx.msg.method === 'ACK') {
    const mapped = src.cseqMaps.get(cseq.num) ?? leg.lastGenCseq;
    if (mapped) setRequestCseq(ctx, mapped);
    return;
  }
  if (!leg.lastGenCseq) return;
  setRequestCseq(ctx, ++leg.lastGenCseq);
  if (ctx.msg.method === 'INVITE') {
    src.cseqMaps.delete(cseq.num);
    src.cseqMaps.set(cseq.num, leg.lastGenCseq);
    if (src.cseqMaps.size > MAX_CSEQ_MAPS) src.cseqMaps.delete(src.cseqMaps.keys().next().value!);
  }
  tmHooks(ctx).push(new ReplyCseq(cseq.num));
}

/** The INVITE's 2xx in a marked dialog: requests towards the callee continue from its CSeq. */
export function onConfirmedCseq(d: Dialog, reply: SipMessage | undefined): void {
  if (!d.cseqEnforce || !reply) return;
  const cseq = reply.cseq;
  if (cseq && !isSipError(cseq)) d.legs[1].lastGenCseq = cseq.num;
}

/** The leg a request with To tag `toTag` goes to (uac_auth_dlg_leg): the caller when it is the caller's tag. */
export function legOfToTag(d: Dialog, toTag: string | undefined): 0 | 1 {
  if (!toTag) return 1;
  return d.legs[0].tag === toTag ? 0 : 1;
}

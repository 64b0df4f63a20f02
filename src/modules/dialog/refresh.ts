// What 3.3's dialog learns from a re-INVITE or UPDATE it relays in a
// confirmed dialog (dlg_onroute's TMCB_REQUEST_BUILT / TMCB_RESPONSE_FWDED
// callbacks): the sender's Contact (a target refresh) from the request, the
// other side's from its 2xx, so that the proxy's own requests (pings, BYEs)
// go where the UAs now are; and a 401/407 relayed back to the sender bumps
// the generated CSeq of the challenging leg, when it has one (the sender
// sends the request again with a new number).
import type { ExecContext } from '../../script/context.js';
import type { SipMessage } from '../../sip/message.js';
import { isSipError } from '../../sip/result.js';
import { tmHooks } from '../tm/api.js';
import type { Dialog } from './store.js';

function contactOf(msg: SipMessage | undefined): string | undefined {
  const c = msg?.contacts();
  return c && !isSipError(c) && !c.star && c.contacts.length === 1 ? c.contacts[0]!.uri : undefined;
}

export function onTargetRefresh(ctx: ExecContext, d: Dialog, dstLeg: 0 | 1): void {
  const src = d.legs[dstLeg === 1 ? 0 : 1];
  const dst = d.legs[dstLeg];
  const fromRequest = contactOf(ctx.msg.sip);
  if (fromRequest) src.contact = fromRequest;
  tmHooks(ctx).push({
    responseForwarded: (reply) => {
      const code = reply.status;
      if ((code === 401 || code === 407) && dst.lastGenCseq) dst.lastGenCseq++;
      if (code >= 200 && code < 300) {
        const fromReply = contactOf(reply);
        if (fromReply) dst.contact = fromReply;
      }
    },
  });
}

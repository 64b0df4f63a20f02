// uac's tm callback on relayed replies (OpenSIPS's uac registers one with
// TMCB_RESPONSE_FWDED): what uac changed in the request is given back to the
// caller. uac_replace_from/to: the reply's From/To display and URI become the
// request's as received (the To tag stays); uac_auth (and the in-dialog CSeq
// shift): the CSeq number the caller used.
import type { ExecContext } from '../../script/context.js';
import type { SipMessage } from '../../sip/message.js';
import { isSipError } from '../../sip/result.js';
import { tmHooks, type TmHooks } from '../tm/api.js';
import { nameAddrParts } from './replace.js';

class ReplyRestore implements TmHooks {
  readonly headers: ('from' | 'to')[] = [];
  cseq: number | undefined;

  responseForwarded(reply: SipMessage, out: SipMessage, request: SipMessage): void {
    for (const which of this.headers) restoreNameAddr(out, request, which === 'from' ? 'From' : 'To');
    if (this.cseq !== undefined) {
      const cseq = reply.cseq;
      if (cseq && !isSipError(cseq)) out.replaceHeader('CSeq', `${this.cseq} ${cseq.method}`);
    }
  }
}

/** This transaction's restore callback, registered on first use (one per transaction). */
function replyRestore(ctx: ExecContext): ReplyRestore {
  const hooks = tmHooks(ctx);
  let r = hooks.find((h): h is ReplyRestore => h instanceof ReplyRestore);
  if (!r) {
    r = new ReplyRestore();
    hooks.push(r);
  }
  return r;
}

/** Relayed replies get back the display and URI of the request's `which` as received. */
export function restoreInReplies(ctx: ExecContext, which: 'from' | 'to'): void {
  const r = replyRestore(ctx);
  if (!r.headers.includes(which)) r.headers.push(which);
}

/** Relayed replies get CSeq number `num` back (uac raised the request's). */
export function restoreCseqInReplies(ctx: ExecContext, num: number): void {
  replyRestore(ctx).cseq = num;
}

/** The reply's From/To display and URI set back to the request's as received, its params (the To tag) kept. */
function restoreNameAddr(reply: SipMessage, request: SipMessage, name: 'From' | 'To'): void {
  const mine = request.header(name);
  const theirs = reply.header(name);
  if (mine === undefined || theirs === undefined) return;
  const a = nameAddrParts(mine);
  const b = nameAddrParts(theirs);
  if (!a || !b) return;
  reply.replaceHeader(name, mine.slice(0, mine.length - a.rest.length) + b.rest);
}

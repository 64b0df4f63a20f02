// Checks a received request needs before it is processed as SIP, with the
// answer RFC 3261 §8.2 / RFC 4475 expect when one fails. Parsing stays lazy
// elsewhere; this is where a server opts in to the strict view.
import type { SipMessage } from './message.js';
import { isSipError } from './result.js';
import { parseUri } from './uri.js';

export interface Rejection {
  readonly code: 400 | 416 | 505;
  readonly reason: string;
}

export function checkRequest(msg: SipMessage): Rejection | undefined {
  if (!msg.isRequest) return undefined;
  if (msg.version !== 'SIP/2.0' && msg.version.toUpperCase() !== 'SIP/2.0')
    return { code: 505, reason: 'Version Not Supported' };
  const counted = countProblem(msg);
  if (counted) return counted;
  // From is only checked here; the reply copies its line as received.
  const fromError = msg.fromError();
  if (fromError) return bad(`bad From: ${fromError.error}`);
  const to = msg.to;
  if (isSipError(to)) return bad(`bad To: ${to.error}`);
  if (!msg.callId) return bad('empty Call-ID');
  const cseq = msg.cseq;
  if (!cseq || isSipError(cseq)) return bad(`bad CSeq${cseq ? ': ' + cseq.error : ''}`);
  if (cseq.method !== msg.method) return bad('CSeq method does not match the request method');
  const mf = msg.maxForwards;
  if (isSipError(mf)) return bad(`bad Max-Forwards: ${mf.error}`);
  return msg.ruriIsPlainSip() ? undefined : ruriProblem(msg.ruri);
}

/**
 * From, To, Call-ID and CSeq must be there; they, Max-Forwards and
 * Content-Length at most once. Counted in one pass with a counter each
 * (keys are interned, so each comparison is a pointer comparison).
 */
function countProblem(msg: SipMessage): Rejection | undefined {
  let from = 0;
  let to = 0;
  let callId = 0;
  let cseq = 0;
  let maxForwards = 0;
  let contentLength = 0;
  for (let i = 0; i < msg.headerCount; i++) {
    const key = msg.keyAt(i);
    if (key === 'from') from++;
    else if (key === 'to') to++;
    else if (key === 'call-id') callId++;
    else if (key === 'cseq') cseq++;
    else if (key === 'max-forwards') maxForwards++;
    else if (key === 'content-length') contentLength++;
  }
  if (from === 0) return bad('missing from header');
  if (to === 0) return bad('missing to header');
  if (callId === 0) return bad('missing call-id header');
  if (cseq === 0) return bad('missing cseq header');
  if (from > 1) return bad('several from headers');
  if (to > 1) return bad('several to headers');
  if (callId > 1) return bad('several call-id headers');
  if (cseq > 1) return bad('several cseq headers');
  if (maxForwards > 1) return bad('several max-forwards headers');
  if (contentLength > 1) return bad('several content-length headers');
  return undefined;
}

/** What is wrong with a Request-URI that is not a plain sip:/sips: URI; undefined when nothing is. */
function ruriProblem(text: string): Rejection | undefined {
  const ruri = parseUri(text);
  if (isSipError(ruri)) {
    return ruri.error.startsWith('unsupported URI scheme')
      ? { code: 416, reason: 'Unsupported URI Scheme' }
      : bad(`bad Request-URI: ${ruri.error}`);
  }
  // RFC 3261 §19.1.1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (ruri.headersText !== '') return bad('headers in the Request-URI');
  return undefined;
}

function bad(why: string): Rejection {
  return { code: 400, reason: `Bad Request (${why})` };
}

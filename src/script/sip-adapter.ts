// A parsed SipMessage seen through the ScriptMessage interface the engine uses.
import { isSipError } from '../sip/result.js';
import type { SipMessage } from '../sip/message.js';
import type { ContactView, NameAddrView, ScriptMessage } from './message.js';

function nameAddr(v: unknown): NameAddrView | undefined {
  if (!v || isSipError(v)) return undefined;
  const na = v as { displayName: string; uri: string; params: Record<string, string> };
  return { uri: na.uri, ...(na.displayName ? { displayName: na.displayName } : {}), ...(na.params.tag ? { tag: na.params.tag } : {}) };
}

export function scriptMessage(msg: SipMessage): ScriptMessage {
  const cseq = msg.cseq;
  let contacts: { star: boolean; list: ContactView[] } | undefined;
  return {
    isRequest: msg.isRequest,
    method: msg.method,
    ruri: msg.isRequest ? msg.ruri : '',
    ...(msg.isRequest ? {} : { status: msg.status, reason: msg.reason }),
    header: (n) => msg.header(n),
    headers: (n) => msg.headers(n),
    ...(msg.callId !== undefined ? { callId: msg.callId } : {}),
    ...(cseq && !isSipError(cseq) ? { cseq: { num: cseq.num, method: cseq.method } } : {}),
    ...(nameAddr(msg.from) ? { from: nameAddr(msg.from)! } : {}),
    ...(nameAddr(msg.to) ? { to: nameAddr(msg.to)! } : {}),
    contacts: () => {
      if (contacts) return contacts;
      const c = msg.contacts();
      contacts = isSipError(c) ? { star: false, list: [] } : {
        star: c.star,
        list: c.contacts.map((x) => ({ text: x.raw, uri: x.uri, params: { ...x.params }, ...(x.displayName ? { displayName: x.displayName } : {}) })),
      };
      return contacts;
    },
    body: msg.bodyText,
    text: msg.bytes.toString('utf8'),
    sip: msg,
  };
}

// Reads every accessor of a message, the way a script might: none may throw.
import { isSipError, type SipMessage } from '../../../src/sip/index.js';

export function touchEverything(m: SipMessage): void {
  void [
    m.method,
    m.ruri,
    m.status,
    m.reason,
    m.version,
    m.callId,
    m.cseq,
    m.from,
    m.to,
    m.expires,
    m.maxForwards,
    m.contentLength,
    m.userAgent,
    m.body,
    m.bodyText,
    m.size,
    m.topVia,
  ];
  m.headerNames();
  m.rawHeaders();
  for (const name of ['via', 'contact', 'route', 'allow', 'supported', 'x-unknown']) m.headers(name);
  const contacts = m.contacts();
  if (!isSipError(contacts))
    for (const c of contacts.contacts) void [c.parsedUri, c.expires, c.q, c.instance, c.regId, c.methods, c.received];
  for (const list of [m.paths(), m.routes(), m.recordRoutes()])
    if (!isSipError(list)) for (const n of list) void n.parsedUri;
  for (const na of [m.from, m.to]) if (na && !isSipError(na)) void na.parsedUri;
  m.vias();
  m.allow();
  m.supported();
  m.credentials();
  m.credentials('proxy-authorization');
  m.serialize();
  m.clone().serialize({ stream: true });
}

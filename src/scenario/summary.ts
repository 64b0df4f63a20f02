// One line per message for ladders and checks: `REGISTER Expires: 200`, `200 OK (expires=130)`,
// with the Expires header and Contact values kept for expectations.
import { parseSipMessage } from '../sip/index.js';
import { isSipError } from '../sip/result.js';
import type { Delivery } from './sim-network.js';

export interface MessageSummary {
  /** Seconds since the scenario start. */
  t: number;
  from: string;
  to: string;
  fromAddr: string;
  toAddr: string;
  isRequest: boolean;
  method: string;
  status?: number;
  firstLine: string;
  cseq?: number;
  /** Expires header value, if any. */
  expires?: number;
  /** Every Contact header value, joined with `, `. */
  contact?: string;
  /** `REGISTER Expires: 200`, `200 OK (expires=130)`: the method or status with what it says about expiry. */
  label: string;
  text: string;
}

/** The contacts' `;expires=` values, in order. */
function contactExpiries(contact: string | undefined): string[] {
  return contact ? [...contact.matchAll(/;\s*expires=(\d+)/gi)].map((m) => m[1]!) : [];
}

/**
 * What a reader of a ladder needs of a REGISTER exchange, in SIP's own words:
 * `REGISTER Expires: 200` (the header; the contacts' `;expires=` when there is
 * none), `REGISTER Contact: *`, `200 OK (expires=130)` (what each listed binding
 * was granted).
 */
function registerLabel(
  head: string,
  isRequest: boolean,
  contact: string | undefined,
  header: number | undefined,
): string {
  if (isRequest) {
    if (contact === '*') return `${head} Contact: *`;
    if (header !== undefined) return `${head} Expires: ${header}`;
    const params = contactExpiries(contact);
    return params.length ? `${head} (expires=${params.join(',')})` : head;
  }
  const params = contactExpiries(contact);
  if (params.length) return `${head} (expires=${params.join(',')})`;
  return header !== undefined ? `${head} (Expires: ${header})` : head;
}

export function summarize(d: Delivery, startMs: number): MessageSummary {
  const text = d.data.toString('utf8');
  const firstLine = text.slice(0, text.indexOf('\r\n'));
  const base = {
    t: (d.at - startMs) / 1000,
    from: d.fromActor,
    to: d.toActor ?? `${d.to.ip}:${d.to.port} (nobody)`,
    fromAddr: `${d.from.proto}:${d.from.ip}:${d.from.port}`,
    toAddr: `${d.to.proto}:${d.to.ip}:${d.to.port}`,
    firstLine,
    text,
  };
  const parsed = parseSipMessage(d.data, { datagram: true });
  if (parsed.error !== undefined) {
    const keepAlive = d.data.every((b) => b === 0) || /^(\r\n)+$/.test(text);
    return {
      ...base,
      isRequest: false,
      method: '',
      label: keepAlive ? `keep-alive (${d.data.length} bytes)` : `(not SIP) ${JSON.stringify(firstLine.slice(0, 24))}`,
    };
  }
  const m = parsed.msg;
  const e = m.expires;
  const expires = typeof e === 'number' && !isSipError(e) ? e : undefined;
  const contacts = m.headers('contact');
  const contact = contacts.length ? contacts.join(', ') : undefined;
  const head = m.isRequest ? m.method : `${m.status} ${m.reason}`;
  return {
    ...base,
    isRequest: m.isRequest,
    method: m.method,
    ...(m.isRequest ? {} : { status: m.status }),
    ...(m.cseq && !isSipError(m.cseq) ? { cseq: m.cseq.num } : {}),
    ...(expires !== undefined ? { expires } : {}),
    ...(contact !== undefined ? { contact } : {}),
    label: m.method === 'REGISTER' ? registerLabel(head, m.isRequest, contact, expires) : head,
  };
}

// One line per message for ladders and checks: `REGISTER (200)`, `200 OK (130)`,
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
  /** `REGISTER (200)`: the method or status with the contacts' expiries (or the Expires header). */
  label: string;
  text: string;
}

function expiriesOf(contact: string | undefined, header: number | undefined): string {
  if (contact === '*') return '*';
  const params = contact ? [...contact.matchAll(/;\s*expires=(\d+)/gi)].map((m) => m[1]) : [];
  if (params.length) return params.join(',');
  return header !== undefined ? String(header) : '';
}

export function summarize(d: Delivery, startMs: number): MessageSummary {
  const text = d.data.toString('utf8');
  const firstLine = text.slice(0, text.indexOf('\r\n'));
  const base = {
    t: (d.at - startMs) / 1000, from: d.fromActor, to: d.toActor ?? `${d.to.ip}:${d.to.port} (nobody)`,
    fromAddr: `${d.from.proto}:${d.from.ip}:${d.from.port}`, toAddr: `${d.to.proto}:${d.to.ip}:${d.to.port}`, firstLine, text,
  };
  const parsed = parseSipMessage(d.data, { datagram: true });
  if (parsed.error !== undefined) {
    const keepAlive = d.data.every((b) => b === 0) || /^(\r\n)+$/.test(text);
    return { ...base, isRequest: false, method: '', label: keepAlive ? `keep-alive (${d.data.length} bytes)` : `(not SIP) ${JSON.stringify(firstLine.slice(0, 24))}` };
  }
  const m = parsed.msg;
  const e = m.expires;
  const expires = typeof e === 'number' && !isSipError(e) ? e : undefined;
  const contacts = m.headers('contact');
  const contact = contacts.length ? contacts.join(', ') : undefined;
  const exp = m.method === 'REGISTER' ? expiriesOf(contact, expires) : '';
  const head = m.isRequest ? m.method : `${m.status} ${m.reason}`;
  return {
    ...base, isRequest: m.isRequest, method: m.method, ...(m.isRequest ? {} : { status: m.status }),
    ...(m.cseq && !isSipError(m.cseq) ? { cseq: m.cseq.num } : {}),
    ...(expires !== undefined ? { expires } : {}), ...(contact !== undefined ? { contact } : {}),
    label: exp ? `${head} (${exp})` : head,
  };
}

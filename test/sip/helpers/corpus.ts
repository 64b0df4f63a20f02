// URIs and header values taken from the shared test messages.
import { parseSipMessage, type SipMessage } from '../../../src/sip/index.js';
import { registerSamples, rfc4475 } from './data.js';

/** The valid RFC 4475 messages and the REGISTER samples, parsed. */
export function corpusMessages(): SipMessage[] {
  const out: SipMessage[] = [];
  const inputs = [
    ...rfc4475()
      .filter((c) => c.valid)
      .map((c) => c.bytes),
    ...registerSamples().map((s) => s.bytes),
  ];
  for (const bytes of inputs) {
    const r = parseSipMessage(bytes);
    if (r.msg) out.push(r.msg);
  }
  return out;
}

const NAME_ADDR_HEADERS = ['from', 'to', 'contact', 'route', 'record-route', 'path'];

/** Header values by kind: name-addr lists, Via values. */
export function corpusHeaderValues(): { nameAddr: Array<{ header: string; value: string }>; via: string[] } {
  const nameAddr: Array<{ header: string; value: string }> = [];
  const via: string[] = [];
  for (const msg of corpusMessages()) {
    for (const h of msg.rawHeaders()) {
      const key =
        h.name.length === 1
          ? (({ f: 'from', t: 'to', m: 'contact', v: 'via' } as Record<string, string>)[h.name.toLowerCase()] ??
            h.name.toLowerCase())
          : h.name.toLowerCase();
      if (NAME_ADDR_HEADERS.includes(key) && h.value !== '*') nameAddr.push({ header: key, value: h.value });
      if (key === 'via') via.push(h.value);
    }
  }
  return { nameAddr, via };
}

/** Every SIP URI: request-URIs and the URIs inside name-addr headers. */
export function corpusUris(): string[] {
  const out = new Set<string>();
  for (const msg of corpusMessages()) {
    if (msg.isRequest && /^sips?:/i.test(msg.ruri)) out.add(msg.ruri);
    for (const h of ['from', 'to', 'contact', 'route', 'record-route', 'path']) {
      for (const v of msg.headers(h)) {
        const m = /<([^>]*)>/.exec(v) ?? /^\s*([^;\s]+)/.exec(v);
        if (m && /^sips?:/i.test(m[1]!)) out.add(m[1]!);
      }
    }
  }
  return [...out];
}

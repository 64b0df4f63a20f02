// Building test messages: lines joined with CRLF, and parse-or-fail.
import { parseSipMessage, type ParseOptions, type SipMessage } from '../../../src/sip/index.js';

export function sip(...lines: string[]): string {
  return lines.join('\r\n');
}

export function parsed(input: Buffer | string, opts?: ParseOptions): SipMessage {
  const r = parseSipMessage(input, opts);
  if (!r.msg) throw new Error(`parse failed: ${r.error}`);
  return r.msg;
}

export const REGISTER = sip(
  'REGISTER sip:registrar.example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Bob <sip:bob@example.com>;tag=456248',
  'Call-ID: 843817637684230@998sdasdh09',
  'CSeq: 1826 REGISTER',
  'Contact: <sip:bob@192.0.2.10:5060>;expires=7200',
  'Expires: 3600',
  'Content-Length: 0',
  '',
  '',
);

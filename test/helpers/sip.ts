// Building REGISTERs and other requests for module tests.
export interface RegisterSpec {
  user?: string;
  contacts?: string[];
  expires?: number;
  callId?: string;
  cseq?: number;
  via?: string;
  extra?: string[];
}

export function register(s: RegisterSpec = {}): Buffer {
  const user = s.user ?? '1001';
  const lines = [
    'REGISTER sip:127.0.0.1:5060 SIP/2.0',
    `Via: ${s.via ?? 'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-t;rport'}`,
    'Max-Forwards: 70',
    `To: <sip:${user}@127.0.0.1>`,
    `From: <sip:${user}@127.0.0.1>;tag=t1`,
    `Call-ID: ${s.callId ?? 'call-1'}`,
    `CSeq: ${s.cseq ?? 1} REGISTER`,
    ...(s.contacts ?? [`<sip:${user}@127.0.0.1:5062>`]).map((c) => `Contact: ${c}`),
    ...(s.expires !== undefined ? [`Expires: ${s.expires}`] : []),
    ...(s.extra ?? []),
    'Content-Length: 0',
  ];
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n');
}

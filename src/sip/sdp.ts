// SDP read the way OpenSIPS's parser/sdp reads it for sipmsgops: sessions
// (each from a v= line), their streams (each from an m= line), the payload
// types of each m= line with what a=rtpmap / a=fmtp / other a=<attr>:<pt>
// lines say about them, and whether a stream is on hold. Offsets are into
// the body text, so that callers can edit lines in place.

/** A line of the body: [start, end) covers its text and its line terminator. */
export interface SdpLine {
  start: number;
  end: number;
  text: string;
}

export interface SdpPayload {
  pt: string;
  /** From a=rtpmap: encoding name and clock rate. */
  enc?: string;
  clock?: string;
  rtpmap?: SdpLine;
  fmtp?: SdpLine;
  /** Other a=<attr>:<pt> <value> lines about this payload type (a=rtcp-fb...). */
  custom: SdpLine[];
  /** The payload type whose a=fmtp says apt=<this one> (an RTX or FEC companion): deleted with it. */
  linked?: SdpPayload;
}

export interface SdpStream {
  media: string;
  /** The m= line's protocol (RTP/AVP...). */
  transport: string;
  mLine: SdpLine;
  /** The payload list of the m= line with the spaces before it: [start, end) in the body. */
  payloadList: { start: number; end: number };
  /** The port of the m= line: [start, end) in the body. */
  port: { start: number; end: number };
  /** In m= line order. */
  payloads: SdpPayload[];
  /** Where the stream's lines end (the next m= line, the next session, or the body's end). */
  end: number;
  /** 0 no; 1 c= 0.0.0.0 (RFC 2543); 2 a=sendonly or a=inactive (RFC 3264). */
  onHold: 0 | 1 | 2;
}

export interface SdpSession {
  streams: SdpStream[];
}

/** Attributes OpenSIPS's parser takes for something else before it looks for a=<attr>:<pt> ones. */
const NOT_CUSTOM = /^a=(ptime|rtpmap|rtcp|fmtp|accept-types|accept-wrapped-types|max-size|path):/i;
const SENDRECV = /^a=(sendrecv|recvonly|inactive|sendonly)/i;

function lines(body: string): SdpLine[] {
  const out: SdpLine[] = [];
  let pos = 0;
  while (pos < body.length) {
    const nl = body.indexOf('\n', pos);
    const end = nl < 0 ? body.length : nl + 1;
    out.push({ start: pos, end, text: body.slice(pos, end).replace(/\r?\n$/, '') });
    pos = end;
  }
  return out;
}

/** The address of a c= line (c=IN IP4 0.0.0.0 -> 0.0.0.0). */
function connectionAddress(text: string): string | undefined {
  return /^c=\s*IN\s+IP[46]\s+([^\s/]+)/i.exec(text)?.[1];
}

export function parseSdp(body: string): SdpSession[] {
  const sessions: SdpSession[] = [];
  let session: SdpSession | undefined;
  let sessionIp: string | undefined;
  let stream: (SdpStream & { ip?: string }) | undefined;
  const finish = (at: number): void => {
    if (!stream) return;
    stream.end = at;
    const ip = stream.ip ?? sessionIp;
    if (stream.onHold === 0 && ip === '0.0.0.0') stream.onHold = 1;
    delete stream.ip;
    stream = undefined;
  };
  for (const l of lines(body)) {
    if (l.text.startsWith('v=')) {
      finish(l.start);
      session = { streams: [] };
      sessions.push(session);
      sessionIp = undefined;
    } else if (!session) {
      continue;
    } else if (l.text.startsWith('m=')) {
      finish(l.start);
      stream = mediaLine(l);
      if (stream) session.streams.push(stream);
    } else if (l.text.startsWith('c=')) {
      if (stream) stream.ip = connectionAddress(l.text);
      else sessionIp = connectionAddress(l.text);
    } else if (stream && l.text.startsWith('a=')) {
      attribute(stream, l);
    }
  }
  finish(body.length);
  return sessions;
}

/** m=<media> <port>[/<n>] <proto> <fmt> ...; undefined when malformed (OpenSIPS rejects the whole SDP then). */
function mediaLine(l: SdpLine): SdpStream | undefined {
  const m = /^m=(\S+)( +)(\S+)( +)(\S+)/.exec(l.text);
  if (!m) return undefined;
  const portStart = l.start + 2 + m[1]!.length + m[2]!.length;
  const portEnd = portStart + m[3]!.split('/')[0]!.length;
  const listStart = l.start + m[0].length;
  const list = l.text.slice(m[0].length);
  const pts = list.trim() === '' ? [] : list.trim().split(/ +/);
  return {
    media: m[1]!,
    transport: m[5]!,
    mLine: l,
    payloadList: { start: listStart, end: l.start + l.text.replace(/\s+$/, '').length },
    port: { start: portStart, end: portEnd },
    payloads: pts.map((pt) => ({ pt, custom: [] })),
    end: l.end,
    onHold: 0,
  };
}

function attribute(stream: SdpStream, l: SdpLine): void {
  const find = (pt: string): SdpPayload | undefined => stream.payloads.find((p) => p.pt === pt);
  if (SENDRECV.test(l.text)) {
    if (/^a=(inactive|sendonly)/i.test(l.text)) stream.onHold = 2;
    return;
  }
  const rtpmap = /^a=rtpmap:\s*(\S+)\s+([^/\s]+)\/([^/\s]+)/i.exec(l.text);
  if (rtpmap) {
    const p = find(rtpmap[1]!);
    if (p) {
      p.enc = rtpmap[2]!;
      p.clock = rtpmap[3]!;
      p.rtpmap = l;
    }
    return;
  }
  const fmtp = /^a=fmtp:\s*(\S+)\s+(.*)$/i.exec(l.text);
  if (fmtp) {
    const p = find(fmtp[1]!);
    if (!p) return;
    p.fmtp = l;
    const apt = /apt=([^;]*)/.exec(fmtp[2]!)?.[1]?.trim();
    const ref = apt !== undefined ? find(apt) : undefined;
    if (ref) ref.linked = p;
    return;
  }
  if (NOT_CUSTOM.test(l.text)) return;
  const custom = /^a=[^:]*:\s*(\S+)\s+\S/.exec(l.text);
  if (custom) find(custom[1]!)?.custom.push(l);
}

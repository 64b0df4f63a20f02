// codec_exists / codec_delete / codec_move_up / codec_move_down (and their
// _re forms, codec_delete_except_re) and is_audio_on_hold, as sipmsgops'
// codecs.c runs them: every stream of every SDP session; a stream's payload
// types visited in the order OpenSIPS's parser lists them (the m= line
// backwards), then the static payload types of RFC 3551; a deleted codec takes
// its a=rtpmap, a=fmtp and a=<attr>:<pt> lines with it, and its RTX/FEC
// companion (a=fmtp apt=); a stream left without payloads gets port 0.
import type { ExecContext } from '../../script/context.js';
import { currentBody, setBodyText } from '../../script/edits.js';
import { escapeRegex, posixRegex } from '../../script/regex.js';
import { parseSdp, type SdpPayload, type SdpSession, type SdpStream } from '../../sip/sdp.js';

type Op = 'find' | 'delete' | 'front' | 'back';

/** How a payload is chosen: by name (and clock), or by a regex on the encoding name (or its complement). */
export type CodecMatch =
  { kind: 'name'; name: string; clock?: string; useClock: boolean } | { kind: 're'; re: string; complement: boolean };

/** RFC 3551's static payload types, as codecs.c lists them. */
const STATIC: readonly { pt: string; enc: string; clock: string }[] = [
  ['0', 'PCMU', '8000'],
  ['3', 'GSM', '8000'],
  ['4', 'G723', '8000'],
  ['5', 'DVI4', '8000'],
  ['6', 'DVI4', '16000'],
  ['7', 'LPC', '8000'],
  ['8', 'PCMA', '8000'],
  ['9', 'G722', '8000'],
  ['10', 'L16', '44100'],
  ['11', 'L16', '44100'],
  ['12', 'QCELP', '8000'],
  ['13', 'CN', '8000'],
  ['14', 'MPA', '90000'],
  ['15', 'G728', '8000'],
  ['16', 'DVI4', '11025'],
  ['17', 'DVI4', '22050'],
  ['18', 'G729', '8000'],
  ['25', 'CelB', '8000'],
  ['26', 'JPEG', '90000'],
  ['28', 'nv', '90000'],
  ['31', 'H261', '90000'],
  ['32', 'MPV', '90000'],
  ['33', 'MP2T', '90000'],
  ['34', 'H263', '90000'],
  ['t38', 't38', ''],
].map(([pt, enc, clock]) => ({ pt: pt!, enc: enc!, clock: clock! }));

function sameText(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

function matches(m: CodecMatch, enc: string, clock: string): boolean {
  if (m.kind === 're') return posixRegex(m.re).test(enc) !== m.complement;
  return sameText(m.name, enc) && (!m.useClock || m.clock === undefined || sameText(m.clock, clock));
}

/** The body's edits, applied at the end in one pass: deleted line ranges and replaced spans. */
interface Edits {
  dropLines: Map<number, number>;
  replace: { start: number; end: number; text: string }[];
}

/** One stream (stream_process): 1 when a payload matched and was found on the m= line, -1 otherwise. */
function processStream(body: string, stream: SdpStream, m: CodecMatch, op: Op, edits: Edits): number {
  let list = body.slice(stream.payloadList.start, stream.payloadList.end);
  if (list.length === 0) return -1; // a stream already emptied
  const clockGiven = m.kind === 'name' && m.clock !== undefined;
  let moved = '';
  let ret = -1;
  const dynamic = [...stream.payloads].reverse();
  const candidates: { pt: string; enc?: string; clock?: string; dyn?: SdpPayload }[] = [
    ...dynamic.map((p) => ({
      pt: p.pt,
      ...(p.enc !== undefined ? { enc: p.enc } : {}),
      ...(p.clock !== undefined ? { clock: p.clock } : {}),
      dyn: p,
    })),
    ...STATIC,
  ];
  for (const c of candidates) {
    if (c.enc === undefined || (c.clock === undefined && clockGiven)) continue;
    if (!matches(m, c.enc, c.clock ?? '')) continue;
    const cut = removeToken(list, c.pt);
    if (cut === undefined) continue;
    if (op === 'find') return 1;
    if (op === 'delete' && c.dyn) {
      dropPayloadLines(c.dyn, edits);
      if (c.dyn.linked) dropPayloadLines(c.dyn.linked, edits);
    }
    list = cut;
    if (op === 'delete' && c.dyn?.linked) list = removeToken(list, c.dyn.linked.pt) ?? list;
    if (op === 'front' || op === 'back') moved += ` ${c.pt}`;
    ret = 1;
  }
  if (op === 'front') list = moved + list;
  if (op === 'back') list += moved;
  if (ret === 1) {
    edits.replace.push({ start: stream.payloadList.start, end: stream.payloadList.end, text: list });
    if (list.length === 0) edits.replace.push({ start: stream.port.start, end: stream.port.end, text: '0' });
  }
  return ret;
}

/** The list without ` pt` (the spaces before it go too); undefined when pt is not in it. */
function removeToken(list: string, pt: string): string | undefined {
  const re = new RegExp(`(?:^| +)${escapeRegex(pt)}(?= |$)`);
  const m = re.exec(list);
  if (!m) return undefined;
  return list.slice(0, m.index) + list.slice(m.index + m[0].length);
}

function dropPayloadLines(p: SdpPayload, edits: Edits): void {
  for (const l of [p.rtpmap, p.fmtp, ...p.custom]) if (l) edits.dropLines.set(l.start, l.end);
}

/** The body with every span replaced, in one pass (a slice-and-join per span was quadratic in the number of streams). */
function applyEdits(body: string, edits: Edits): string {
  const spans = [...[...edits.dropLines].map(([start, end]) => ({ start, end, text: '' })), ...edits.replace].sort(
    (a, b) => a.start - b.start,
  );
  const parts: string[] = [];
  let pos = 0;
  for (const s of spans) {
    const start = Math.max(s.start, pos);
    parts.push(body.slice(pos, start), s.text);
    pos = Math.max(pos, s.end);
  }
  parts.push(body.slice(pos));
  return parts.join('');
}

/** The SDP of the message (an application/sdp body), parsed; undefined when there is none. */
function sdpOf(ctx: ExecContext): { body: string; sessions: SdpSession[] } | undefined {
  const msg = ctx.msg.sip;
  if (!msg) return undefined;
  const type = (msg.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const body = currentBody(ctx);
  if (type !== 'application/sdp' || body.length === 0) return undefined;
  const sessions = parseSdp(body);
  return sessions.length ? { body, sessions } : undefined;
}

/** do_for_all_streams: 1 when any stream matched. */
export function codecOp(ctx: ExecContext, m: CodecMatch, op: Op): number {
  const sdp = sdpOf(ctx);
  if (!sdp) return -1;
  const edits: Edits = { dropLines: new Map(), replace: [] };
  let ret = -1;
  for (const session of sdp.sessions) {
    for (const stream of session.streams) if (processStream(sdp.body, stream, m, op, edits) === 1) ret = 1;
  }
  if (op !== 'find' && ret === 1) setBodyText(ctx, applyEdits(sdp.body, edits));
  return ret;
}

/**
 * stream_exists / stream_delete (handle_streams): the streams are visited
 * last to first; the first whose media (and transport, when given) match is
 * the one. Deleting it removes its lines up to the next stream, or to the end
 * of the body for a session's last stream; an emptied or deleted stream is
 * not found again.
 */
export function streamOp(ctx: ExecContext, mediaRe: string, transportRe: string | undefined, del: boolean): number {
  const sdp = sdpOf(ctx);
  if (!sdp) return -1;
  for (const session of sdp.sessions) {
    const streams = session.streams;
    for (let i = streams.length - 1; i >= 0; i--) {
      const st = streams[i]!;
      if (
        !posixRegex(mediaRe).test(st.media) ||
        (transportRe !== undefined && !posixRegex(transportRe).test(st.transport))
      )
        continue;
      if (!del) return 1;
      if (st.payloadList.start === st.payloadList.end) return -1;
      const end = i === streams.length - 1 ? sdp.body.length : st.end;
      setBodyText(ctx, sdp.body.slice(0, st.mLine.start) + sdp.body.slice(end));
      return 1;
    }
  }
  return -1;
}

/** is_audio_on_hold: the hold type of the first audio stream on hold (1 c=0.0.0.0, 2 sendonly/inactive), else -1. */
export function audioOnHold(ctx: ExecContext): number {
  const sdp = sdpOf(ctx);
  for (const session of sdp?.sessions ?? []) {
    for (const stream of session.streams) if (stream.media === 'audio' && stream.onHold) return stream.onHold;
  }
  return -1;
}

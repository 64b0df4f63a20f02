// Framing messages off a TCP/TLS byte stream (RFC 3261 §18.3): headers up to
// the empty line, then exactly Content-Length bytes, which is mandatory here.
// A message is at most `maxMessageBytes` (OpenSIPS 3.3 reads a TCP message
// into a TCP_BUF_SIZE buffer of 65,535 bytes): a Content-Length that cannot
// fit is refused as soon as the headers are in, before any body is buffered.
import { findHeadEnd } from './frame.js';
import { headerKey } from './header-names.js';

/** OpenSIPS 3.3's TCP_BUF_SIZE: the largest message read off a TCP connection. */
export const MAX_STREAM_MESSAGE = 65535;

export type StreamFrame =
  /** CR/LF bytes between messages (RFC 5626 keep-alive pings and pongs): skip them. */
  | { readonly kind: 'keepalive'; readonly length: number }
  | { readonly kind: 'message'; readonly length: number }
  /** More bytes needed; `total` is the whole message's length once its headers are in. */
  | { readonly kind: 'incomplete'; readonly total?: number }
  /** The stream cannot be resynchronised: close the connection. */
  | { readonly kind: 'error'; readonly error: string };

export function frameStreamMessage(buf: Buffer, maxHeaderBytes = 65536, maxMessageBytes = Infinity): StreamFrame {
  let lead = 0;
  while (lead < buf.length && (buf[lead] === 13 || buf[lead] === 10)) lead++;
  if (lead > 0) return { kind: 'keepalive', length: lead };
  if (buf.length === 0) return { kind: 'incomplete' };

  const ends = findHeadEnd(buf, 0);
  if (!ends) return buf.length > maxHeaderBytes ? { kind: 'error', error: 'headers too long' } : { kind: 'incomplete' };
  const { headEnd, bodyStart } = ends;
  if (headEnd > maxHeaderBytes) return { kind: 'error', error: 'headers too long' };

  const head = buf.toString('latin1', 0, headEnd);
  let length: number | undefined;
  let pos = head.indexOf('\n') + 1;
  while (pos < head.length) {
    const nl = head.indexOf('\n', pos);
    const colon = head.indexOf(':', pos);
    if (
      length === undefined &&
      colon > pos &&
      colon < nl &&
      headerKey(head.slice(pos, colon).trim()) === 'content-length'
    ) {
      const text = head.slice(colon + 1, nl).trim();
      if (!/^[0-9]{1,10}$/.test(text)) return { kind: 'error', error: 'bad Content-Length' };
      // As 3.3's TCP reader: the first Content-Length frames the message, later ones are skipped.
      length = Number(text);
    }
    pos = nl + 1;
  }
  if (length === undefined) return { kind: 'error', error: 'no Content-Length on a stream transport' };
  const total = bodyStart + length;
  if (total > maxMessageBytes)
    return {
      kind: 'error',
      error: `message too big: Content-Length ${length} makes ${total} bytes, more than ${maxMessageBytes}`,
    };
  return buf.length >= total ? { kind: 'message', length: total } : { kind: 'incomplete', total };
}

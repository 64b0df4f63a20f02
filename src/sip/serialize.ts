// Applies recorded edits to the received bytes. Runs of untouched header
// lines are copied as they arrived, line terminators included.
import type { MessageFrame } from './frame.js';
import type { RawHeader } from './message.js';

export interface Edits {
  ruri?: string;
  /** A reply's new status line. */
  status?: { code: number; reason: string };
  prepend: RawHeader[];
  append: RawHeader[];
  /** Indexes of received header fields to leave out. */
  removed: Set<number>;
  /** Index of a received header field -> its new value. */
  replaced: Map<number, string>;
  /** Index of a received header field -> fields to put right before / after it (an anchored insert_hf / append_hf). */
  at?: Map<number, { before: RawHeader[]; after: RawHeader[] }>;
  body?: Buffer;
  contentType?: string;
}

const CRLF = Buffer.from('\r\n');

function line(name: string, value: string): Buffer {
  return Buffer.from(`${name}: ${value}\r\n`, 'utf8');
}

export function serializeMessage(
  frame: MessageFrame,
  method: string,
  version: string,
  edits: Edits,
  stream: boolean,
): Buffer {
  const { buf, base, index } = frame;
  const out: Buffer[] = [];
  const body = edits.body ?? buf.subarray(frame.bodyStart, frame.bodyEnd);
  const bodyChanged = edits.body !== undefined;

  out.push(
    edits.ruri !== undefined
      ? Buffer.from(`${method} ${edits.ruri} ${version}\r\n`, 'utf8')
      : edits.status
        ? Buffer.from(`${version} ${edits.status.code} ${edits.status.reason}\r\n`, 'utf8')
        : buf.subarray(base, base + frame.startLineEnd),
  );
  for (const h of edits.prepend) out.push(line(h.name, h.value));

  let hasLength = false;
  let hasType = false;
  let runStart = -1;
  const flush = (upTo: number): void => {
    if (runStart >= 0) out.push(buf.subarray(base + index[runStart]!.lineStart, base + index[upTo - 1]!.lineEnd));
    runStart = -1;
  };
  for (let i = 0; i < index.length; i++) {
    const key = index[i]!.key;
    let value = edits.replaced.get(i);
    if (!edits.removed.has(i)) {
      if (key === 'content-length') {
        hasLength = true;
        if (bodyChanged) value = String(body.length);
      } else if (key === 'content-type' && edits.contentType !== undefined) {
        if (hasType) {
          flush(i);
          continue;
        }
        hasType = true;
        value = edits.contentType;
      }
    }
    const at = edits.at?.get(i);
    if (at) {
      flush(i);
      for (const h of at.before) out.push(line(h.name, h.value));
      if (!edits.removed.has(i))
        out.push(
          value !== undefined
            ? line(index[i]!.name, value)
            : buf.subarray(base + index[i]!.lineStart, base + index[i]!.lineEnd),
        );
      for (const h of at.after) out.push(line(h.name, h.value));
      continue;
    }
    if (edits.removed.has(i) || value !== undefined) {
      flush(i);
      if (!edits.removed.has(i)) out.push(line(index[i]!.name, value!));
      continue;
    }
    if (runStart < 0) runStart = i;
  }
  flush(index.length);

  for (const h of edits.append) out.push(line(h.name, h.value));
  if (edits.contentType !== undefined && !hasType) out.push(line('Content-Type', edits.contentType));
  if (!hasLength && stream) out.push(line('Content-Length', String(body.length)));

  const headEnd = base + frame.headEnd;
  out.push(frame.bodyStart > headEnd ? buf.subarray(headEnd, frame.bodyStart) : CRLF);
  out.push(body);
  return Buffer.concat(out);
}

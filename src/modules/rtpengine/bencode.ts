// Bencoding, the encoding of rtpengine's ng control protocol: strings as
// <byte length>:<bytes>, integers as i<n>e, lists l...e, dictionaries d...e.

/** Strings go out as UTF-8; a Buffer (an SDP body, raw bytes) goes out as it is. Decoded strings are UTF-8. */
export type BValue = string | number | Buffer | BValue[] | { [key: string]: BValue };

export function bencode(v: BValue): Buffer {
  const parts: Buffer[] = [];
  write(v, parts);
  return Buffer.concat(parts);
}

function write(v: BValue, out: Buffer[]): void {
  if (typeof v === 'number') out.push(Buffer.from(`i${Math.trunc(v)}e`));
  else if (typeof v === 'string' || Buffer.isBuffer(v)) {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    out.push(Buffer.from(`${b.length}:`), b);
  } else if (Array.isArray(v)) {
    out.push(Buffer.from('l'));
    for (const x of v) write(x, out);
    out.push(Buffer.from('e'));
  } else {
    out.push(Buffer.from('d'));
    for (const k of Object.keys(v)) {
      write(k, out);
      write(v[k]!, out);
    }
    out.push(Buffer.from('e'));
  }
}

/** The value at the start of `buf` (strings decoded as UTF-8); an Error text when it is not bencoded. */
export function bdecode(buf: Buffer): BValue | string {
  const pos = { p: 0 };
  try {
    return read(buf, pos);
  } catch (err) {
    return (err as Error).message;
  }
}

function read(buf: Buffer, pos: { p: number }): BValue {
  const c = buf[pos.p];
  if (c === undefined) throw new Error('truncated bencoded data');
  if (c === 0x69) {
    // i
    const end = buf.indexOf(0x65, pos.p);
    if (end < 0) throw new Error('unterminated integer');
    const n = Number(buf.toString('latin1', pos.p + 1, end));
    if (!Number.isFinite(n)) throw new Error('bad integer');
    pos.p = end + 1;
    return n;
  }
  if (c === 0x6c || c === 0x64) {
    // l, d
    pos.p++;
    const list: BValue[] = [];
    while (buf[pos.p] !== 0x65) {
      if (pos.p >= buf.length) throw new Error('unterminated list');
      list.push(read(buf, pos));
    }
    pos.p++;
    if (c === 0x6c) return list;
    const dict: Record<string, BValue> = {};
    for (let i = 0; i + 1 < list.length; i += 2) dict[String(list[i])] = list[i + 1]!;
    return dict;
  }
  if (c >= 0x30 && c <= 0x39) {
    const colon = buf.indexOf(0x3a, pos.p);
    if (colon < 0) throw new Error('bad string length');
    const len = Number(buf.toString('latin1', pos.p, colon));
    if (colon + 1 + len > buf.length) throw new Error('truncated string');
    pos.p = colon + 1 + len;
    return buf.toString('utf8', colon + 1, colon + 1 + len);
  }
  throw new Error(`unexpected byte 0x${c.toString(16)}`);
}

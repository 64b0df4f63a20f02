// OpenSIPS's word64 (base64 with `+` `.` and `-` padding, ut.c) and base32
// encodings, and the XOR with a password topology_hiding puts under them.

const WORD64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function word64encode(data: Buffer): string {
  return data.toString('base64').replaceAll('/', '.').replaceAll('=', '-');
}

/** undefined when `text` holds a character outside the alphabet. */
export function word64decode(text: string): Buffer | undefined {
  const t = text.replace(/-+$/, '');
  for (const c of t) if (!WORD64.includes(c)) return undefined;
  return Buffer.from(t.replaceAll('.', '/'), 'base64');
}

/** RFC 4648 base32 with `=` padding, as word32encode. */
export function base32encode(data: Buffer): string {
  let out = '';
  for (let i = 0; i < data.length; i += 5) {
    const chunk = data.subarray(i, i + 5);
    let bits = 0n;
    for (let j = 0; j < 5; j++) bits = (bits << 8n) | BigInt(chunk[j] ?? 0);
    const chars = Math.ceil((chunk.length * 8) / 5);
    for (let j = 0; j < 8; j++) out += j < chars ? BASE32[Number((bits >> BigInt(35 - j * 5)) & 31n)]! : '=';
  }
  return out;
}

export function base32decode(text: string): Buffer | undefined {
  const t = text.replace(/=+$/, '');
  const bytes: number[] = [];
  let acc = 0;
  let n = 0;
  for (const c of t) {
    const v = BASE32.indexOf(c);
    if (v < 0) return undefined;
    acc = (acc << 5) | v;
    n += 5;
    if (n >= 8) {
      n -= 8;
      bytes.push((acc >> n) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

export function xor(data: Buffer, password: string): Buffer {
  const key = Buffer.from(password, 'latin1');
  if (!key.length) return Buffer.from(data);
  const out = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ key[i % key.length]!;
  return out;
}

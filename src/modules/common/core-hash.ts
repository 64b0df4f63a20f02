// OpenSIPS's core_hash (hash_func.h), which dispatcher (ds_get_hash) and
// uac_auth (its cnonce) use: 32-bit words of the bytes, read as signed chars
// as gcc does on x86, each added as v ^ (v >> 3), a short tail likewise, then
// mixed. With two keys (user and host[:port]) the words of both are summed
// before mixing: it is not the hash of their concatenation.

function signedByte(b: number): number {
  return b > 127 ? b - 256 : b;
}

export function coreHash(...keys: string[]): number {
  let h = 0;
  for (const key of keys) {
    const bytes = Buffer.from(key, 'utf8');
    const whole = bytes.length - (bytes.length % 4);
    for (let p = 0; p < whole; p += 4) {
      const v =
        ((signedByte(bytes[p]!) << 24) +
          (signedByte(bytes[p + 1]!) << 16) +
          (signedByte(bytes[p + 2]!) << 8) +
          signedByte(bytes[p + 3]!)) >>>
        0;
      h = (h + ((v ^ (v >>> 3)) >>> 0)) >>> 0;
    }
    let v = 0;
    for (let p = whole; p < bytes.length; p++) v = ((v << 8) + signedByte(bytes[p]!)) >>> 0;
    h = (h + ((v ^ (v >>> 3)) >>> 0)) >>> 0;
  }
  return (((h + (h >>> 11)) >>> 0) + (((h >>> 13) + (h >>> 23)) >>> 0)) >>> 0;
}

/** dispatcher's hash: core_hash, never 0. */
export function dsHash(...keys: string[]): number {
  return coreHash(...keys) || 1;
}

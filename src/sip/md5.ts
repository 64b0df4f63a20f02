// MD5 (RFC 1321) of short ASCII strings, as lowercase hex. The To tag of
// every local reply needs one (local-tags.ts); node:crypto's one-shot hash
// spends most of its ~0.25 µs getting into and out of native code, and wants
// the parts joined first. Text with characters above 0x7f goes to node:crypto.
import { hash } from 'node:crypto';

// The current block as bytes and, over the same memory, as the little-endian
// words MD5 reads (an Int32Array is in the machine's order: big-endian
// machines take node:crypto's path).
const BYTES = new Uint8Array(64);
const W = new Int32Array(BYTES.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const state = new Int32Array(4);
/** Char codes of the hex digits: the digest is built as one flat string. */
const DIGIT = Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));

/** MD5 of the concatenation of `parts` (MD5Update on each in turn), as lowercase hex. */
export function md5Hex(...parts: string[]): string {
  if (!LITTLE_ENDIAN) return viaCrypto(parts);
  state[0] = 0x67452301; state[1] = 0xefcdab89 | 0; state[2] = 0x98badcfe | 0; state[3] = 0x10325476;
  let pos = 0;
  let n = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const ch = part.charCodeAt(i);
      if (ch > 0x7f) return viaCrypto(parts);
      BYTES[pos++] = ch;
      if (pos === 64) { compress(); pos = 0; }
    }
    n += part.length;
  }
  // Padding: 0x80, zeros, and the length in bits in the last 8 bytes of a block.
  BYTES[pos++] = 0x80;
  if (pos > 56) { BYTES.fill(0, pos); compress(); pos = 0; }
  BYTES.fill(0, pos, 56);
  W[14] = (n << 3) | 0;
  W[15] = Math.floor(n / 0x20000000);
  compress();
  return digestHex();
}

/** node:crypto hashes the UTF-8 of the text, which is what the bytes were. */
function viaCrypto(parts: string[]): string {
  return hash('md5', parts.join(''), 'hex');
}

/** The 64 steps, unrolled: round functions, message word, rotation and floor(abs(sin(i + 1)) * 2^32). */
function compress(): void {
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, t = 0;
  const w0 = W[0]!, w1 = W[1]!, w2 = W[2]!, w3 = W[3]!, w4 = W[4]!, w5 = W[5]!, w6 = W[6]!, w7 = W[7]!;
  const w8 = W[8]!, w9 = W[9]!, w10 = W[10]!, w11 = W[11]!, w12 = W[12]!, w13 = W[13]!, w14 = W[14]!, w15 = W[15]!;
  t = (a + ((b & c) | (~b & d)) + w0 + -680876936) | 0; a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + w1 + -389564586) | 0; d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + w2 + 606105819) | 0; c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + w3 + -1044525330) | 0; b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + w4 + -176418897) | 0; a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + w5 + 1200080426) | 0; d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + w6 + -1473231341) | 0; c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + w7 + -45705983) | 0; b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + w8 + 1770035416) | 0; a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + w9 + -1958414417) | 0; d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + w10 + -42063) | 0; c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + w11 + -1990404162) | 0; b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + w12 + 1804603682) | 0; a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + w13 + -40341101) | 0; d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + w14 + -1502002290) | 0; c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + w15 + 1236535329) | 0; b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + w1 + -165796510) | 0; a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + w6 + -1069501632) | 0; d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + w11 + 643717713) | 0; c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + w0 + -373897302) | 0; b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + w5 + -701558691) | 0; a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + w10 + 38016083) | 0; d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + w15 + -660478335) | 0; c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + w4 + -405537848) | 0; b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + w9 + 568446438) | 0; a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + w14 + -1019803690) | 0; d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + w3 + -187363961) | 0; c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + w8 + 1163531501) | 0; b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + w13 + -1444681467) | 0; a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + w2 + -51403784) | 0; d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + w7 + 1735328473) | 0; c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + w12 + -1926607734) | 0; b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + (b ^ c ^ d) + w5 + -378558) | 0; a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + w8 + -2022574463) | 0; d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + w11 + 1839030562) | 0; c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + w14 + -35309556) | 0; b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + w1 + -1530992060) | 0; a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + w4 + 1272893353) | 0; d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + w7 + -155497632) | 0; c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + w10 + -1094730640) | 0; b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + w13 + 681279174) | 0; a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + w0 + -358537222) | 0; d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + w3 + -722521979) | 0; c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + w6 + 76029189) | 0; b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + w9 + -640364487) | 0; a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + w12 + -421815835) | 0; d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + w15 + 530742520) | 0; c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + w2 + -995338651) | 0; b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + w0 + -198630844) | 0; a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + w7 + 1126891415) | 0; d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + w14 + -1416354905) | 0; c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + w5 + -57434055) | 0; b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + w12 + 1700485571) | 0; a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + w3 + -1894986606) | 0; d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + w10 + -1051523) | 0; c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + w1 + -2054922799) | 0; b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + w8 + 1873313359) | 0; a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + w15 + -30611744) | 0; d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + w6 + -1560198380) | 0; c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + w13 + 1309151649) | 0; b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + w4 + -145523070) | 0; a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + w11 + -1120210379) | 0; d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + w2 + 718787259) | 0; c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + w9 + -343485551) | 0; b = (((t << 21) | (t >>> 11)) + c) | 0;
  state[0] = (state[0]! + a) | 0; state[1] = (state[1]! + b) | 0; state[2] = (state[2]! + c) | 0; state[3] = (state[3]! + d) | 0;
}

function digestHex(): string {
  const s0 = state[0]!, s1 = state[1]!, s2 = state[2]!, s3 = state[3]!;
  return String.fromCharCode(
    DIGIT[(s0 >>> 4) & 15]!, DIGIT[(s0 >>> 0) & 15]!, DIGIT[(s0 >>> 12) & 15]!, DIGIT[(s0 >>> 8) & 15]!, DIGIT[(s0 >>> 20) & 15]!, DIGIT[(s0 >>> 16) & 15]!, DIGIT[(s0 >>> 28) & 15]!, DIGIT[(s0 >>> 24) & 15]!,
    DIGIT[(s1 >>> 4) & 15]!, DIGIT[(s1 >>> 0) & 15]!, DIGIT[(s1 >>> 12) & 15]!, DIGIT[(s1 >>> 8) & 15]!, DIGIT[(s1 >>> 20) & 15]!, DIGIT[(s1 >>> 16) & 15]!, DIGIT[(s1 >>> 28) & 15]!, DIGIT[(s1 >>> 24) & 15]!,
    DIGIT[(s2 >>> 4) & 15]!, DIGIT[(s2 >>> 0) & 15]!, DIGIT[(s2 >>> 12) & 15]!, DIGIT[(s2 >>> 8) & 15]!, DIGIT[(s2 >>> 20) & 15]!, DIGIT[(s2 >>> 16) & 15]!, DIGIT[(s2 >>> 28) & 15]!, DIGIT[(s2 >>> 24) & 15]!,
    DIGIT[(s3 >>> 4) & 15]!, DIGIT[(s3 >>> 0) & 15]!, DIGIT[(s3 >>> 12) & 15]!, DIGIT[(s3 >>> 8) & 15]!, DIGIT[(s3 >>> 20) & 15]!, DIGIT[(s3 >>> 16) & 15]!, DIGIT[(s3 >>> 28) & 15]!, DIGIT[(s3 >>> 24) & 15]!,
  );
}

// To-tags of locally generated replies, made as OpenSIPS makes them (tags.h):
// a fixed part, CRC-CCITT of a signature and the first listening socket
// (4 hex digits, least significant nibble first), a separator, then the MD5
// (32 hex digits) of the top Via's host, port and branch. A retransmitted
// request therefore gets the same tag, and an ACK for a stateless reply can
// be recognised by its To tag (sl's ACK filter).
import { md5Hex } from './md5.js';
import type { SipMessage } from './message.js';

/** sl's and tm's signatures and separators (sl_funcs.c/.h, tm/t_reply.c, tm/config.h). */
export const SL_TAG_KIND = { signature: 'OpenSIPS-stateless', separator: '.' } as const;
export const TM_TAG_KIND = { signature: 'OpenSIPS-TM/tags', separator: '-' } as const;

/** CRC-CCITT, reflected polynomial 0x8408: the table OpenSIPS's crc.c lists, computed. */
const CCITT = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** crcitt_string_array: initial 0xFFFF, complemented, printed low nibble first and padded with '0' to 4 digits. */
export function crcittHex(parts: readonly string[]): string {
  let crc = 0xffff;
  for (const p of parts) {
    const bytes = Buffer.from(p, 'utf8');
    for (let i = 0; i < bytes.length; i++) crc = CCITT[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  crc = ~crc & 0xffff;
  let out = '';
  if (crc === 0) out = '0';
  while (crc !== 0 && out.length < 4) {
    out += (crc & 0xf).toString(16);
    crc >>>= 4;
  }
  return out.padEnd(4, '0');
}

export class LocalTags {
  /** The fixed part, separator included. */
  readonly prefix: string;

  constructor(kind: { signature: string; separator: string }, firstSocket: { ip: string; port: number } | undefined) {
    this.prefix =
      crcittHex([kind.signature, firstSocket?.ip ?? '', firstSocket ? String(firstSocket.port) : '']) + kind.separator;
  }

  /** The tag for a reply to `req`; undefined when it has no usable top Via (OpenSIPS leaves the suffix as it was). */
  tagFor(req: SipMessage): string | undefined {
    const suffix = tagSuffix(req);
    return suffix === undefined ? undefined : this.prefix + suffix;
  }

  /** Whether `tag` is the one this generator gives `req` (an ACK carries its INVITE's top Via). */
  isOwn(tag: string, req: SipMessage): boolean {
    return tag.length === this.prefix.length + 32 && tag.startsWith(this.prefix) && tag === this.tagFor(req);
  }
}

/** calc_tag_suffix: MD5 over the top Via's host, port as written and branch, each trimmed. */
function tagSuffix(req: SipMessage): string | undefined {
  const via = req.topVia;
  if (!via) return undefined;
  return md5Hex(via.host.trim(), viaPortText(via).trim(), (via.branch ?? '').trim());
}

/** The port as the Via writes it ("05060" stays so); '' when there is none. */
function viaPortText(via: {
  raw: string;
  port: number | undefined;
  offsets: { start: number; hostPortEnd: number };
}): string {
  if (via.port === undefined) return '';
  const end = via.offsets.hostPortEnd - via.offsets.start;
  const colon = via.raw.lastIndexOf(':', end - 1);
  return colon < 0 ? String(via.port) : via.raw.slice(colon + 1, end);
}

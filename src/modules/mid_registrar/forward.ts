// What mid_registrar remembers of a forwarded REGISTER (§1.1), and the
// rewrite of the outgoing request when t_relay() sends it (§3): modes 0/1
// turn every Contact into `<sip:USER@ADV:PORT;ctid=ID>;expires=X`, mode 2
// collapses them into one `<sip:ESC_AOR@ADV:PORT>`.
import type { Contact } from '../../sip/name-addr.js';
import type { SipMessage } from '../../sip/message.js';
import type { ExecContext } from '../../script/context.js';
import type { SocketInfo } from '../../net/types.js';
import { splitUri } from '../../script/uri-fields.js';
import type { SaveFlags } from '../common/reg/flags.js';
import type { MidSettings } from './settings.js';

export interface Mapping {
  contact: Contact;
  /** Clamped requested expiry (`e`). */
  e: number;
  /** Unclamped (`e_raw`): what mirror mode sends upstream. */
  eRaw: number;
  ctid: string;
}

export interface Forward {
  aor: string;
  star: boolean;
  /** mid_registrar_save's flags: `cN`/`f` and `o` apply when the 2xx comes, `m` to what it stores. */
  flags: SaveFlags;
  mappings: Mapping[];
  cflags: number;
  socketIn: SocketInfo;
  src: { proto: string; ip: string; port: number };
  ua: string | undefined;
  /** OUT for this REGISTER (4th argument of mid_registrar_save, else outgoing_expires). */
  out: number;
  from: string;
  to: string;
  /** Filled by t_relay(): the R-URI and next hop it used, the message flags then set. */
  ruri: string;
  hop: string;
  msgFlags: number;
  /** Mode 2: the single contact URI sent upstream (the fixed reply matching looks for it). */
  sentUri?: string;
}

export function advertised(from: SocketInfo): string {
  // The address the socket really has (after --map), as in our Via: the main registrar must reach it.
  const host = from.advertisedIp ?? from.ip;
  const port = from.advertisedPort ?? from.port;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** §3 step 5: the value of extra_contact_params_avp, appended verbatim to the URI. */
function extraParams(ctx: ExecContext, s: MidSettings): string {
  const stack = s.extraParamsAvp ? ctx.avps.get(s.extraParamsAvp) : undefined;
  return stack?.length ? String(stack[stack.length - 1]) : '';
}

const USER_CHARS = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;

/** The AoR as a URI user: every other character escaped; with use_domain the first `@` becomes at_escape_str. */
export function escapeAor(aor: string, useDomain: boolean, atEscape: string): string {
  let out = '';
  let atDone = !useDomain;
  for (const ch of aor) {
    if (ch === '@' && !atDone) {
      out += atEscape;
      atDone = true;
      continue;
    }
    if (USER_CHARS.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function rewriteRequest(
  ctx: ExecContext,
  msg: SipMessage,
  from: SocketInfo,
  fwd: Forward,
  s: MidSettings,
  useDomain: boolean,
): void {
  if (fwd.star) return;
  const allZero = fwd.mappings.every((m) => m.eRaw === 0);
  const hadExpires = (msg.header('expires') ?? '').trim() !== '';
  // §3 step 2: in modes 1 and 2 every non-zero expiry becomes OUT.
  if (s.mode !== 0 && msg.hasHeader('expires')) msg.replaceHeader('expires', String(allZero ? 0 : fwd.out));
  msg.removeHeader('path');
  const extra = extraParams(ctx, s);
  if (s.mode === 2) {
    fwd.sentUri = `sip:${escapeAor(fwd.aor, useDomain, s.atEscape)}@${advertised(from)}${extra}`;
    setContacts(msg, `<${fwd.sentUri}>${hadExpires ? '' : `;expires=${allZero ? 0 : fwd.out}`}`);
    return;
  }
  const values = fwd.mappings.map((m) => {
    const user = splitUri(m.contact.uri)?.user ?? '';
    const uri = s.ctidInUser
      ? `sip:${m.ctid}@${advertised(from)}${extra}`
      : `sip:${user}@${advertised(from)};${s.ctidParam}=${m.ctid}${extra}`;
    return `<${uri}>;expires=${s.mode === 1 ? (m.eRaw === 0 ? 0 : fwd.out) : m.eRaw}`;
  });
  setContacts(msg, values.join(', '));
}

/** The Contact header(s) of `msg` replaced, in place of the first one, by one header with `value` (none when empty). */
export function setContacts(msg: SipMessage, value: string): void {
  const n = msg.fields('contact').length;
  for (let i = n - 1; i >= 1; i--) msg.removeHeaderAt('contact', i);
  if (!n) {
    if (value) msg.addHeader('Contact', value);
    return;
  }
  if (value) msg.replaceHeader('contact', value, 0);
  else msg.removeHeaderAt('contact', 0);
}

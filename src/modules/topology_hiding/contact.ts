// The Contact topology_hiding puts in place of the real one: our address
// (the socket the message leaves from), plus what finds the call again:
// with a dialog its did (`;did=` or, with D, `.did.<did>` in the user
// part); without one, the route set, contact and socket of the sender,
// encoded in a URI parameter (th_contact_encode_param, `thinfo`).
import type { SocketInfo } from '../../net/types.js';
import type { Runtime } from '../../script/runtime.js';
import type { SipMessage } from '../../sip/message.js';
import type { Contact } from '../../sip/name-addr.js';
import { isSipError } from '../../sip/result.js';
import { base32decode, base32encode, word64decode, word64encode, xor } from './codec.js';

export const TOPOH_KEEP_USER = 1 << 1;
export const TOPOH_HIDE_CALLID = 1 << 2;
export const TOPOH_DID_IN_USER = 1 << 3;
export const TOPOH_KEEP_ADV_A = 1 << 4;
export const TOPOH_KEEP_ADV_B = 1 << 5;

/** topology_hiding()'s flag letters. */
export function parseThFlags(text: string | undefined): number {
  let f = 0;
  for (const c of text ?? '') {
    if (c === 'U') f |= TOPOH_KEEP_USER;
    else if (c === 'C') f |= TOPOH_HIDE_CALLID;
    else if (c === 'D') f |= TOPOH_DID_IN_USER;
    else if (c === 'a') f |= TOPOH_KEEP_ADV_A;
    else if (c === 'A') f |= TOPOH_KEEP_ADV_B;
  }
  return f;
}

/** SUBST_SND_ALL: the sending socket's advertised address, `;transport=` unless UDP. */
export function sendAddress(s: SocketInfo): string {
  const host = s.advertisedIp ?? s.ip;
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${h}:${s.advertisedPort ?? s.port}${s.proto === 'udp' ? '' : `;transport=${s.proto}`}`;
}

/** The message's only Contact (none, or several: undefined, as OpenSIPS then copies nothing from it). */
export function singleContact(msg: SipMessage | undefined): Contact | undefined {
  const c = msg?.contacts();
  if (!c || isSipError(c) || c.star || c.contacts.length !== 1) return undefined;
  return c.contacts[0];
}

/** th_passed_contact_uri_params / th_passed_contact_params: names, in the order OpenSIPS walks them (its list is built backwards). */
function passedNames(rt: Runtime, param: string): string[] {
  const v = rt.param('topology_hiding', param);
  return typeof v === 'string' && v ? v.split(';').filter(Boolean).reverse() : [];
}

function passed(rt: Runtime, contact: Contact | undefined): { uri: string; hdr: string } {
  if (!contact) return { uri: '', hdr: '' };
  let uri = '';
  const u = contact.parsedUri;
  if (!isSipError(u)) {
    const params = u.paramsText ? u.paramsText.split(';') : [];
    for (const name of passedNames(rt, 'th_passed_contact_uri_params'))
      for (const p of params) if (p.split('=')[0]!.toLowerCase() === name.toLowerCase()) uri += `;${p}`;
  }
  let hdr = '';
  for (const name of passedNames(rt, 'th_passed_contact_params')) {
    const v = contact.params[name.toLowerCase()];
    if (v !== undefined) hdr += v === '' ? `;${name}` : `;${name}=${v}`;
  }
  return { uri, hdr };
}

function userOf(contact: Contact | undefined): string {
  const u = contact?.parsedUri;
  return u && !isSipError(u) ? u.user : '';
}

/** topo_dlg_replace_contact: the Contact of a message in a topology hiding dialog. */
export function dialogContact(
  rt: Runtime,
  did: string,
  flags: number,
  from: SocketInfo,
  original: Contact | undefined,
): string {
  const rrParam = String(rt.param('dialog', 'rr_param') ?? 'did') || 'did';
  let user = flags & TOPOH_KEEP_USER ? userOf(original) : '';
  if (flags & TOPOH_DID_IN_USER) user = `${user || 'X'}.${rrParam}.${did}`;
  const p = passed(rt, original);
  const didParam = flags & TOPOH_DID_IN_USER ? '' : `;${rrParam}=${did}`;
  return `<sip:${user ? `${user}@` : ''}${sendAddress(from)}${didParam}${p.uri}>${p.hdr}`;
}

function scheme(rt: Runtime): 'base64' | 'base32' {
  return rt.param('topology_hiding', 'th_contact_encode_scheme') === 'base32' ? 'base32' : 'base64';
}

function encodePassword(rt: Runtime): string {
  return String(rt.param('topology_hiding', 'th_contact_encode_passwd') ?? 'ToPoCtPaSS');
}

export function encodeParamName(rt: Runtime): string {
  return String(rt.param('topology_hiding', 'th_contact_encode_param') ?? 'thinfo');
}

/** What a Contact without a dialog carries: the sender's route set, contact and the socket it reached us on. */
export interface ThInfo {
  routeSet: string;
  contact: string;
  socket: string;
}

function field(s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  const len = Buffer.alloc(2);
  len.writeInt16LE(b.length);
  return Buffer.concat([len, b]);
}

export function encodeThInfo(rt: Runtime, info: ThInfo): string {
  const plain = xor(Buffer.concat([field(info.routeSet), field(info.contact), field(info.socket)]), encodePassword(rt));
  return scheme(rt) === 'base64' ? word64encode(plain) : base32encode(plain);
}

export function decodeThInfo(rt: Runtime, text: string): ThInfo | undefined {
  const raw = scheme(rt) === 'base64' ? word64decode(text) : base32decode(text);
  if (!raw) return undefined;
  const plain = xor(raw, encodePassword(rt));
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < 3; i++) {
    if (at + 2 > plain.length) return undefined;
    const len = plain.readInt16LE(at);
    if (len < 0 || at + 2 + len > plain.length) return undefined;
    out.push(plain.subarray(at + 2, at + 2 + len).toString('latin1'));
    at += 2 + len;
  }
  return { routeSet: out[0]!, contact: out[1]!, socket: out[2]! };
}

/** topo_no_dlg_encode_contact. */
export function thinfoContact(
  rt: Runtime,
  flags: number,
  from: SocketInfo,
  original: Contact | undefined,
  info: ThInfo,
): string {
  const user = flags & TOPOH_KEEP_USER ? userOf(original) : '';
  const p = passed(rt, original);
  return `<sip:${user ? `${user}@` : ''}${sendAddress(from)};${encodeParamName(rt)}=${encodeThInfo(rt, info)}${p.uri}>${p.hdr}`;
}

/** A route set as OpenSIPS prints it (print_rr_body): `<uri>, <uri>`; reversed for a reply. */
export function printRouteSet(msg: SipMessage, reversed: boolean): string {
  const rr = msg.recordRoutes();
  if (isSipError(rr)) return '';
  const list = rr.map((r) => `<${r.uri}>`);
  return (reversed ? list.reverse() : list).join(', ');
}

/** `<a>, <b>` back into URIs. */
export function parseRouteSet(text: string): string[] {
  return [...text.matchAll(/<([^>]*)>/g)].map((m) => m[1]!);
}

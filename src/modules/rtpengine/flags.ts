// The flags string of the rtpengine functions turned into ng dictionary
// entries, as 3.3's parse_flags does: space-separated tokens, `key=value` or
// bare words; a few have their own meaning (transport, replace-*, rtcp-mux-*,
// interfaces, tags, via-branch...), other bare words go into the `flags`
// list and other key=value pairs become string entries. Keys are
// case-sensitive; an empty key ends the parsing.
import type { BValue } from './bencode.js';

export interface ParsedFlags {
  /** Entries in token order (repacketize, delete-delay, address family, generic key=value). */
  entries: [string, BValue][];
  flags: string[];
  replace: string[];
  rtcpMux: string[];
  direction: string[];
  transport: string | undefined;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  /** `to-tag` given (bare or with a value): the to-tag goes into a delete too. */
  forceToTag: boolean;
  directional: boolean;
  forceAnswer: boolean;
  viaBranch?: '1' | '2' | 'extra' | 'auto';
  viaBranchParam?: string;
  receivedFrom?: string;
}

const PROFILES = ['RTP/AVP', 'RTP/SAVP', 'RTP/AVPF', 'RTP/SAVPF', 'UDP/TLS/RTP/SAVP', 'UDP/TLS/RTP/SAVPF'];
const REPLACE: Record<string, string> = {
  'replace-origin': 'origin',
  'replace-session-connection': 'session-connection',
  'replace-username': 'username',
  'replace-SDP-version': 'SDP version',
  'replace-zero-address': 'zero address',
  'replace-session-name': 'session name',
};

/** Commands whose dictionary has the flags list (a bare unknown word fails the others). */
const WITH_FLAGS_LIST = new Set([
  'offer',
  'answer',
  'block media',
  'unblock media',
  'block DTMF',
  'unblock DTMF',
  'start forwarding',
  'stop forwarding',
]);
const OFFER_ANSWER = new Set(['offer', 'answer']);

/** The parsed flags, or an error text (the function then returns -1). */
export function parseRtpeFlags(text: string, command: string): ParsedFlags | string {
  const f: ParsedFlags = {
    entries: [],
    flags: [],
    replace: [],
    rtcpMux: [],
    direction: [],
    transport: undefined,
    forceToTag: false,
    directional: false,
    forceAnswer: false,
  };
  let bits = 0;
  let transportSeen = false;
  let inIface: string | undefined;
  let outIface: string | undefined;
  let legacyIfaces = 0;
  for (const token of text.split(' ')) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    const key = eq >= 0 ? token.slice(0, eq) : token;
    const value = eq >= 0 ? token.slice(eq + 1) : undefined;
    if (key === '') break;
    const need = (): string | undefined => (value === undefined || value === '' ? undefined : value);
    if (key === 'RTP') {
      transportSeen = true;
      bits &= ~1;
    } else if (key === 'AVP') {
      transportSeen = true;
      bits &= ~2;
    } else if (key === 'SRTP') {
      transportSeen = true;
      bits |= 1;
    } else if (key === 'AVPF') {
      transportSeen = true;
      bits |= 2;
    } else if (PROFILES.includes(key) && value === undefined) {
      transportSeen = true;
      bits = PROFILES.indexOf(key);
    } else if (key === 'to-tag') {
      f.forceToTag = true;
      if (value) f.toTag = value;
    } else if (key === 'call-id' || (key === 'callid' && value !== undefined)) {
      if (!need()) return `missing value for ${key}`;
      f.callId = value;
    } else if (key === 'from-tag') {
      if (!need()) return 'missing value for from-tag';
      f.fromTag = value;
      f.directional = true;
    } else if (key === 'directional') f.directional = true;
    else if ((key === 'internal' || key === 'external') && value === undefined) {
      if (legacyIfaces++ === 0) inIface = key;
      else outIface = key;
    } else if (key === 'in-iface') inIface = value ?? '';
    else if (key === 'out-iface') outIface = value ?? '';
    else if (key === 'via-branch') {
      if (!value) return 'missing value for via-branch';
      if (value.startsWith('1') || value.startsWith('2')) f.viaBranch = value[0] as '1' | '2';
      else if (value === 'auto' || value === 'extra') f.viaBranch = value;
      else return `bad via-branch value '${value}'`;
    } else if (key === 'via-branch-param') f.viaBranchParam = value ?? '';
    else if (key === 'repacketize') {
      const n = Number.parseInt(value ?? '', 10);
      if (!n) return 'bad repacketize value';
      f.entries.push(['repacketize', n]);
    } else if (key === 'delete-delay') {
      if (value === undefined || value === '') return 'missing value for delete-delay';
      f.entries.push(['delete-delay', Number.parseInt(value, 10) || 0]);
    } else if (key === 'force-answer') {
      if (command !== 'offer') return 'force-answer is only valid with an offer';
      f.forceAnswer = true;
    } else if (key === 'media-address') {
      if (!need()) return 'missing value for media-address';
      f.entries.push(['media-address', value!]);
    } else if (key === 'received-from') {
      if (value !== undefined) f.receivedFrom = value;
    } else if (key === 'address-family') {
      if (value !== 'IP4' && value !== 'IP6') return `bad address-family '${value ?? ''}'`;
      f.entries.push(['address family', value]);
    } else if (key in REPLACE && value === undefined) {
      if (OFFER_ANSWER.has(command)) f.replace.push(REPLACE[key]!);
    } else if (
      key.startsWith('rtcp-mux-') &&
      ['demux', 'offer', 'reject', 'accept', 'require'].includes(key.slice(9)) &&
      value === undefined
    ) {
      if (OFFER_ANSWER.has(command)) f.rtcpMux.push(key.slice(9));
    } else if (value === undefined) {
      if (!WITH_FLAGS_LIST.has(command)) return `flag '${key}' is not allowed with ${command}`;
      f.flags.push(key);
    } else f.entries.push([key, value]);
  }
  if ((inIface === undefined) !== (outIface === undefined))
    return inIface === undefined ? 'out-iface value without in-iface' : 'in-iface value without out-iface';
  if (inIface !== undefined && OFFER_ANSWER.has(command)) f.direction = [inIface, outIface!];
  if (transportSeen) f.transport = PROFILES[bits & 7];
  return f;
}

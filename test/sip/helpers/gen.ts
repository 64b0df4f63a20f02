// Generators of SIP URIs and header values for the differential tests:
// mostly valid forms with the odd characters the grammar allows, plus
// mutations that break them in small ways.
import type { Rng } from './prng.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MARK = "-_.!~*'()";
const ESCAPES = ['%41', '%20', '%00', '%3B', '%40', '%2c', '%7E', '%C3%A9'];

function chars(r: Rng, pool: string, min: number, max: number, escapes = false): string {
  let out = '';
  const n = r.int(min, max);
  for (let i = 0; i < n; i++) out += escapes && r.chance(0.05) ? r.pick(ESCAPES) : pool[r.int(0, pool.length - 1)];
  return out;
}

function alnumHeavy(r: Rng, extra: string, min: number, max: number, escapes = false): string {
  return chars(r, ALNUM.repeat(4) + extra, min, max, escapes);
}

function label(r: Rng, first: string): string {
  return first[r.int(0, first.length - 1)]! + chars(r, ALNUM + '--_', 0, 8);
}

export function genHostname(r: Rng): string {
  const n = r.int(1, 4);
  const labels: string[] = [];
  for (let i = 0; i < n - 1; i++) labels.push(label(r, ALNUM));
  labels.push(label(r, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'));
  return labels.join('.');
}

export function genIPv4(r: Rng): string {
  return [0, 0, 0, 0].map(() => String(r.int(0, 255))).join('.');
}

export function genIPv6(r: Rng): string {
  const g = (): string => r.int(0, 0xffff).toString(16);
  return r.pick([
    () => '[::1]',
    () => `[2001:db8::${g()}]`,
    () => `[${Array.from({ length: 8 }, g).join(':')}]`,
    () => `[::ffff:${genIPv4(r)}]`,
    () => `[fe80::${g()}:${g()}]`.toUpperCase(),
  ])();
}

export function genHost(r: Rng): string {
  const k = r.next();
  return k < 0.55 ? genHostname(r) : k < 0.85 ? genIPv4(r) : genIPv6(r);
}

function genUriParam(r: Rng): string {
  return r.pick([
    () => 'transport=' + r.pick(['udp', 'tcp', 'tls', 'sctp', 'ws', 'wss', 'UDP', 'TCP', 'Tls']),
    () => 'user=' + r.pick(['phone', 'ip', 'dialstring']),
    () => 'method=' + r.pick(['INVITE', 'REGISTER', 'MESSAGE', 'FOO']),
    () =>
      r.pick([
        'lr',
        'lr=on',
        'LR',
        'ob',
        'gr',
        'maddr=' + genHostname(r),
        'maddr=' + genIPv4(r),
        'ttl=' + r.int(0, 255),
      ]),
    () => alnumHeavy(r, MARK + '[]/:&+$', 1, 10, true),
    () => alnumHeavy(r, MARK, 1, 10) + '=' + alnumHeavy(r, MARK + '[]/:&+$', 1, 16, true),
    () => 'rinstance=' + chars(r, '0123456789abcdef', 16, 16),
    () => 'pn-prid=' + chars(r, '0123456789ABCDEF', 8, 40) + ':remote&' + chars(r, '0123456789ABCDEF', 8, 20),
  ])();
}

export function genSipUri(r: Rng): string {
  let s = r.pick(['sip', 'sip', 'sip', 'sips', 'SIP', 'Sip']) + ':';
  if (r.chance(0.85)) {
    s += r.chance(0.1) ? '+' + chars(r, '0123456789', 4, 12) : alnumHeavy(r, MARK + '&=+$,;?/', 1, 14, true);
    if (r.chance(0.08)) s += ':' + alnumHeavy(r, MARK + '&=+$,', 0, 8, true);
    s += '@';
  }
  s += genHost(r);
  if (r.chance(0.4)) s += ':' + r.int(0, 65535);
  const params = r.int(0, r.chance(0.3) ? 5 : 2);
  for (let i = 0; i < params; i++) s += ';' + genUriParam(r);
  if (r.chance(0.12)) {
    const pairs = r.int(1, 2);
    const hs: string[] = [];
    for (let i = 0; i < pairs; i++)
      hs.push(alnumHeavy(r, '-', 1, 8) + '=' + alnumHeavy(r, MARK + '[]/?:+$', 0, 10, true));
    s += '?' + hs.join('&');
  }
  return s;
}

const NASTY = [
  ' ',
  '<',
  '>',
  '"',
  ';',
  '?',
  '@',
  ':',
  '%',
  '[',
  ']',
  ',',
  '=',
  '&',
  '\t',
  'é',
  '\\',
  '/',
  '#',
  '%zz',
  ';;',
  '@@',
  ':99999',
];

/** One small breakage: insert, delete, duplicate or cut. */
export function mutate(r: Rng, s: string): string {
  const at = r.int(0, s.length);
  switch (r.int(0, 3)) {
    case 0:
      return s.slice(0, at) + r.pick(NASTY) + s.slice(at);
    case 1:
      return s.slice(0, at) + s.slice(at + 1);
    case 2:
      return s.slice(0, at) + s.slice(Math.max(0, at - 3), at) + s.slice(at);
    default:
      return s.slice(0, Math.max(1, at));
  }
}

function lws(r: Rng): string {
  return r.chance(0.8) ? '' : r.pick([' ', '  ', '\t', ' \t ']);
}

function genHeaderParam(r: Rng, contact: boolean): string {
  const eq = (): string => lws(r) + '=' + lws(r);
  const options = [
    () => 'tag' + eq() + alnumHeavy(r, "-.!%*_+`'~", 1, 16),
    () => alnumHeavy(r, "-.!%*_+`'~", 1, 10),
    () => alnumHeavy(r, '-._', 1, 10) + eq() + alnumHeavy(r, "-.!%*_+`'~", 1, 12),
    () =>
      alnumHeavy(r, '-._', 1, 8) +
      eq() +
      '"' +
      chars(r, ALNUM + ' <>:;,@\\"', 0, 16)
        .replace(/\\/g, '\\\\')
        .replace(/"/g, '\\"') +
      '"',
  ];
  if (contact) {
    options.push(
      () => 'expires' + eq() + String(r.int(0, 100000)),
      () => 'q' + eq() + r.pick(['0', '1', '0.5', '0.25', '1.0', '0.125', '0.500']),
      () =>
        '+sip.instance' +
        eq() +
        `"<urn:uuid:${chars(r, '0123456789abcdef', 8, 8)}-${chars(r, '0123456789abcdef', 4, 4)}>"`,
      () => 'reg-id' + eq() + String(r.int(1, 3)),
      () => '+sip.ice',
      () => 'methods' + eq() + '"INVITE,ACK,BYE"',
      () => 'received' + eq() + `"sip:${genIPv4(r)}:${r.int(1, 65535)}"`,
    );
  }
  return r.pick(options)();
}

export function genDisplayName(r: Rng): string {
  return r.pick([
    () => '',
    () => '',
    () => alnumHeavy(r, "-.!%*_+`'~", 1, 8),
    () => alnumHeavy(r, '.', 1, 6) + ' ' + alnumHeavy(r, '.', 1, 8),
    () => '"' + chars(r, ALNUM + ' ,;:<>@', 0, 14) + '"',
    () => '"' + alnumHeavy(r, ' ', 0, 6) + '\\"' + alnumHeavy(r, '', 0, 4) + '\\\\"',
    () => '"' + 'Jürgen ' + alnumHeavy(r, '', 1, 4) + '"',
  ])();
}

/** A name-addr (or, sometimes, an addr-spec) with header parameters. */
export function genNameAddr(r: Rng, contact: boolean): string {
  const display = genDisplayName(r);
  const uri = genSipUri(r);
  let s: string;
  if (!display && r.chance(0.25) && !/[;?,]/.test(uri)) s = uri;
  else s = (display ? display + r.pick([' ', '', '  ']) : '') + '<' + uri + '>';
  const params = r.int(0, contact ? 4 : 2);
  const names = new Set<string>();
  for (let i = 0; i < params; i++) {
    const p = genHeaderParam(r, contact);
    const name = p.split(/[\s=]/)[0]!.toLowerCase();
    if (names.has(name)) continue; // duplicates are covered by the mutations
    names.add(name);
    s += lws(r) + ';' + lws(r) + p;
  }
  return s;
}

export function genContactValue(r: Rng): string {
  const n = r.chance(0.8) ? 1 : r.int(2, 3);
  return Array.from({ length: n }, () => genNameAddr(r, true)).join(r.pick([', ', ',', ' , ']));
}

export function genVia(r: Rng): string {
  const slash = (): string => lws(r) + '/' + lws(r);
  let s = 'SIP' + slash() + '2.0' + slash() + r.pick(['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS', 'udp', 'UNKNOWN']);
  s += r.pick([' ', '  ', '\t']) + genHost(r);
  if (r.chance(0.5)) s += lws(r) + ':' + lws(r) + r.int(1, 65535);
  const params = [
    () => 'branch=z9hG4bK' + alnumHeavy(r, "-.!%*_+`'~", 1, 20),
    () => 'rport',
    () => 'rport=' + r.int(1, 65535),
    () => 'received=' + (r.chance(0.8) ? genIPv4(r) : '2001:db8::' + r.int(1, 999)),
    () => 'maddr=' + genHostname(r),
    () => 'ttl=' + r.int(0, 255),
    () => alnumHeavy(r, '-._', 1, 8) + (r.chance(0.5) ? '=' + alnumHeavy(r, "-.!%*_+`'~", 1, 10) : ''),
  ];
  const n = r.int(0, 4);
  const names = new Set<string>();
  for (let i = 0; i < n; i++) {
    const p = r.pick(params)();
    const name = p.split('=')[0]!.toLowerCase();
    if (names.has(name)) continue;
    names.add(name);
    s += lws(r) + ';' + lws(r) + p;
  }
  return s;
}

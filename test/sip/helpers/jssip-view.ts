// Comparable views of our parse results and jssip's, and the known places
// where jssip's PEG grammar reads the RFC differently from us (each one is a
// named, tested "quirk" rather than a silent skip).
import { grammarParse } from '../../../src/sip/grammar.js';
import { hostType, isIPv4, isIPv6 } from '../../../src/sip/host.js';
import { readHeaderParams } from '../../../src/sip/scan.js';
import type { NameAddr, SipUri, Via } from '../../../src/sip/index.js';

export interface UriView {
  scheme: string;
  user: string | undefined;
  host: string;
  port: number | undefined;
  params: Record<string, string | null>;
  headers: Record<string, string[]>;
}

type JssipUri = {
  _scheme: string;
  _user?: string;
  _host: string;
  _port?: number | null;
  _parameters: Record<string, string | null>;
  _headers: Record<string, string[]>;
};

function headerize(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

export function jssipUriView(u: JssipUri): UriView {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(u._headers)) headers[headerize(k)] = v;
  return {
    // an empty port ("sip:h:") comes out as NaN
    scheme: u._scheme,
    user: u._user ?? undefined,
    host: u._host,
    port: Number.isNaN(u._port) ? undefined : (u._port ?? undefined),
    params: { ...u._parameters },
    headers,
  };
}

/** Our URI seen through jssip's normalisations (decoded user, lower-case host, lr/ttl/maddr handling). */
export function ourUriView(u: SipUri): UriView {
  const params: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(u.params)) {
    if (k === 'ttl' && /^[0-9]{1,3}$/.test(v)) continue; // jssip drops a numeric ttl
    if (k === 'lr')
      params[k] = null; // jssip never keeps lr's value
    else
      params[k] =
        v === '' ? null : k === 'transport' || k === 'user' || (k === 'maddr' && hostType(v)) ? v.toLowerCase() : v;
  }
  const headers: Record<string, string[]> = {};
  for (const [k, v] of u.headers) (headers[headerize(k)] ??= []).push(v);
  const userinfo =
    u.user === '' && u.password === undefined ? undefined : u.user + (u.password !== undefined ? ':' + u.password : '');
  return {
    scheme: u.scheme,
    user: userinfo === undefined ? undefined : decodeURIComponent(userinfo),
    // jssip's maddr rule overwrites the host it has just read
    host: (u.params.maddr && hostType(u.params.maddr) ? u.params.maddr : u.host).toLowerCase(),
    port: u.port,
    params,
    headers,
  };
}

const KNOWN_METHODS = 'INVITE|ACK|OPTIONS|BYE|CANCEL|REGISTER|SUBSCRIBE|NOTIFY|REFER';

/** Why jssip's answer for this URI text is not comparable with ours, or undefined. */
export function uriQuirk(text: string): string | undefined {
  if (/;lr[^;?=]/i.test(text)) return 'lr-prefix'; // ;lrfoo: "lr" matches, the rest fails
  if (/;transport=(udp|tcp|tls|sctp)[^;?]/i.test(text)) return 'transport-prefix';
  if (/;user=(phone|ip)[^;?]/i.test(text)) return 'user-prefix';
  if (new RegExp(`;method=(${KNOWN_METHODS})[^;?]`).test(text)) return 'method-prefix';
  // transport/user/method values are tokens in jssip's rules: a token prefix matches, the rest fails
  if (/;(transport|user|method|lr)=[^;?]*[^A-Za-z0-9\-.!%*_+`'~;?]/i.test(text)) return 'token-param-prefix';
  const ttl = /;ttl=([^;?]*)/i.exec(text);
  if (ttl && /^[0-9]/.test(ttl[1]!) && !/^[0-9]{1,3}$/.test(ttl[1]!)) return 'ttl-digits';
  const maddr = /;maddr=([^;?]*)/i.exec(text);
  if (maddr && !hostType(maddr[1]!)) return 'maddr-not-host';
  if (text.includes('[::]')) return 'ipv6-unspecified'; // jssip's IPv6address lacks the bare "::" form
  const port = portDigits(text);
  if (port !== undefined && (port.length > 5 || Number(port) > 65535)) return 'port-range';
  const at = text.indexOf('@');
  if (at > 0) {
    try {
      decodeURIComponent(text.slice(text.indexOf(':') + 1, at));
    } catch {
      return 'user-not-utf8'; // jssip's decodeURIComponent throws
    }
  }
  return undefined;
}

function portDigits(text: string): string | undefined {
  const at = text.indexOf('@');
  let p = at >= 0 ? at + 1 : text.indexOf(':') + 1;
  if (text[p] === '[') p = text.indexOf(']', p) + 1;
  else while (p < text.length && !':;?'.includes(text[p]!)) p++;
  const m = /^:([0-9]+)(?=[;?]|$)/.exec(text.slice(p));
  return m ? m[1] : undefined;
}

export function jssipUri(text: string): UriView | undefined {
  const r = grammarParse(text, 'SIP_URI') as JssipUri | undefined;
  return r ? jssipUriView(r) : undefined;
}

// ---- name-addr -----------------------------------------------------------

export interface NameAddrView {
  displayName: string;
  uri: UriView;
  params: Record<string, string | null>;
}

type JssipNameAddr = { _uri: JssipUri; _display_name?: string; _parameters: Record<string, string | null> };

export function jssipNameAddrView(n: JssipNameAddr): NameAddrView {
  return { displayName: n._display_name ?? '', uri: jssipUriView(n._uri), params: { ...n._parameters } };
}

export function ourNameAddrView(n: NameAddr, contact: boolean): NameAddrView | undefined {
  const uri = n.parsedUri;
  if ('error' in uri) return undefined;
  const params: Record<string, string | null> = {};
  // jssip's URI ttl rule writes into the header parameters of the name-addr
  if (/^[0-9]{1,3}$/.test(uri.params.ttl ?? '')) params.ttl = uri.params.ttl!;
  for (const [k, v] of Object.entries(n.params)) {
    if (contact && k === 'q' && /^0(\.[0-9]{0,3})?$/.test(v)) params[k] = String(parseFloat(v));
    else if (contact && k === 'expires' && /^[0-9]+$/.test(v)) params[k] = String(parseInt(v, 10));
    else params[k] = v === '' ? null : v;
  }
  return { displayName: n.displayName, uri: ourUriView(uri), params };
}

/** Why jssip's Contact answer is not comparable with ours (beyond URI quirks), or undefined. */
export function contactQuirk(values: readonly NameAddr[]): string | undefined {
  // jssip does not reset URI headers between list elements: they leak into later URIs
  if (values.length > 1 && values.slice(0, -1).some((v) => v.uri.includes('?'))) return 'uri-headers-leak';
  // Contact = STAR / ...: a display name starting with '*' matches STAR, then the rest fails
  if (values[0]?.raw.startsWith('*')) return 'star-prefix';
  for (const v of values) {
    const q = v.params.q;
    if (q !== undefined && /^0/.test(q) && !/^0(\.[0-9]{0,3})?$/.test(q)) return 'q-prefix';
    const e = v.params.expires;
    if (e !== undefined && /^[0-9]/.test(e) && !/^[0-9]+$/.test(e)) return 'expires-prefix';
  }
  return undefined;
}

/**
 * Every header parameter as written, duplicates included (the parsed `params`
 * keep the last one; jssip sometimes keeps the first).
 */
function allParams(text: string, from: number): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  readHeaderParams(text, from, {}, (name, value) => out.push({ name, value }));
  return out;
}

function paramsFrom(n: NameAddr): number {
  const at = n.raw.indexOf(n.uri) + n.uri.length;
  return n.raw[at] === '>' ? at + 1 : at;
}

export function duplicateParams(list: Array<{ name: string }>): boolean {
  return new Set(list.map((p) => p.name)).size !== list.length;
}

export function nameAddrParamQuirk(n: NameAddr): string | undefined {
  const params = allParams(n.raw, paramsFrom(n));
  if (duplicateParams(params)) return 'duplicate-param';
  if (params.some((p) => lenientValue(p.value))) return 'lenient-param-value';
  return undefined;
}

function lenientValue(v: string): boolean {
  return v !== '' && !v.startsWith('"') && !/^[A-Za-z0-9\-.!%*_+`'~]+$/.test(v) && !/^\[[0-9A-Fa-f:.]+\]$/.test(v);
}

/** Parameter values we take unquoted although they are neither token nor host (OpenSIPS does too). */
export function lenientParamValue(n: NameAddr): boolean {
  return Object.values(n.params).some(
    (v) => v !== '' && !v.startsWith('"') && !/^[A-Za-z0-9\-.!%*_+`'~]+$/.test(v) && !/^\[[0-9A-Fa-f:.]+\]$/.test(v),
  );
}

// ---- Via -------------------------------------------------------------------

export interface ViaView {
  protocol: string;
  transport: string;
  host: string;
  port: number | undefined;
  branch: string | undefined;
  received: string | undefined;
  rport: number | undefined;
  maddr: string | undefined;
  generic: Record<string, string | undefined>;
}

const VIA_KNOWN = new Set(['branch', 'received', 'rport', 'maddr', 'ttl']);

export function jssipVia(text: string): ViaView | undefined {
  const v = grammarParse(text, 'Via') as
    | {
        protocol: string;
        transport: string;
        host: string;
        port?: number;
        branch?: string;
        received?: string;
        rport?: number;
        maddr?: string;
        params?: Record<string, string | undefined>;
      }
    | undefined;
  if (!v) return undefined;
  return {
    protocol: v.protocol,
    transport: v.transport,
    host: v.host,
    port: v.port,
    branch: v.branch,
    received: v.received,
    rport: v.rport,
    maddr: v.maddr,
    generic: { ...v.params },
  };
}

export function ourViaView(v: Via): ViaView {
  const generic: Record<string, string | undefined> = {};
  // a value-less branch/received/maddr/ttl is an extension parameter for jssip
  const valueless = (k: string): boolean => k !== 'rport' && v.params[k] === '';
  for (const [k, val] of Object.entries(v.params))
    if (!VIA_KNOWN.has(k) || valueless(k)) generic[k] = val === '' ? undefined : val;
  const maddr = v.maddr && hostType(v.maddr) ? v.maddr.toLowerCase() : v.maddr || undefined;
  return {
    protocol: v.protocol,
    transport: v.transport,
    host: maddr ?? v.host,
    port: v.port,
    branch: v.branch || undefined,
    received: v.received || undefined,
    rport: v.rport ? Number(v.rport) : undefined,
    maddr,
    generic,
  };
}

/** Why jssip's Via answer is not comparable with ours, or undefined. */
export function viaQuirk(text: string, ours: Via | undefined): string | undefined {
  const params = ours ? allParams(ours.raw, ours.offsets.hostPortEnd - ours.offsets.start) : [];
  if (duplicateParams(params)) return 'duplicate-param';
  if (params.some((p) => lenientValue(p.value) && !(p.name === 'received' && isIPv6(p.value))))
    return 'lenient-param-value';
  if (/;\s*rport\s*=\s*(;|,|$)/i.test(text)) return 'empty-rport';
  if (ours?.rport && !/^[0-9]{1,5}$/.test(ours.rport)) return 'rport-range';
  if (ours && /^(udp|tcp|tls|sctp)./i.test(ours.transport)) return 'transport-prefix';
  if (ours && /^sip./i.test(ours.protocol)) return 'protocol-prefix';
  const hostPort = text.replace(/\[[^\]]*\]/g, '').split(';')[0]!;
  if (/:\s*$/.test(hostPort)) return 'empty-port'; // jssip takes "host:" as no port
  const port = /:\s*([0-9]+)\s*$/.exec(hostPort);
  if (port && (port[1]!.length > 5 || Number(port[1]) > 65535)) return 'port-range';
  if (/;\s*rport(?![\s;=,]|$)/i.test(text)) return 'rport-prefix';
  if (/;\s*(received|maddr|ttl|branch)(?![\s;=,]|$)/i.test(text)) return 'param-prefix';
  if (ours?.received !== undefined && !isIPv4(ours.received) && !isIPv6(ours.received)) return 'received-not-ip';
  if (ours?.maddr !== undefined && !hostType(ours.maddr)) return 'maddr-not-host';
  if (ours && 'ttl' in ours.params && !/^[0-9]{1,3}$/.test(ours.params.ttl!)) return 'ttl-digits';
  return undefined;
}

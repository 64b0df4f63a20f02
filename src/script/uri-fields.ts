// Reading and rewriting parts of a URI for pseudo-variables ($rU, $rd, $rp...)
// and core functions (sethostport, strip, prefix...). The byte-level split
// keeps every part it does not touch exactly as written.

export interface UriPieces {
  scheme: string;
  user?: string;
  password?: string;
  host: string;
  port?: string;
  /** `;a=b;c` including the leading `;`, as written. */
  params: string;
  /** `?h=v` including the leading `?`, as written. */
  headers: string;
}

export function splitUri(uri: string): UriPieces | undefined {
  const colon = uri.indexOf(':');
  if (colon <= 0) return undefined;
  const scheme = uri.slice(0, colon);
  let rest = uri.slice(colon + 1);
  let headers = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q);
    rest = rest.slice(0, q);
  }
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const pc = userinfo.indexOf(':');
    if (pc >= 0) {
      user = userinfo.slice(0, pc);
      password = userinfo.slice(pc + 1);
    } else user = userinfo;
  }
  let params = '';
  const semi = rest.indexOf(';');
  if (semi >= 0) {
    params = rest.slice(semi);
    rest = rest.slice(0, semi);
  }
  let host = rest;
  let port: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return undefined;
    if (host[close + 1] === ':') port = host.slice(close + 2);
    host = host.slice(0, close + 1);
  } else {
    const pc = host.lastIndexOf(':');
    if (pc >= 0) {
      port = host.slice(pc + 1);
      host = host.slice(0, pc);
    }
  }
  if (!host) return undefined;
  // Built field by field, in the order the spreads used to give, without copying objects.
  const pieces = { scheme } as UriPieces;
  if (user !== undefined) pieces.user = user;
  if (password !== undefined) pieces.password = password;
  pieces.host = host;
  if (port !== undefined) pieces.port = port;
  pieces.params = params;
  pieces.headers = headers;
  return pieces;
}

export function joinUri(p: UriPieces): string {
  const userinfo =
    p.user !== undefined && p.user !== '' ? `${p.user}${p.password !== undefined ? ':' + p.password : ''}@` : '';
  return `${p.scheme}:${userinfo}${p.host}${p.port ? ':' + p.port : ''}${p.params}${p.headers}`;
}

export function uriParam(params: string, name: string): string | undefined {
  for (const piece of params.split(';')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    const key = (eq >= 0 ? piece.slice(0, eq) : piece).trim();
    if (key.toLowerCase() === name.toLowerCase()) return eq >= 0 ? piece.slice(eq + 1).trim() : '';
  }
  return undefined;
}

export type UriField = 'user' | 'host' | 'port' | 'transport' | 'params' | 'scheme' | 'password' | 'headers';

export function uriField(uri: string, field: UriField): string | null {
  const p = splitUri(uri);
  if (!p) return null;
  switch (field) {
    case 'user':
      return p.user ?? null;
    case 'host':
      return p.host;
    case 'port':
      return p.port ?? null;
    case 'transport': {
      const t = uriParam(p.params, 'transport');
      return t === undefined ? null : t.toUpperCase();
    }
    case 'params':
      return p.params ? p.params.slice(1) : null;
    case 'scheme':
      return p.scheme;
    case 'password':
      return p.password ?? null;
    case 'headers':
      return p.headers ? p.headers.slice(1) : null;
  }
}

/** The URI with one part replaced; undefined when it cannot be parsed. An empty user/port removes it. */
export function setUriField(uri: string, field: 'user' | 'host' | 'port', value: string): string | undefined {
  const p = splitUri(uri);
  if (!p) return undefined;
  if (field === 'user') {
    if (value) p.user = value;
    else {
      delete p.user;
      delete p.password;
    }
  } else if (field === 'host') {
    if (!value) return undefined;
    p.host = value;
  } else if (value) p.port = value;
  else delete p.port;
  return joinUri(p);
}

// Database URLs in OpenSIPS 3.3's syntax (db/db_id.c):
//   scheme://[user[:password]@]host[:port]/database[?parameters]
// Each part is percent-unescaped after splitting, so a password may hold
// %40 for '@' or %2F for '/'. `sqlite://PATH` is the exception: everything
// after `//` is the file path (db_sqlite reads it so).

export type DbScheme = 'sqlite' | 'mysql' | 'postgres';

export interface DbUrl {
  scheme: DbScheme;
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  database: string;
  parameters?: string;
  /** The URL as written. */
  text: string;
}

const SCHEMES: Record<string, DbScheme> = {
  sqlite: 'sqlite',
  mysql: 'mysql',
  postgres: 'postgres',
  postgresql: 'postgres',
};

function unescape(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The parts of `text`, or an error message saying why it is not a DB URL. */
export function parseDbUrl(text: string): DbUrl | string {
  const url = text.trim();
  const m = /^([A-Za-z0-9_+.-]+):\/\/(.*)$/s.exec(url);
  if (!m || url.length < 7) return `error while parsing database URL: '${maskDbUrl(url)}'`;
  const scheme = SCHEMES[m[1].toLowerCase()];
  if (!scheme)
    return `unsupported database URL scheme "${m[1]}" (sqlite://, mysql:// or postgres://): '${maskDbUrl(url)}'`;
  const rest = m[2];
  if (scheme === 'sqlite') {
    if (!rest) return `error while parsing database URL: '${url}'`;
    return { scheme, database: rest, text: url };
  }
  // user[:password]@ - the last '@' ends the credentials, so a password may hold '@' or '/' (escaped or not).
  const at = rest.lastIndexOf('@');
  let creds = '';
  let hostPart = rest;
  if (at >= 0) {
    creds = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
  }
  const slash = hostPart.indexOf('/');
  if (slash < 0) return `error while parsing database URL: '${maskDbUrl(url)}'`;
  let hostPort = hostPart.slice(0, slash);
  let dbPart = hostPart.slice(slash + 1);
  let parameters: string | undefined;
  const q = dbPart.indexOf('?');
  if (q >= 0) {
    parameters = dbPart.slice(q + 1);
    dbPart = dbPart.slice(0, q);
  }
  let host: string;
  let port: number | undefined;
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostPort);
  if (v6) {
    host = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else {
    const c = hostPort.lastIndexOf(':');
    if (c >= 0) {
      const p = hostPort.slice(c + 1);
      hostPort = hostPort.slice(0, c);
      if (p) {
        if (!/^\d+$/.test(p) || Number(p) > 65535) return `bad port "${p}" in database URL: '${maskDbUrl(url)}'`;
        port = Number(p);
      }
    }
    host = hostPort;
  }
  const out: DbUrl = { scheme, host: unescape(host), database: unescape(dbPart), text: url };
  if (port !== undefined) out.port = port;
  if (parameters !== undefined) out.parameters = parameters;
  if (at >= 0) {
    const c = creds.indexOf(':');
    out.user = unescape(c >= 0 ? creds.slice(0, c) : creds);
    if (c >= 0) out.password = unescape(creds.slice(c + 1));
  }
  if (!out.database) return `no database name in database URL: '${maskDbUrl(url)}'`;
  return out;
}

/** The URL with its password replaced by `***` (for log lines and start-up errors). */
export function maskDbUrl(text: string): string {
  const m = /^([^:]+:\/\/)([^@]*)@(.*)$/s.exec(text);
  if (!m || m[1].startsWith('sqlite')) return text;
  const c = m[2].indexOf(':');
  return c < 0 ? text : `${m[1]}${m[2].slice(0, c)}:***@${m[3]}`;
}

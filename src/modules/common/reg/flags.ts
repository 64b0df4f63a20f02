// save()/lookup() flag strings, read character by character as lib/reg does;
// unknown characters are ignored with a warning.

export interface SaveFlags {
  memoryOnly: boolean;
  noReply: boolean;
  socketHeader: boolean;
  /** `c<N>` with N > 0; `c0` and bare `c` leave the global max_contacts in force. */
  maxContacts?: number;
  force: boolean;
  minExpires?: number;
  maxExpires?: number;
  onlyRequestContacts: boolean;
  /** `M0`, `M1` or `M<param>`. */
  matching?: { mode: 0 | 1 } | { param: string };
  path?: 0 | 1 | 2;
  pathReceived: boolean;
  unknown: string[];
}

function number(s: string, i: number): { n: number | undefined; end: number } {
  let j = i;
  while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
  return { n: j > i ? Number(s.slice(i, j)) : undefined, end: j };
}

export function parseSaveFlags(text: string): SaveFlags {
  const f: SaveFlags = {
    memoryOnly: false,
    noReply: false,
    socketHeader: false,
    force: false,
    onlyRequestContacts: false,
    pathReceived: false,
    unknown: [],
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    switch (c) {
      case 'm':
        f.memoryOnly = true;
        break;
      case 'r':
        f.noReply = true;
        break;
      case 's':
        f.socketHeader = true;
        break;
      case 'f':
        f.force = true;
        break;
      case 'o':
        f.onlyRequestContacts = true;
        break;
      case 'v':
        f.pathReceived = true;
        break;
      case 'c':
      case 'e':
      case 'E': {
        const { n, end } = number(text, i + 1);
        if (c === 'c' && n) f.maxContacts = n;
        if (c === 'e' && n !== undefined) f.minExpires = n;
        if (c === 'E' && n !== undefined) f.maxExpires = n;
        i = end - 1;
        break;
      }
      case 'p': {
        const d = text[i + 1];
        if (d === '0' || d === '1' || d === '2') {
          f.path = Number(d) as 0 | 1 | 2;
          i++;
        } else f.unknown.push('p');
        break;
      }
      case 'M': {
        const rest = text.slice(i + 1);
        if (rest[0] === '0' || rest[0] === '1') {
          f.matching = { mode: Number(rest[0]) as 0 | 1 };
          i++;
          break;
        }
        const m = /^[A-Za-z0-9_-]+/.exec(rest);
        if (m) {
          f.matching = { param: m[0] };
          i += m[0].length;
        } else f.unknown.push('M');
        break;
      }
      default:
        f.unknown.push(c);
    }
  }
  return f;
}

export interface LookupFlags {
  bestOnly: boolean;
  branchesOnly: boolean;
  recursive: boolean;
  methodFilter: boolean;
  uaFilter?: RegExp;
  global: boolean;
  maxLatency?: number;
  sortLatency: boolean;
  unknown: string[];
  error?: string;
}

export function parseLookupFlags(text: string): LookupFlags {
  const f: LookupFlags = {
    bestOnly: false,
    branchesOnly: false,
    recursive: false,
    methodFilter: false,
    global: false,
    sortLatency: false,
    unknown: [],
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    switch (c) {
      case 'b':
        f.bestOnly = true;
        break;
      case 'B':
        f.branchesOnly = true;
        break;
      case 'r':
        f.recursive = true;
        break;
      case 'm':
        f.methodFilter = true;
        break;
      case 'g':
        f.global = true;
        break;
      case 'Y':
        f.sortLatency = true;
        break;
      case 'y': {
        const { n, end } = number(text, i + 1);
        f.maxLatency = n;
        i = end - 1;
        break;
      }
      case 'u': {
        const sep = text[i + 1];
        const close = sep ? text.indexOf(sep, i + 2) : -1;
        if (!sep || close < 0) {
          f.error = 'unterminated u/regex/ filter';
          return f;
        }
        const body = text.slice(i + 2, close);
        let j = close + 1;
        let flags = '';
        while (text[j] === 'i' || text[j] === 'e') {
          if (text[j] === 'i') flags += 'i';
          j++;
        }
        try {
          f.uaFilter = new RegExp(body, flags);
        } catch (err) {
          f.error = `bad User-Agent regex: ${(err as Error).message}`;
          return f;
        }
        i = j - 1;
        break;
      }
      default:
        f.unknown.push(c);
    }
  }
  return f;
}

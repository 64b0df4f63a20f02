// OpenSIPS 3.3's command line (main.c's getopt string
// "f:cCm:M:b:l:n:N:rRvdDFEVhw:t:u:g:p:P:G:W:o:a:k:s:"), parsed as getopt(3)
// does: clustered flags (`-FE`, `-dd`), an argument glued (`-fFILE`) or next
// (`-f FILE`). opensips-ts's own long options (--map, --strict, --compat) may
// be mixed in, since a cfg written for other addresses needs --map to run here.

/** What each option of OpenSIPS 3.3 becomes here. */
const TAKES_ARG = new Set('fmMblnNwtugpPGWoaks'.split(''));
const FLAGS = new Set('cCrRvdDFEVh'.split(''));
/** Tuning knobs of OpenSIPS's process model and allocators: meaningless in one Node.js process, accepted with a warning. */
export const IGNORED: Record<string, string> = {
  n: 'UDP worker processes: opensips-ts is one process with one event loop',
  N: 'TCP worker processes: opensips-ts is one process with one event loop',
  W: 'the poll method: Node.js uses epoll',
  a: 'the memory allocator: V8 manages the heap',
  k: 'the pkg memory allocator: V8 manages the heap',
  s: 'the shm memory allocator: V8 manages the heap',
  r: 'DNS checks for received=: not implemented, received= is added as without -r',
  R: 'reverse DNS checks for received=: not implemented, received= is added as without -R',
  v: 'Via host checking of replies: not implemented',
};
/** Options opensips-ts refuses (starting without them would not do what the operator asked). */
export const REFUSED: Record<string, string> = {
  l: "listen addresses come from the cfg's socket= lines (use --map to move them)",
  t: "chroot is not supported: use a container or systemd's RootDirectory=",
  p: 'the cfg preprocessor is not supported: preprocess the file before handing it over',
  G: 'a pgid file is not supported: the pid file (-P) names the only process',
  o: '-o script variables are not supported',
};

export interface OpensipsArgs {
  file?: string;
  /** -c: 1, -C: 2 (OpenSIPS's config_check bits). */
  check: number;
  foreground: boolean;
  stderr: boolean;
  /** Number of -d. */
  debugLevels: number;
  debugMode: boolean;
  version: boolean;
  help: boolean;
  pidFile?: string;
  user?: string;
  group?: string;
  workDir?: string;
  shmMb?: number;
  pkgMb?: number;
  /** -b: the UDP receive buffer to ask for, in bytes (main.c's maxbuffer). */
  maxBuffer?: number;
  maps: string[];
  compat: string[];
  strict: boolean;
  /** Accepted options without an equivalent, each with why. */
  ignored: string[];
  /** A positional argument (OpenSIPS ignores them; opensips-ts takes one as the cfg when -f is absent). */
  positionals: string[];
}

/** Whether argv is spelled as OpenSIPS's command line (it starts with a short option) rather than `opensips-ts COMMAND`. */
export function isOpensipsStyle(argv: readonly string[]): boolean {
  return /^-[a-zA-Z]/.test(argv[0] ?? '');
}

/** Parses argv; a string is the error OpenSIPS would log (`Unknown option ...`), which exits 255. */
export function parseOpensipsArgs(argv: readonly string[]): OpensipsArgs | string {
  const a: OpensipsArgs = {
    check: 0,
    foreground: false,
    stderr: false,
    debugLevels: 0,
    debugMode: false,
    version: false,
    help: false,
    maps: [],
    compat: [],
    strict: false,
    ignored: [],
    positionals: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const [name, glued] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (name === 'strict') {
        a.strict = true;
        continue;
      }
      if (name === 'map' || name === 'compat') {
        const value = glued ?? argv[++i];
        if (value === undefined) return `Option \`--${name}\` requires an argument.`;
        (name === 'map' ? a.maps : a.compat).push(value);
        continue;
      }
      if (name === 'help') {
        a.help = true;
        continue;
      }
      if (name === 'version') {
        a.version = true;
        continue;
      }
      return `Unknown option \`${arg}\`.`;
    }
    if (!arg.startsWith('-') || arg === '-') {
      a.positionals.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      if (TAKES_ARG.has(c)) {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (value === undefined) return `Option \`-${c}\` requires an argument.`;
        const err = applyValue(a, c, value);
        if (err) return err;
        break;
      }
      if (!FLAGS.has(c)) return `Unknown option \`-${c}\`.`;
      applyFlag(a, c);
    }
  }
  if (a.file === undefined && a.positionals.length) a.file = a.positionals[0];
  return a;
}

function applyFlag(a: OpensipsArgs, c: string): void {
  switch (c) {
    case 'C': // -c plus the function-flag checks, as in main.c
      a.check |= 3;
      break;
    case 'c':
      a.check |= 1;
      break;
    case 'd':
      a.debugLevels++;
      break;
    case 'D':
      a.debugMode = true;
      break;
    case 'F':
      a.foreground = true;
      break;
    case 'E':
      a.stderr = true;
      break;
    case 'V':
      a.version = true;
      break;
    case 'h':
      a.help = true;
      break;
    default:
      a.ignored.push(`-${c}: ${IGNORED[c]}`);
  }
}

function applyValue(a: OpensipsArgs, c: string, value: string): string | undefined {
  const megabytes = (what: string): number | string =>
    /^\d+$/.test(value) ? Number(value) : `bad ${what} size number: -${c} ${value}`;
  switch (c) {
    case 'f':
      a.file = value;
      return;
    case 'P':
      a.pidFile = value;
      return;
    case 'u':
      a.user = value;
      return;
    case 'g':
      a.group = value;
      return;
    case 'w':
      a.workDir = value;
      return;
    case 'm': {
      const mb = megabytes('shmem');
      if (typeof mb === 'string') return mb;
      a.shmMb = mb;
      return;
    }
    case 'b': {
      const n = Number(value);
      if (!/^\d+$/.test(value)) return `bad max buffer size number: -b ${value}`;
      if (n > 0) a.maxBuffer = n; // 0: no probing, the kernel's default stays

      return;
    }
    case 'M': {
      const mb = megabytes('pkgmem');
      if (typeof mb === 'string') return mb;
      a.pkgMb = mb;
      return;
    }
  }
  if (REFUSED[c]) return `-${c} ${value}: ${REFUSED[c]}`;
  a.ignored.push(`-${c} ${value}: ${IGNORED[c]}`);
  return undefined;
}

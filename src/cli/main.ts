// opensips-ts command line. Argument parsing uses node's own util.parseArgs:
// no dependency, and strict about unknown options.
import { parseArgs } from 'node:util';
import { runCheck } from './check.js';
import { runOpensipsCheck } from './opensips-check.js';
import { runFmt } from './fmt.js';
import { EXIT, processIo, type Io } from './io.js';
import { runParseAst } from './parse-ast.js';
import { runLint } from './lint.js';
import { listRules } from '../lint/codes.js';
import { runDryRun } from './dry-run.js';
import { runScenarioCommand } from './scenario.js';
import { COMPAT } from '../modules/mid_registrar/settings.js';
import { runModules } from './modules.js';
import { runCoverage } from './coverage.js';
import { runServer } from './run.js';
import { readCfgInput, type CfgInput } from './cfg-input.js';
import { runDb } from './db.js';
import { runLsp } from './lsp.js';
import { isOpensipsStyle, parseOpensipsArgs } from './opensips-args.js';
import { OPENSIPS_HELP, runOpensipsStyle } from './opensips-main.js';

export const USAGE = `usage: opensips-ts <command> [options] FILE

commands:
  check FILE          check a cfg; exit 0 when valid, 1 when it has errors
  -c -f FILE, -C -f FILE
                      the same, spelled and printed as \`opensips -C -f FILE\` does: the first error as
                      OpenSIPS 3.3 logs it (CRITICAL:core:yyerror: parse error in FILE:L:C1-C2: ...), exit 255
                      (for editor plugins and CI scripts written for OpenSIPS)
  run FILE [--map FROM=TO[:PORT]]...
                      the cfg as a live SIP server on its UDP/TCP sockets (Ctrl-C stops it);
                      --map rewrites cfg addresses that are not on this host, e.g. 172.16.4.111=127.0.4.111;
                      --debug logs at L_DBG, every message in and out included;
                      --check (or \`check --runnable FILE\`): everything run would refuse on this host (functions
                      without a native implementation, addresses not on this host, database URLs it cannot
                      open, missing TLS files), without binding a socket; exit 0 runnable, 1 not;
                      --tcp-max-per-source N caps TCP connections from one IP address (not in OpenSIPS 3.3;
                      unlimited by default)
  lint FILE           every problem: syntax, modules, functions, routes, flags, variables; what OpenSIPS 3.3
                      refuses is an error whatever the profile
                      --format pretty|json|sarif, --max-warnings N; --list-rules prints every rule id
  dry-run FILE --msg MSG.sip [--msg ...]
                      run the request route on messages: trace, messages it would send, location table
                      --src proto:ip:port (default udp:127.0.0.1:5062), --socket proto:ip:port,
                      --time ISO|unix, --stub fn=RC (simulate a function), --json
  dry-run --scenario S.yaml [FILE]
                      UAs, the cfg (FILE replaces the scenario's) and its upstream in one process on a
                      virtual clock: message ladder, location tables over time, the scenario's checks;
                      --ladder out.svg|out.png|out.mmd, --json
  modules [NAME]      every OpenSIPS 3.3 module, and which functions run natively
  modules --coverage CFG|DIR...
                      how many cfgs would start under \`run\`, and the modules that block the others, ranked
  db create URL [--tables t1,t2]
                      OpenSIPS 3.3's standard tables (location, subscriber, address, dispatcher, ...) and
                      their \`version\` rows in sqlite://PATH, mysql://USER:PASS@HOST[:PORT]/DB or postgres://...
  parse --ast FILE    print the AST as JSON
  fmt FILE            print the cfg in canonical layout (--write to rewrite it, --check to test it)
  lsp [--stdio]       the language server (LSP over stdio) for editors: lint as you type, hover, completion,
                      go to definition, references, rename, symbols, formatting, quick fixes (docs/editors.md)

options:
  --strict            accept exactly what OpenSIPS 3.3 accepts (the blog's \`...\` lines become errors)
  --compat NAME       (run, dry-run) keep a 3.3.10 defect opensips-ts fixes: mid_registrar:reply_match,
                      mid_registrar:tcp_lifetime (docs/compatibility.md)
  -h, --help          this text
  -V, --version       the version

exit codes: 0 ok, 1 the cfg has errors, 2 usage error,
            3 (lint) no errors but more warnings than --max-warnings, 255 (-c/-C) the cfg has errors, as OpenSIPS

${OPENSIPS_HELP}`;

const OPTIONS = {
  strict: { type: 'boolean' },
  ast: { type: 'boolean' },
  write: { type: 'boolean' },
  check: { type: 'boolean' },
  runnable: { type: 'boolean' },
  format: { type: 'string' },
  'max-warnings': { type: 'string' },
  'list-rules': { type: 'boolean' },
  msg: { type: 'string', multiple: true },
  src: { type: 'string' },
  socket: { type: 'string' },
  time: { type: 'string' },
  stub: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  scenario: { type: 'string' },
  ladder: { type: 'string' },
  compat: { type: 'string', multiple: true },
  map: { type: 'string', multiple: true },
  'tcp-max-per-source': { type: 'string' },
  debug: { type: 'boolean' },
  stdio: { type: 'boolean' },
  tables: { type: 'string' },
  coverage: { type: 'boolean' },
  c: { type: 'boolean', short: 'c' },
  C: { type: 'boolean', short: 'C' },
  f: { type: 'string', short: 'f' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/**
 * `opensips-ts COMMAND --help`: that command's entries of USAGE (a command may have several, as dry-run),
 * then the options common to all; undefined for an unknown command.
 */
export function commandHelp(command: string): string | undefined {
  const lines = USAGE.split('\n');
  const start = lines.indexOf('commands:');
  const end = lines.indexOf('options:');
  const picked: string[] = [];
  let inEntry = false;
  for (const line of lines.slice(start + 1, end)) {
    if (/^  \S/.test(line)) inEntry = line.slice(2).split(/\s/)[0] === command;
    if (inEntry) picked.push(line);
  }
  if (!picked.length) return undefined;
  const common = lines.slice(
    end,
    lines.findIndex((l, i) => i > end && l === ''),
  );
  return [`usage: opensips-ts ${command} ...`, '', ...picked, '', ...common].join('\n');
}

/** The cfg read up front: a missing file is one line and exit 2. */
function withCfgFile(
  file: string,
  io: Io,
  job: (input: CfgInput) => number | Promise<number>,
): number | Promise<number> {
  const input = readCfgInput(file, io);
  return input ? job(input) : EXIT.usage;
}

/** `run FILE` (and `run --check` / `check --runnable`: what run would refuse here, nothing bound). */
function runCommand(
  target: string | undefined,
  values: { map?: string[]; compat?: string[]; debug?: boolean; 'tcp-max-per-source'?: string },
  strict: boolean,
  checkOnly: boolean,
  io: Io,
): number | Promise<number> {
  const perSource = values['tcp-max-per-source'];
  if (perSource !== undefined && !/^[1-9][0-9]*$/.test(perSource))
    return usageError(io, `--tcp-max-per-source needs a positive number, not ${perSource}`);
  if (badCompat(values.compat))
    return usageError(io, `unknown --compat ${badCompat(values.compat)} (known: ${Object.values(COMPAT).join(', ')})`);
  if (!target) return usageError(io, 'run needs a FILE');
  return withCfgFile(target, io, (i) =>
    runServer(
      i.file,
      {
        maps: values.map ?? [],
        strict,
        debug: !!values.debug,
        compat: values.compat ?? [],
        ...(perSource !== undefined ? { tcpMaxPerSource: Number(perSource) } : {}),
        readFile: i.readFile,
        checkOnly,
      },
      io,
    ),
  );
}

function badCompat(names: string[] | undefined): string | undefined {
  const known: string[] = Object.values(COMPAT);
  return names?.find((n) => !known.includes(n));
}

function usageError(io: Io, message: string): number {
  io.err(`opensips-ts: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}

export function main(argv: string[], io: Io = processIo()): number | Promise<number> {
  if (isOpensipsStyle(argv)) {
    const a = parseOpensipsArgs(argv);
    // -c/-C: the check printed as OpenSIPS prints it (opensips-check.ts); anything else serves the cfg as OpenSIPS does.
    if (typeof a !== 'string' && a.check && !a.help && !a.version) {
      const file = a.file;
      if (!file) return usageError(io, `-${a.check & 2 ? 'C' : 'c'} needs a file: -${a.check & 2 ? 'C' : 'c'} -f FILE`);
      return withCfgFile(file, io, (i) => runOpensipsCheck(i, a.strict, io));
    }
    return runOpensipsStyle(argv, io);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    return usageError(io, (err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out((positionals[0] && commandHelp(positionals[0])) || USAGE);
    return EXIT.ok;
  }
  if (values.version) {
    io.out('opensips-ts 0.1.0 (OpenSIPS 3.3 cfg language)');
    return EXIT.ok;
  }
  const strict = !!values.strict;
  /** The cfg read up front: a missing file is one line and exit 2. */
  const withCfg = (file: string, job: (input: CfgInput) => number | Promise<number>): number | Promise<number> => {
    const input = readCfgInput(file, io);
    return input ? job(input) : EXIT.usage;
  };
  if (values.c || values.C) {
    // OpenSIPS's own spelling: its log lines and exit status (opensips-check.ts), for tools written for `opensips -C`.
    const file = values.f ?? positionals[0];
    return file
      ? withCfg(file, (i) => runOpensipsCheck(i, strict, io))
      : usageError(io, `-${values.C ? 'C' : 'c'} needs a file: -${values.C ? 'C' : 'c'} -f FILE`);
  }
  const [command, file, ...extra] = positionals;
  if (!command) return usageError(io, 'no command given');
  if (command === 'db') return runDb(positionals.slice(1), values.tables, io);
  if (command === 'modules' && values.coverage) return runCoverage(positionals.slice(1), io);
  if (command === 'lsp') return file ? usageError(io, 'lsp takes no FILE') : runLsp();
  if (extra.length) return usageError(io, `unexpected argument ${extra[0]}`);
  const target = file ?? values.f;
  switch (command) {
    case 'check':
      if (values.runnable) return runCommand(target, values, strict, true, io);
      return target ? withCfg(target, (i) => runCheck(i, strict, io)) : usageError(io, 'check needs a FILE');
    case 'lint': {
      if (values['list-rules']) {
        io.out(listRules());
        return EXIT.ok;
      }
      const format = values.format ?? 'pretty';
      if (!['pretty', 'json', 'sarif'].includes(format)) return usageError(io, `unknown --format ${format}`);
      const mw = values['max-warnings'];
      if (mw !== undefined && !/^\d+$/.test(mw)) return usageError(io, '--max-warnings takes a number');
      return target
        ? withCfg(target, (i) =>
            runLint(i, { strict, format, ...(mw !== undefined ? { maxWarnings: Number(mw) } : {}) }, io),
          )
        : usageError(io, 'lint needs a FILE');
    }
    case 'modules':
      return runModules(file, io);
    case 'run':
      return runCommand(target, values, strict, !!values.check, io);
    case 'dry-run':
      if (badCompat(values.compat))
        return usageError(
          io,
          `unknown --compat ${badCompat(values.compat)} (known: ${Object.values(COMPAT).join(', ')})`,
        );
      if (values.scenario) {
        return runScenarioCommand(
          values.scenario,
          {
            json: !!values.json,
            compat: values.compat ?? [],
            ...(target ? { cfg: target } : {}),
            ...(values.ladder ? { ladder: values.ladder } : {}),
          },
          io,
        );
      }
      if (!target) return usageError(io, 'dry-run needs a FILE');
      return withCfg(target, (i) =>
        runDryRun(
          i,
          {
            msgs: values.msg ?? [],
            stubs: values.stub ?? [],
            json: !!values.json,
            strict,
            ...(values.src ? { src: values.src } : {}),
            ...(values.socket ? { socket: values.socket } : {}),
            ...(values.time ? { time: values.time } : {}),
          },
          io,
        ),
      );
    case 'parse':
      if (!values.ast) return usageError(io, 'parse needs --ast');
      return target ? withCfg(target, (i) => runParseAst(i, strict, io)) : usageError(io, 'parse needs a FILE');
    case 'fmt':
      return target
        ? withCfg(target, (i) => runFmt(i, values.write ? 'write' : values.check ? 'check' : 'print', io))
        : usageError(io, 'fmt needs a FILE');
    default:
      return usageError(io, `unknown command ${command}`);
  }
}

// `npx tsx scripts/corpus-check.ts DIR [--default] [--list]`: run `check`
// (--strict unless --default) over every cfg under DIR and print how many are
// accepted, the rejected ones grouped by the class of their first error (rule
// and message with names and numbers blanked), and where first errors fall
// (any at 1:1 is a bug: every error has a real position). A developer tool for
// comparing verdicts with OpenSIPS 3.3 on public cfgs; it reads, never writes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Diagnostic } from '../src/cfg/diagnostic.js';
import { checkCfg } from '../src/lint/check.js';

interface Outcome {
  file: string;
  first?: Diagnostic;
  crash?: string;
  internal: number;
}

/** The cfgs under `dir`, except the files another cfg of the same folder includes (they are not whole cfgs). */
function cfgFiles(dir: string): string[] {
  const out: string[] = [];
  const here: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...cfgFiles(path));
    else if (/\.(cfg|m4|template|tmpl)$/.test(name)) here.push(path);
  }
  const included = new Set(
    here.flatMap((p) =>
      [...readFileSync(p, 'utf8').matchAll(/^\s*(?:include|import)_file\s+["']([^"']+)["']/gm)].map((m) =>
        basename(m[1]!),
      ),
    ),
  );
  return [...out, ...here.filter((p) => !included.has(basename(p)))];
}

/** The message with what varies between cfgs (quoted names, numbers) blanked, so that like errors group. */
export function messageClass(message: string): string {
  return message
    .replace(/`[^`]*`/g, '`…`')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b\d+\b/g, 'N');
}

function checkOne(file: string, strict: boolean): Outcome {
  try {
    const r = checkCfg(file, { profile: { strict } });
    const first = r.diagnostics.find((d) => d.severity === 'error');
    const internal = r.diagnostics.filter((d) => d.rule === 'internal').length;
    return { file, internal, ...(first ? { first } : {}) };
  } catch (err) {
    return { file, crash: (err as Error).stack?.split('\n').slice(0, 2).join(' ') ?? String(err), internal: 0 };
  }
}

function main(argv: string[]): number {
  const dir = argv.find((a) => !a.startsWith('--'));
  if (!dir) {
    console.error('usage: corpus-check.ts DIR [--default] [--list]');
    return 2;
  }
  const strict = !argv.includes('--default');
  const outcomes = cfgFiles(dir).map((f) => checkOne(f, strict));
  const rejected = outcomes.filter((o) => o.first || o.crash);
  const byClass = new Map<string, Outcome[]>();
  for (const o of rejected) {
    const key = o.crash ? 'CRASH' : `${o.first!.rule}: ${messageClass(o.first!.message)}`;
    byClass.set(key, [...(byClass.get(key) ?? []), o]);
  }
  console.log(
    `${outcomes.length} cfgs, check${strict ? ' --strict' : ''}: ${outcomes.length - rejected.length} accepted, ${rejected.length} rejected`,
  );
  console.log('\nrejected, by first error:');
  for (const [key, list] of [...byClass].sort((a, b) => b[1].length - a[1].length))
    console.log(`${String(list.length).padStart(5)}  ${key}`);
  const at11 = rejected.filter((o) => o.first && o.first.span.line === 1 && o.first.span.col === 1);
  const inInclude = rejected.filter((o) => o.first && o.first.span.file !== o.file);
  console.log('\nfirst-error positions:');
  console.log(`${String(at11.length).padStart(5)}  at 1:1 (must be 0)`);
  console.log(`${String(inInclude.length).padStart(5)}  in an included file`);
  console.log(`${String(rejected.length - at11.length - inInclude.length).padStart(5)}  elsewhere in the cfg itself`);
  console.log(
    `${String(outcomes.filter((o) => o.internal > 0).length).padStart(5)}  cfgs with an internal diagnostic (must be 0)`,
  );
  if (argv.includes('--list')) {
    console.log('\nper file:');
    for (const o of rejected) {
      const where = o.first
        ? `${relative(dir, o.first.span.file) || o.first.span.file}:${o.first.span.line}:${o.first.span.col}`
        : '';
      console.log(`${relative(dir, o.file)}\t${where}\t${o.crash ?? `${o.first!.rule}: ${o.first!.message}`}`);
    }
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));

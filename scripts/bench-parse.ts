// `npm run bench:parse`: lines per second for lex + parse + AST of large
// generated cfgs. A figure to report, not a timed test. Two inputs, because
// lines/s depends on density: a "realistic" cfg made of the route blocks of
// OpenSIPS's shipped 3.3 cfgs (comments and blank lines included, about two
// tokens a line) and a "dense" one with several tokens on every line.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { cfgLexer } from '../grammar/index.js';
import { parseCfgText } from '../src/cfg/parse.js';

// npm runs scripts from the package root; shared/ sits beside the checkout.
const CORPUS = new URL('../shared/corpus/', pathToFileURL(process.cwd() + '/'));

/** The accepted shipped cfgs, repeated with route names made unique until `minLines`. */
function realistic(minLines: number): string {
  const labels = readFileSync(new URL('LABELS.tsv', CORPUS), 'utf8')
    .split('\n')
    .filter((l) => l.split('\t')[1] === 'accepts');
  const texts = labels.map((l) => readFileSync(new URL(l.split('\t')[0]!, CORPUS), 'utf8'));
  const out: string[] = [];
  for (let copy = 0; out.join('\n').split('\n').length < minLines; copy++) {
    for (const t of texts) {
      // Keep only the route blocks (globals/modparams would repeat), renamed per copy.
      const routes = t.slice(t.search(/^(route|onreply_route|failure_route|branch_route|local_route|event_route)\b/m));
      out.push(
        routes
          .replace(
            /^(\w*route)\s*(\[([^\]]+)\])?/gm,
            (_m, kind: string, _b, name?: string) => `${kind}[r${name ?? 'main'}x${copy}x${out.length}]`,
          )
          .replace(/route\((\w+)\)/g, (_m, n: string) => `route(r${n}x${copy}x${out.length})`),
      );
    }
  }
  return out.join('\n');
}

function generate(routes: number): string {
  const out = [
    'log_level=3',
    'udp_workers=4',
    'socket=udp:127.0.0.1:5060',
    'socket=tcp:127.0.0.1:5060',
    'loadmodule "tm.so"',
    'loadmodule "registrar.so"',
    'modparam("registrar|nathelper", "received_avp", "$avp(rcv)")',
    '',
  ];
  for (let i = 0; i < routes; i++) {
    out.push(
      `route[r${i}] {`,
      `\t# route number ${i}`,
      `\tif (is_method("REGISTER") && $socket_in(proto) == "tcp") {`,
      `\t\tif (!save("location", "rfc1")) sl_reply_error();`,
      `\t\txlog("L_DBG", "[$cfg_line][$ci] $rm|$tu|$socket_in(port)\\n");`,
      `\t\t$var(n) = $var(n) + ${i} * 2;`,
      '\t} else if ($(ru{uri.user}) =~ "^\\+?[0-9]+$") {',
      `\t\tswitch ($retcode) {`,
      `\t\tcase 1: $ru = "sip:127.0.0.1:5060"; break;`,
      `\t\tcase -2: route(r${(i + 1) % routes}, "a", ${i}); break;`,
      `\t\tdefault: send_reply(500, "Server Internal Error");`,
      `\t\t}`,
      `\t}`,
      `\tif (!t_relay()) { send_reply(500, "Internal Error"); }`,
      `\texit;`,
      `}`,
      '',
    );
  }
  return out.join('\n');
}

function measure(label: string, text: string): void {
  const lines = text.split('\n').length;
  const tokens = cfgLexer.tokenize(text).tokens.length;
  const warm = parseCfgText(text, 'bench.cfg', { strict: false });
  const errors = warm.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${label} cfg has errors: ${errors[0]!.span.line}: ${errors[0]!.message}`);
  const runs = 15;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    parseCfgText(text, 'bench.cfg', { strict: false });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(runs / 2)]!;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(
    `${label.padEnd(9)} ${fmt(lines)} lines, ${fmt(tokens)} tokens: median ${median.toFixed(1)} ms of ${runs} -> ${fmt(lines / (median / 1000))} lines/s, ${fmt(tokens / (median / 1000))} tokens/s (best run ${fmt(lines / (times[0]! / 1000))} lines/s)`,
  );
}

console.log('lex + parse + AST (opensips-ts parseCfgText), one process, after one warm-up run');
measure('realistic', realistic(10_000));
measure('dense', generate(700));
console.log(
  `node ${process.version}; reproduce with: npm run bench:parse (runs the tsc build, no tsx transform in the timing)`,
);

// `npm run bench:lsp`: how long an editor waits for diagnostics after a
// keystroke in a 2,000-line cfg. Starts `opensips-ts lsp` (the built CLI),
// opens the cfg, then types KEYSTROKES characters one change at a time
// (debounce off, so each change is analysed) and measures, per keystroke,
// the time from didChange sent to publishDiagnostics received.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/helpers/lsp-client.js';

const KEYSTROKES = Number(process.env.KEYSTROKES ?? 60);
const LINES = Number(process.env.LINES ?? 2000);
const BIN = resolve(import.meta.dirname, '../src/cli/bin.js');

const HEAD = `log_level=3
socket=udp:127.0.0.1:5060
socket=tcp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "sipmsgops.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "dialog.so"
modparam("tm", "fr_timeout", 5)
modparam("usrloc", "db_mode", 0)
modparam("rr", "append_fromtag", 0)

route {
\tif (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }
\tif (has_totag()) { route(in_dialog); exit; }
\tif (is_method("REGISTER")) { route(register); exit; }
\troute(route_0);
}

route[in_dialog] {
\tif (loose_route()) { t_relay(); exit; }
\tsl_send_reply(404, "Not here");
}

route[register] {
\tif (!save("location")) sl_reply_error();
\texit;
}
`;

function routeBlock(i: number): string {
  const next = `route(route_${i + 1});`;
  return `
route[route_${i}] {
\t$var(step) = ${i};
\tif ($rU =~ "^\\+?${i}[0-9]+$" && is_method("INVITE")) {
\t\txlog("L_INFO", "route ${i}: $rm from $fu to $ru ($var(step))\\n");
\t\tappend_hf("X-Step: ${i}\\r\\n");
\t\tif (!lookup("location")) { t_reply(404, "Not Found"); exit; }
\t\tcreate_dialog();
\t\tt_relay();
\t\texit;
\t}
\t${next}
}
`;
}

function buildCfg(lines: number): string {
  let text = HEAD;
  let i = 0;
  while (text.split('\n').length < lines) text += routeBlock(i++);
  return text + `\nroute[route_${i}] {\n\tsl_send_reply(404, "No route");\n}\n`;
}

/** CPU time (user + system, all threads) a process has used, in ms: what a keystroke costs whatever the machine's load. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${s[s.length - 1]!.toFixed(1)} ms`;
}

async function main(): Promise<void> {
  let text = buildCfg(LINES);
  if (process.env.DUMP_CFG) return writeFileSync(process.env.DUMP_CFG, text); // the cfg it measures, to profile it
  const uri = pathToFileURL(join(process.cwd(), 'bench-lsp.cfg')).href;
  const client = new LspClient([BIN, 'lsp', '--stdio']);
  await client.initialize({ debounceMs: 0 });
  let t0 = performance.now();
  const first = await client.open(uri, text);
  const openMs = performance.now() - t0;
  // Type into the xlog line of a route in the middle of the file.
  const at = text.indexOf('route 40:');
  const waits: number[] = [];
  const cpu0 = cpuMs(client.child.pid!);
  for (let k = 0; k < KEYSTROKES; k++) {
    text = text.slice(0, at) + 'x' + text.slice(at);
    t0 = performance.now();
    await client.change(uri, k + 2, text);
    waits.push(performance.now() - t0);
  }
  const cpuPerKeystroke = (cpuMs(client.child.pid!) - cpu0) / KEYSTROKES;
  await client.stop();
  console.log(`lsp: ${text.split('\n').length}-line cfg, ${first.length} diagnostics on open`);
  console.log(`open -> diagnostics: ${openMs.toFixed(0)} ms (first analysis, JIT cold)`);
  console.log(`keystroke -> diagnostics (${KEYSTROKES} keystrokes, debounce off): ${stats(waits)}`);
  console.log(`warm (last half): ${stats(waits.slice(KEYSTROKES >> 1))}`);
  console.log(`server CPU per keystroke (all threads, /proc): ${cpuPerKeystroke.toFixed(1)} ms`);
  console.log(
    `load average while measuring: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
}

await main();

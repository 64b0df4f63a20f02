// `npx tsx scripts/bench-sip-parse.ts [file.sip]`: microseconds per REGISTER for
// parseSipMessage plus reading Contact, To, Via, Call-ID and CSeq, the Contact
// and To URIs included (what a registrar touches), beside jssip's
// Parser.parseMessage on the same bytes.
// CPU time per message is the figure to quote: steadier than wall time on a
// shared machine.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseSipMessage, isSipError } from '../src/sip/index.js';

const DIR = new URL('../../shared/data/register-samples/', import.meta.url).pathname;

function registrarView(buf: Buffer): number {
  const r = parseSipMessage(buf);
  if (!r.msg) throw new Error(r.error);
  const m = r.msg;
  const contacts = m.contacts();
  const to = m.to;
  const via = m.topVia;
  const cseq = m.cseq;
  let n = (m.callId ?? '').length + (via?.branch?.length ?? 0);
  if (!isSipError(contacts)) {
    for (const c of contacts.contacts) {
      const uri = c.parsedUri;
      n += (c.expires ?? 0) + (isSipError(uri) ? 0 : uri.host.length);
    }
  }
  if (to && !isSipError(to)) {
    const aor = to.parsedUri;
    n += isSipError(aor) ? 0 : aor.user.length;
  }
  if (cseq && !isSipError(cseq)) n += cseq.num;
  return n;
}

function measure(label: string, fn: (b: Buffer) => unknown, input: Buffer | string, iterations: number): number {
  for (let i = 0; i < Math.min(20000, iterations); i++) fn(input as Buffer); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(input as Buffer);
  const wall = Number(process.hrtime.bigint() - t0) / 1000 / iterations;
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = (cpu.user + cpu.system) / iterations;
  console.log(
    `${label.padEnd(44)} ${cpuUs.toFixed(2).padStart(7)} µs CPU  ${wall.toFixed(2).padStart(7)} µs wall  ${Math.round(
      1e6 / cpuUs,
    )
      .toLocaleString('en')
      .padStart(9)} msg/s`,
  );
  return cpuUs;
}

const files = process.argv[2]
  ? [process.argv[2]]
  : readdirSync(DIR)
      .filter((f) => f.endsWith('.sip'))
      .sort()
      .map((f) => DIR + f);
const require = createRequire(import.meta.url);
const Parser = require('jssip/lib/Parser.js') as { parseMessage(data: string, ua: unknown): unknown };

const ours: number[] = [];
for (const file of files) {
  const bytes = readFileSync(file);
  console.log(`${file.split('/').pop()} (${bytes.length} bytes)`);
  measure('  parse only', (b) => parseSipMessage(b), bytes, 100000);
  ours.push(measure('  parse + Contact/To/Via/Call-ID/CSeq + URIs', registrarView, bytes, 100000));
  if (file.includes('r09_'))
    measure(
      '  jssip Parser.parseMessage (for scale)',
      (b) => Parser.parseMessage(b.toString('utf8'), {}),
      bytes,
      20000,
    );
}
if (ours.length > 1)
  console.log(
    `mean over ${ours.length} REGISTERs: ${(ours.reduce((a, b) => a + b, 0) / ours.length).toFixed(2)} µs CPU for parse + Contact/To/Via/Call-ID/CSeq + URIs`,
  );

// `npm start`: the blog's mid_registrar config, verbatim, live on loopback,
// with an embedded upstream registrar. The blog's 172.16.4.111 (the
// mid-registrar) and 172.16.4.114 (the main registrar) become 127.0.4.111
// and 127.0.4.114; nothing leaves 127.0.0.0/8.
import { fileURLToPath } from 'node:url';
import { EXIT, processIo, type Io } from './io.js';
import { startLive, untilStopped } from './run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/dist\/$/, '');
const MAPS = ['172.16.4.111=127.0.4.111', '172.16.4.114=127.0.4.114'];

export async function mainJob(io: Io, seconds?: number): Promise<number> {
  const upstream = await startLive(
    `${ROOT}conformance/upstream/registrar.cfg`,
    { maps: MAPS, strict: false, logPrefix: 'upstream: ' },
    // Its start-up warnings are noise here; why it could not bind (a port taken, by whom, the --map) is not.
    {
      ...io,
      err: (line) => (/cannot listen|is held by|is taken by|hint: stop it/.test(line) ? io.err(line) : undefined),
    },
  );
  if (typeof upstream === 'number') {
    io.err('opensips-ts: the embedded upstream registrar did not start');
    return upstream;
  }
  const mid = await startLive(
    `${ROOT}conformance/blog/blog-mid-registrar.cfg`,
    { maps: MAPS, strict: false, logPrefix: 'mid_registrar: ' },
    io,
  );
  if (typeof mid === 'number') {
    await upstream.stop();
    return mid;
  }
  io.out(
    [
      '',
      "The blog's mid_registrar config (conformance/blog/blog-mid-registrar.cfg, verbatim) is running:",
      "  mid_registrar    udp:127.0.4.111:5360, tcp:127.0.4.111:5360 (the blog's 172.16.4.111)",
      "  main registrar   udp:127.0.4.114:5060, tcp:127.0.4.114:5060 (the blog's 172.16.4.114, conformance/upstream/registrar.cfg)",
      'Register a softphone (or SIPp) on this machine to sip:127.0.4.111:5360; mode 0 forwards every REGISTER upstream',
      'with a ctid contact and tells the phone min(max_expires 130, what the main registrar grants).',
      "The blog's experiments (modes 0/1/2, on a virtual clock, as ladders): npx tsx src/cli/bin.ts dry-run --scenario conformance/blog/m1-much-larger.yaml",
      seconds ? `Stopping by itself after ${seconds} s.` : 'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  await untilStopped(seconds);
  await mid.stop();
  await upstream.stop();
  return EXIT.ok;
}

const arg = process.argv.find((a) => a.startsWith('--seconds='));
process.exitCode = await mainJob(processIo(), arg ? Number(arg.slice('--seconds='.length)) : undefined);

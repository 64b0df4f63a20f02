// `npm run bench:register [-- --transport tcp|tls|ws|wss]`: bench-core's REGISTER load (UDP with SIPp, or the
// transport given over persistent connections), then, for UDP, the database-backed registrar (bench-register-db).
// npm appends the arguments after `--` to the last command of a script line, hence this one entry point.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const run = (script: string, extra: string[]): number =>
  spawnSync(process.execPath, [`dist/scripts/${script}`, ...extra], { stdio: 'inherit' }).status ?? 1;

const at = args.indexOf('--transport');
const transport = at >= 0 ? args[at + 1] : 'udp';
let status = run('bench-core.js', ['register', ...args]);
if (status === 0 && transport === 'udp') status = run('bench-register-db.js', []);
process.exit(status);

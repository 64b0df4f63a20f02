// Which cfgs would start under `opensips-ts run`, and which modules block the
// others, ranked: the same report as `opensips-ts modules --coverage`.
// Usage: npx tsx scripts/native-coverage.ts DIR|FILE...
import { runCoverage } from '../src/cli/coverage.js';
import { processIo } from '../src/cli/io.js';

process.exitCode = runCoverage(process.argv.slice(2), processIo());

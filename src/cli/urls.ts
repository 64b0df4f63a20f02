// The database URLs a cfg names (every module's db_url and db_*_url
// parameter, the global db_default_url) that `run` could not open: OpenSIPS
// stops at start-up when a module cannot bind its database, and so does run.
import type { Diagnostic } from '../cfg/diagnostic.js';
import type { Script } from '../cfg/script.js';
import { parseDbUrl } from '../db/url.js';

export function urlProblems(script: Script): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (text: string, where: string, span: Diagnostic['span']): void => {
    const parsed = parseDbUrl(text);
    if (typeof parsed === 'string')
      out.push({ rule: 'url-unsupported', severity: 'error', span, message: `${where}: ${parsed}` });
  };
  const dflt = script.globals.get('db_default_url');
  if (dflt?.value.kind === 'String') check(dflt.value.value, 'db_default_url', dflt.span);
  for (const p of script.modparams) {
    if (!/^db(_[a-z]+)*_url$/.test(p.param) || p.value.kind !== 'String') continue;
    check(p.value.value, `${p.module} ${p.param}`, p.value.span);
  }
  return out;
}

// list_hdr_has_option / list_hdr_add_option / list_hdr_remove_option: the
// comma-separated option lists of headers such as Supported or Require
// (list_hdr.c): options compare without case; an added one goes after the
// last option of the first such header with a bare ','; a header left with
// no option goes.
import type { ExecContext } from '../../script/context.js';
import { currentHeaderValues, headerEdits } from '../../script/edits.js';

function options(value: string): string[] {
  return value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function listHasOption(ctx: ExecContext, header: string, option: string): number {
  return currentHeaderValues(ctx, header.toLowerCase()).some((v) => options(v).some((o) => same(o, option))) ? 1 : -1;
}

export function listAddOption(ctx: ExecContext, header: string, option: string): number {
  const name = header.toLowerCase();
  const values = currentHeaderValues(ctx, name);
  if (!values.length) return -1;
  const first = values[0]!.replace(/\s+$/, '');
  headerEdits(ctx).push({ op: 'replace', name, nth: 0, value: options(first).length ? `${first},${option}` : option });
  return 1;
}

export function listRemoveOption(ctx: ExecContext, header: string, option: string): number {
  const name = header.toLowerCase();
  let removed = 0;
  currentHeaderValues(ctx, name).forEach((value, nth) => {
    const kept = options(value).filter((o) => !same(o, option));
    if (kept.length === options(value).length) return;
    removed++;
    headerEdits(ctx).push(
      kept.length ? { op: 'replace', name, nth, value: kept.join(', ') } : { op: 'removeAt', name, nth },
    );
  });
  return removed ? 1 : -1;
}

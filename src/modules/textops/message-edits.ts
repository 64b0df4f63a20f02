// textops' whole-message edits (subst, replace, replace_all, search_append)
// as our edits can carry them: each line of the received message (the start
// line, each header line, then the body) is matched on its own, as
// OpenSIPS's REG_NEWLINE regexes stop at line ends anyway. A changed header
// line becomes a replace of that header (or its removal and a new header when
// its name changed), a changed request line a new R-URI, a changed body the
// new body. Matches are looked for in what was received, as OpenSIPS's lumps
// are; a match across two lines is not found here.
import type { ExecContext } from '../../script/context.js';
import { currentBody, headerEdits, setBodyText } from '../../script/edits.js';

/** One unit's new text, or undefined when the edit did not match there. */
export type UnitEdit = (text: string) => string | undefined;

interface HeaderLine {
  name: string;
  nth: number;
  line: string;
}

function headerLines(ctx: ExecContext): HeaderLine[] {
  const msg = ctx.msg.sip;
  if (!msg) return [];
  const seen = new Map<string, number>();
  const out: HeaderLine[] = [];
  for (const name of msg.headerNames()) {
    const key = name.toLowerCase();
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    const field = msg.fields(name)[nth];
    if (field) out.push({ name, nth, line: field.line.replace(/\r?\n$/, '') });
  }
  return out;
}

function applyToStartLine(ctx: ExecContext, before: string, after: string): void {
  const m = /^(\S+) (\S+) (\S+)$/.exec(after);
  const o = /^(\S+) (\S+) (\S+)$/.exec(before);
  if (ctx.msg.isRequest && m && o && m[1] === o[1] && m[3] === o[3]) {
    ctx.ruri = m[2]!;
    return;
  }
  ctx.runtime.logger.log(-1, 'textops', 'subst_f', 'only the R-URI of the first line can be changed by opensips-ts');
}

function applyToHeader(ctx: ExecContext, h: HeaderLine, after: string): void {
  const edits = headerEdits(ctx);
  const colon = after.indexOf(':');
  const name = colon > 0 ? after.slice(0, colon).trim() : '';
  if (name.toLowerCase() === h.name.toLowerCase()) {
    edits.push({ op: 'replace', name: h.name, nth: h.nth, value: after.slice(colon + 1).trim() });
    return;
  }
  edits.push({ op: 'removeAt', name: h.name, nth: h.nth });
  if (after.trim()) edits.push({ op: 'append', text: `${after}\r\n` });
}

/** Runs `edit` over the start line, the header lines and the body, in that order; only the first unit that changes without `global`. 1 when something changed. */
export function editMessage(ctx: ExecContext, edit: UnitEdit, global: boolean): number {
  const msg = ctx.msg.sip;
  if (!msg) return -1;
  let changed = false;
  const firstLine = ctx.msg.text.slice(0, ctx.msg.text.indexOf('\r\n') >= 0 ? ctx.msg.text.indexOf('\r\n') : undefined);
  const start = edit(firstLine);
  if (start !== undefined) {
    applyToStartLine(ctx, firstLine, start);
    changed = true;
    if (!global) return 1;
  }
  for (const h of headerLines(ctx)) {
    const after = edit(h.line);
    if (after === undefined) continue;
    applyToHeader(ctx, h, after);
    changed = true;
    if (!global) return 1;
  }
  const body = currentBody(ctx);
  if (body.length) {
    const after = edit(body);
    if (after !== undefined) {
      setBodyText(ctx, after);
      changed = true;
    }
  }
  return changed ? 1 : -1;
}

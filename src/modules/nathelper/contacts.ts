// nathelper's Contact rewrites (fix_nated_contact, add_rcv_param), kept as
// header edits like OpenSIPS's lumps: they change the message that is
// relayed, and every Contact of every Contact header is rewritten.
import type { ExecContext } from '../../script/context.js';
import { currentHeaderValues, headerEdits } from '../../script/edits.js';
import { isSipError, parseContactList, type Contact } from '../../sip/index.js';
import { stateKey } from '../../base/keys.js';

/** `sip:ip:port[;transport=x]` of the source, as create_rcv_uri() builds it. */
export function receivedUri(ctx: ExecContext): string {
  const host = ctx.src.ip.includes(':') ? `[${ctx.src.ip}]` : ctx.src.ip;
  const proto = ctx.src.proto.toLowerCase();
  return `sip:${host}:${ctx.src.port}${proto === 'udp' ? '' : `;transport=${proto}`}`;
}

/** Rewrites each contact with `fn` (its raw text in, new text out); -1 when a Contact header does not parse. */
function rewriteEach(ctx: ExecContext, fn: (c: Contact) => string): number {
  const values = currentHeaderValues(ctx, 'contact');
  const edits = headerEdits(ctx);
  for (let nth = 0; nth < values.length; nth++) {
    const list = parseContactList(values[nth]!);
    if (isSipError(list)) return -1;
    if (list.star) continue;
    edits.push({ op: 'replace', name: 'contact', nth, value: list.contacts.map(fn).join(', ') });
  }
  return 1;
}

/** The URI text inside a contact's raw text, with where it ends and whether it is in angle brackets. */
function uriSpan(c: Contact): { start: number; end: number; enclosed: boolean } {
  const start = c.raw.indexOf(c.uri);
  return { start, end: start + c.uri.length, enclosed: c.raw.charAt(start - 1) === '<' };
}

export function addRcvParam(ctx: ExecContext, asUriParam: boolean): number {
  const param = `;received="${receivedUri(ctx)}"`;
  return rewriteEach(ctx, (c) => {
    if (!asUriParam) return c.raw + param;
    const { end } = uriSpan(c);
    return c.raw.slice(0, end) + param + c.raw.slice(end);
  });
}

/** host[:port] of the URI replaced by the source address, `;maddr=` dropped, `params` right after the port. */
function natedUri(ctx: ExecContext, uri: string, params: string): string | undefined {
  const m = /^([a-z]+:(?:[^@]*@)?)(\[[^\]]+\]|[^:;?>]+)(:\d+)?(.*)$/i.exec(uri);
  if (!m) return undefined;
  const host = ctx.src.ip.includes(':') ? `[${ctx.src.ip}]` : ctx.src.ip;
  const rest = m[4]!.replace(/;maddr=[^;?]*/i, '');
  return `${m[1]}${host}:${ctx.src.port}${params}${rest}`;
}

/** fix_nated_contact() already rewrote this message's Contact (a second call is a script bug). */
const CONTACT_FIXED = stateKey<boolean>('nathelper:contact_fixed');

export function fixNatedContact(ctx: ExecContext, params: string): number {
  if (ctx.state(CONTACT_FIXED)) {
    ctx.runtime.logger.log(-1, 'nathelper', 'fix_nated_contact_f', 'SCRIPT BUG - second attempt to change URI Contact');
    return -1;
  }
  let bad = false;
  const rc = rewriteEach(ctx, (c) => {
    const { start, end, enclosed } = uriSpan(c);
    const uri = natedUri(ctx, c.uri, params);
    if (uri === undefined) {
      bad = true;
      return c.raw;
    }
    // A bare addr-spec that gains URI parameters must be enclosed, or they would read as header parameters.
    const text = !enclosed && params ? `<${uri}>` : uri;
    return c.raw.slice(0, start) + text + c.raw.slice(end);
  });
  if (rc < 0 || bad) return -1;
  ctx.setState(CONTACT_FIXED, true);
  return 1;
}

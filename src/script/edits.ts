// Header edits a script asks for, kept per message and applied when the
// message (or the local reply) is built, as OpenSIPS keeps lumps.
import type { ExecContext } from './context.js';
import { parseContactList, type ContactList } from '../sip/name-addr.js';
import type { SipError } from '../sip/result.js';
import type { SipMessage } from '../sip/message.js';
import type { SocketInfo } from '../net/types.js';
import { stateKey } from '../base/keys.js';

export type HeaderEdit =
  | { op: 'append'; text: string; anchor?: string }
  | {
      op: 'insert';
      text: string;
      anchor?: string;
      /**
       * The text for the socket the copy leaves from, when it depends on it (rr's
       * Record-Route, OpenSIPS's substitution and conditional lumps); '' leaves the header out.
       */
      render?: (send: SocketInfo | undefined) => string;
    }
  | { op: 'remove'; name: string }
  /** The `nth` header called `name` gets `value` (nathelper's Contact rewrites). */
  | { op: 'replace'; name: string; nth: number; value: string }
  /** The `nth` header called `name` goes (a list header left without options). */
  | { op: 'removeAt'; name: string; nth: number };

/** The header edits queued for the request (forwarded) and for the reply (sent back). */
const EDITS = {
  request: stateKey<HeaderEdit[]>('edits:request'),
  reply: stateKey<HeaderEdit[]>('edits:reply'),
} as const;
/** The body as the script's last edit left it. */
const BODY = stateKey<string>('edits:body');

export function headerEdits(ctx: ExecContext, target: 'request' | 'reply' = 'request'): HeaderEdit[] {
  return ctx.state(EDITS[target], () => []);
}

/** Whether the script queued any edit for `target` (without creating the list, as headerEdits() does). */
export function hasHeaderEdits(ctx: ExecContext, target: 'request' | 'reply' = 'request'): boolean {
  const list = ctx.state(EDITS[target]);
  return list !== undefined && list.length > 0;
}

/** The values of the `name` headers of the request as the script has rewritten them so far. */
export function currentHeaderValues(ctx: ExecContext, name: string): string[] {
  const values = ctx.msg.sip ? ctx.msg.sip.fields(name).map((f) => f.value) : ctx.msg.headers(name);
  for (const e of headerEdits(ctx))
    if (e.op === 'replace' && e.name === name && e.nth < values.length) values[e.nth] = e.value;
  return values;
}

/** The request's contacts as the script left them: fix_nated_contact() changes what save() stores, as in OpenSIPS. */
export function scriptContacts(ctx: ExecContext, req: SipMessage): ContactList | SipError {
  if (!hasHeaderEdits(ctx) || !headerEdits(ctx).some((e) => e.op === 'replace' && e.name === 'contact'))
    return req.contacts();
  return parseContactList(currentHeaderValues(ctx, 'contact').join(', '));
}

/** The body as the script's own edits left it (OpenSIPS applies every body lump; each edit here starts from the last). */
export function currentBody(ctx: ExecContext): string {
  return ctx.state(BODY) ?? ctx.msg.sip?.body.toString('latin1') ?? ctx.msg.body;
}

/** Replaces the body of the outgoing message (Content-Length follows at serialization). */
export function setBodyText(ctx: ExecContext, text: string): void {
  ctx.setState(BODY, text);
  ctx.msg.sip?.setBody(Buffer.from(text, 'latin1'));
}

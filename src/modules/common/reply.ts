// Local replies (sl, signaling, tm, registrar) built the way OpenSIPS builds
// them and handed to the runtime's transport: from the receiving socket to
// the source address (rport) or the Via port.
import { buildReplyText, replyDestination } from '../../sip/index.js';
import { FORCE_RPORT, type ExecContext } from '../../script/context.js';
import { hasHeaderEdits, headerEdits } from '../../script/edits.js';
import { transactionOf, liveTm } from '../tm/api.js';
import { slState, tmTags } from './tags.js';
import { slReplySent } from './sl-stats.js';

export interface LocalReplyOptions {
  headers?: [string, string][];
  /** A body (t_reply_with_body); its Content-Type comes from append_to_reply, as in OpenSIPS. */
  body?: string;
  /** Which function sends it, for traces. */
  via: string;
}

const NONE: readonly (readonly [string, string])[] = Object.freeze([]);

/** Headers queued with append_to_reply(), as [name, value] pairs. */
function appendedToReply(ctx: ExecContext): readonly (readonly [string, string])[] {
  if (!hasHeaderEdits(ctx, 'reply')) return NONE;
  const out: [string, string][] = [];
  for (const e of headerEdits(ctx, 'reply')) {
    if (e.op !== 'append') continue;
    for (const line of e.text.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }
  return out;
}

export function sendLocalReply(ctx: ExecContext, code: number, reason: string, opts: LocalReplyOptions): number {
  const req = ctx.msg.sip;
  if (!req || !req.isRequest) return -1;
  if (req.method === 'ACK') return 1; // an ACK is never answered
  const t = transactionOf(ctx);
  // tm's tag inside a transaction, sl's outside; either is computed only when the reply needs one.
  const sl = t ? undefined : slState(ctx.runtime);
  const toTag = sl ? sl.tags : tmTags(ctx.runtime);
  const forceRport = ctx.state(FORCE_RPORT) === true;
  const server = ctx.runtime.serverHeader;
  // A plain literal (no spreads): this runs for every stateless reply.
  const text = buildReplyText(
    req,
    code,
    reason,
    {
      toTag,
      headers: opts.headers ? [...opts.headers, ...appendedToReply(ctx)] : appendedToReply(ctx),
      server: server ? server : undefined,
      source: ctx.src,
      forceRport,
    },
    opts.body,
  );
  const dest =
    ctx.src.proto === 'udp' ? replyDestination(req, ctx.src, { forceRport }) : { host: ctx.src.ip, port: ctx.src.port };
  if (t) t.lastReply = { code, text };
  else {
    sl!.replied();
    slReplySent(ctx.runtime.services, code);
  }
  const to = { proto: ctx.src.proto, ip: dest.host, port: dest.port };
  ctx.runtime.transport.send({ kind: 'reply', from: ctx.socketIn, to, text, via: opts.via });
  if (t) liveTm(ctx)?.replied(ctx, code, Buffer.from(text), to);
  return 1;
}

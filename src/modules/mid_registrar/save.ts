// mid_registrar_save() (mid-registrar-semantics.md §2): validate the REGISTER,
// then forward it (1: a transaction exists, the script must t_relay()), absorb
// it (2: answered locally), or fail (-1). Forwarding registers the tm hooks
// that rewrite the outgoing request (forward.ts) and process the 2xx (reply.ts).
import { scriptContacts } from '../../script/edits.js';
import type { Contact } from '../../sip/name-addr.js';
import { isSipError } from '../../sip/result.js';
import { urisEqual } from '../../sip/uri-compare.js';
import type { ExecContext } from '../../script/context.js';
import { signalingReply } from '../signaling/index.js';
import { createTransaction, tmHooks, transactionOf, liveTm } from '../tm/api.js';
import { usrlocOf } from '../usrloc/api.js';
import { extractAor } from '../common/reg/aor.js';
import { parseSaveFlags, type SaveFlags } from '../common/reg/flags.js';
import { rewriteRequest, type Forward } from './forward.js';
import { processReply } from './reply.js';
import { midSettings, requestedExpires, type MidSettings } from './settings.js';
import { absorbReply, throttleAor, throttleContacts } from './throttle.js';
import { parserError } from '../../script/errinfo.js';

function fail(ctx: ExecContext, f: SaveFlags, code: number, text: string): number {
  if (!f.noReply)
    signalingReply(
      ctx,
      code,
      code === 501
        ? 'Not Implemented'
        : code === 503
          ? 'Service Unavailable'
          : code >= 500
            ? 'Server Internal Error'
            : 'Bad Request',
      [['P-Registrar-Error', text]],
      'mid_registrar_save',
    );
  return -1;
}

export function midRegistrarSave(
  ctx: ExecContext,
  domainName: string,
  flagsText: string,
  aorUri: string | undefined,
  outArg?: number,
): number {
  const req = ctx.msg.sip;
  const f = parseSaveFlags(flagsText);
  if (!req || !req.isRequest || req.method !== 'REGISTER') return fail(ctx, f, 501, 'Not Implemented');
  const s = midSettings(ctx.runtime);
  const ul = usrlocOf(ctx.runtime);
  if (!req.header('to') || req.callId === undefined || !req.cseq || isSipError(req.cseq))
    return fail(ctx, f, 400, 'Message parse error');
  const headerExpires = req.expires;
  if (isSipError(headerExpires)) {
    ctx.setError(parserError('error parsing EXPIRE header', 'bad headers'));
    return fail(ctx, f, 400, 'Expires parse error');
  }
  const list = scriptContacts(ctx, req);
  if (isSipError(list)) {
    ctx.setError(parserError('error parsing CONTACT headers', 'bad headers'));
    return fail(ctx, f, 400, 'Contact parse error');
  }
  const to = req.to;
  const a = extractAor(aorUri ?? (to && !isSipError(to) ? to.uri : ''), ul.useDomain, s);
  if ('error' in a) return fail(ctx, f, a.code, a.error);
  if (list.star && (headerExpires !== 0 || list.contacts.length))
    return fail(ctx, f, 400, '* used in contact and expires is not zero');
  // No Contact: a query answered locally, listing nothing (§2 #5).
  if (!list.star && !list.contacts.length) {
    if (!f.noReply) signalingReply(ctx, 200, 'OK', [], 'mid_registrar_save');
    return 2;
  }
  const d = ul.domain(domainName);
  const record = d.get(a.aor);
  if (!list.star && record && s.mode !== 0) {
    const decision =
      s.mode === 1
        ? throttleContacts(ctx, d, record, list.contacts, headerExpires, s, f)
        : throttleAor(ctx, d, record, list.contacts, headerExpires, s, f);
    if (decision !== 'forward') {
      if (decision.rc < 0) return fail(ctx, f, decision.code ?? 500, decision.text ?? 'Server Internal Error');
      if (!f.noReply) absorbReply(ctx, d, a.aor, s, f, list.contacts);
      return decision.rc;
    }
  }
  return forward(ctx, domainName, a.aor, list.contacts, list.star, headerExpires, s, f, outArg);
}

function forward(
  ctx: ExecContext,
  domainName: string,
  aor: string,
  contacts: readonly Contact[],
  star: boolean,
  headerExpires: number | undefined,
  s: MidSettings,
  f: SaveFlags,
  outArg: number | undefined,
): number {
  // The transaction exists from now on; a retransmission stops the script.
  const live = liveTm(ctx);
  const known = live?.existing(ctx);
  if (known) {
    live!.absorb(known);
    return 0;
  }
  if (!transactionOf(ctx)) createTransaction(ctx, 'mid_registrar_save');
  const req = ctx.msg.sip!;
  const ul = usrlocOf(ctx.runtime);
  const d = ul.domain(domainName);
  // Modes 0/1 create the (still empty) record at forward time; mode 2 when the 2xx comes.
  const record = s.mode === 2 ? d.get(aor) : d.getOrCreate(aor);
  const idRecord = record ?? d.getOrCreate(aor);
  const mappings = contacts.map((c) => {
    const existing = idRecord.bindings.find((b) => urisEqual(b.uri, c.uri));
    return {
      contact: c,
      e: requestedExpires(c, headerExpires, s, true),
      eRaw: requestedExpires(c, headerExpires, s, false),
      ctid: existing?.contactId ?? d.newContactId(idRecord),
    };
  });
  if (!record && !idRecord.bindings.length && d.get(aor) === idRecord) d.records.delete(aor);
  const fwd: Forward = {
    aor,
    star,
    flags: f,
    mappings,
    cflags: ctx.branchFlags[0] ?? 0,
    socketIn: ctx.socketIn,
    src: { ...ctx.src },
    ua: req.userAgent,
    out: outArg && outArg > 0 ? outArg : s.outgoingExpires,
    from: req.header('from') ?? '',
    to: req.header('to') ?? '',
    ruri: '',
    hop: '',
    msgFlags: 0,
  };
  tmHooks(ctx).push({
    requestForwarded: (msg, from) => {
      fwd.ruri = msg.ruri;
      fwd.hop = ctx.du && ctx.du !== msg.ruri ? ctx.du : '';
      fwd.msgFlags = ctx.msgFlags;
      rewriteRequest(ctx, msg, from, fwd, s, ul.useDomain);
    },
    responseIn: (reply, out) => processReply(ctx, domainName, fwd, reply, out, s),
  });
  return 1;
}

// sipmsgops: message tests and header edits (is_method, has_totag, ...).
import type { FunctionBehaviour, NativeModule } from '../types.js';
import { audioOnHold, codecOp, streamOp } from './codecs.js';
import type { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import { escapeRegex, globRegex, posixRegex } from '../../script/regex.js';
import { regexFixup } from '../common/fixups.js';
import { isUriUserE164, ruriAddParam, ruriDelParam, ruriHasParam, ruriTel2Sip } from './uri.js';
import { isPrivacy, privacyFixup } from './privacy.js';
import { listAddOption, listHasOption, listRemoveOption } from './list-hdr.js';

/** Every header whose name matches goes (each name once); -1 when none did. */
function removeMatching(ctx: ExecContext, matches: (name: string) => boolean): number {
  const names = [...new Set(ctx.msg.sip?.headerNames() ?? [])].filter(matches);
  for (const name of names) headerEdits(ctx).push({ op: 'remove', name });
  return names.length ? 1 : -1;
}

/** append_time()'s Date header: RFC 1123 in GMT (strftime "%a, %d %b %Y %H:%M:%S GMT"). */
function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

const KNOWN_METHODS = new Set([
  'INVITE',
  'CANCEL',
  'ACK',
  'BYE',
  'INFO',
  'OPTIONS',
  'UPDATE',
  'REGISTER',
  'MESSAGE',
  'SUBSCRIBE',
  'NOTIFY',
  'PRACK',
  'REFER',
  'PUBLISH',
]);

/** is_uri_user_e164's test, which auth's is_rpid_user_e164 applies to the RPID URI. */
export { isUriUserE164 };

/** stream_*: the media regex and the optional transport regex. */
const bothRegexes: FunctionBehaviour['fixup'] = (args, report) => {
  regexFixup(0)(args, report);
  regexFixup(1)(args, report);
};

export const sipmsgops: NativeModule = {
  name: 'sipmsgops',
  functions: {
    is_method: {
      returns: [1, -1],
      impl: (ctx, [m]) => {
        const method = ctx.msg.method;
        const wanted = (m?.str ?? '').split('|').map((x) => x.trim());
        // Known methods compare by id (exact, upper case); unknown ones by name ignoring case.
        return wanted.some((w) =>
          KNOWN_METHODS.has(w.toUpperCase())
            ? w.toUpperCase() === method.toUpperCase() && KNOWN_METHODS.has(method.toUpperCase())
            : w.toLowerCase() === method.toLowerCase(),
        )
          ? 1
          : -1;
      },
    },
    has_totag: { returns: [1, -1], impl: (ctx) => (ctx.msg.to?.tag ? 1 : -1) },
    has_body: {
      returns: [1, -1],
      impl: (ctx, [mime]) => {
        if (!ctx.msg.body.length) return -1;
        if (!mime?.str) return 1;
        // With a MIME type: the Content-Type must be it (multipart bodies: one of the parts).
        const wanted = mime.str.trim().toLowerCase();
        const type = (ctx.msg.header('content-type') ?? 'application/sdp').split(';')[0]!.trim().toLowerCase();
        if (type === wanted) return 1;
        return type.startsWith('multipart/') &&
          new RegExp(`^content-type:\\s*${escapeRegex(wanted)}\\s*(;|$)`, 'im').test(ctx.msg.body)
          ? 1
          : -1;
      },
    },
    is_present_hf: { returns: [1, -1], impl: (ctx, [name]) => (ctx.msg.headers(name?.str ?? '').length ? 1 : -1) },
    append_hf: {
      returns: [1, -1],
      impl: (ctx, [text, after]) => {
        headerEdits(ctx).push({ op: 'append', text: text?.str ?? '', ...(after?.str ? { anchor: after.str } : {}) });
        return 1;
      },
    },
    insert_hf: {
      returns: [1, -1],
      impl: (ctx, [text, before]) => {
        headerEdits(ctx).push({ op: 'insert', text: text?.str ?? '', ...(before?.str ? { anchor: before.str } : {}) });
        return 1;
      },
    },
    remove_hf: {
      returns: [1, -1],
      impl: (ctx, [name]) => {
        const n = name?.str ?? '';
        if (!ctx.msg.headers(n).length) return -1;
        headerEdits(ctx).push({ op: 'remove', name: n });
        return 1;
      },
    },
    ruri_has_param: {
      returns: [1, -1],
      impl: (ctx, [name, value]) => ruriHasParam(ctx, name?.str ?? '', value?.given ? value.str : undefined),
    },
    ruri_add_param: { returns: [1, -1], impl: (ctx, [param]) => ruriAddParam(ctx, param?.str ?? '') },
    ruri_del_param: { returns: [1, -1], impl: (ctx, [name]) => ruriDelParam(ctx, name?.str ?? '') },
    ruri_tel2sip: { returns: [1, -1], impl: (ctx) => ruriTel2Sip(ctx) },
    is_privacy: { returns: [1, -1], fixup: privacyFixup, impl: (ctx, [v]) => isPrivacy(ctx, v?.str ?? '') },
    is_uri_user_e164: { returns: [1, -1], impl: (_ctx, [uri]) => isUriUserE164(uri?.str ?? '') },
    remove_hf_re: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re]) => removeMatching(ctx, (n) => posixRegex(re?.str ?? '').test(n)),
    },
    remove_hf_glob: {
      returns: [1, -1],
      impl: (ctx, [glob]) => removeMatching(ctx, (n) => globRegex(glob?.str ?? '', true).test(n)),
    },
    append_urihf: {
      returns: [1, -1],
      impl: (ctx, [prefix, suffix]) => {
        headerEdits(ctx).push({ op: 'append', text: `${prefix?.str ?? ''}${ctx.ruri}${suffix?.str ?? ''}` });
        return 1;
      },
    },
    append_time: {
      returns: [1, -1],
      impl: (ctx) => {
        headerEdits(ctx, 'reply').push({ op: 'append', text: `Date: ${httpDate(ctx.runtime.clock.now())}\r\n` });
        return 1;
      },
    },
    list_hdr_has_option: { returns: [1, -1], impl: (ctx, [h, o]) => listHasOption(ctx, h?.str ?? '', o?.str ?? '') },
    list_hdr_add_option: { returns: [1, -1], impl: (ctx, [h, o]) => listAddOption(ctx, h?.str ?? '', o?.str ?? '') },
    list_hdr_remove_option: {
      returns: [1, -1],
      impl: (ctx, [h, o]) => listRemoveOption(ctx, h?.str ?? '', o?.str ?? ''),
    },
    change_reply_status: {
      returns: [1, -1],
      impl: (ctx, [code, reason]) => {
        const msg = ctx.msg.sip;
        const c = code?.int ?? 0;
        if (!msg || msg.isRequest || c < 100 || c > 699) return -1;
        // Only a negative final reply may become another class (sipmsgops.c).
        if ((c < 300 || msg.status < 300) && Math.floor(c / 100) !== Math.floor(msg.status / 100)) {
          ctx.runtime.logger.log(
            -1,
            'sipmsgops',
            'change_reply_status_f',
            'the class of provisional or positive final replies cannot be changed',
          );
          return -1;
        }
        msg.setStatus(c, reason?.str ?? '');
        return 1;
      },
    },
    append_to_reply: {
      returns: [1, -1],
      impl: (ctx, [text]) => {
        headerEdits(ctx, 'reply').push({ op: 'append', text: text?.str ?? '' });
        return 1;
      },
    },
    ...codecFunctions(),
    is_audio_on_hold: { returns: [1, 2, -1], impl: (ctx) => audioOnHold(ctx) },
    stream_exists: {
      returns: [1, -1],
      fixup: bothRegexes,
      impl: (ctx, [media, transport]) =>
        streamOp(ctx, media?.str ?? '', transport?.given ? transport.str : undefined, false),
    },
    stream_delete: {
      returns: [1, -1],
      fixup: bothRegexes,
      impl: (ctx, [media, transport]) =>
        streamOp(ctx, media?.str ?? '', transport?.given ? transport.str : undefined, true),
    },
  },
};

/** codec_exists/_delete/_move_up/_move_down by name (and clock) and by regex, codec_delete_except_re. */
function codecFunctions(): Record<string, FunctionBehaviour> {
  const byName = (op: 'find' | 'delete' | 'front' | 'back'): FunctionBehaviour => ({
    returns: [1, -1],
    // codec_exists() looks at the name only (DESC_NAME); the others at the clock too when one is given.
    impl: (ctx, [name, clock]) =>
      codecOp(
        ctx,
        {
          kind: 'name',
          name: name?.str ?? '',
          ...(clock?.given && clock.str !== undefined ? { clock: clock.str } : {}),
          useClock: op !== 'find',
        },
        op,
      ),
  });
  const byRe = (op: 'find' | 'delete' | 'front' | 'back', complement = false): FunctionBehaviour => ({
    returns: [1, -1],
    fixup: regexFixup(0),
    impl: (ctx, [re]) => codecOp(ctx, { kind: 're', re: re?.str ?? '', complement }, op),
  });
  return {
    codec_exists: byName('find'),
    codec_delete: byName('delete'),
    codec_move_up: byName('front'),
    codec_move_down: byName('back'),
    codec_exists_re: byRe('find'),
    codec_delete_re: byRe('delete'),
    codec_move_up_re: byRe('front'),
    codec_move_down_re: byRe('back'),
    codec_delete_except_re: byRe('delete', true),
  };
}

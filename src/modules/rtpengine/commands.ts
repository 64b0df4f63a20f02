// One rtpengine command from the script (rtpe_function_call): the flags
// parsed, the dictionary built in 3.3's key order (sdp, flag entries, lists,
// call-id, via-branch, received-from, tags, command), sent to the node the
// Call-ID picks (another one of the set when it does not answer), and the
// reply read: result ok (or anything but error for the simpler commands), the
// new SDP into the body or into a variable.
import { isIPv4, isIPv6 } from 'node:net';
import type { ExecContext } from '../../script/context.js';
import { currentBody, setBodyText } from '../../script/edits.js';
import { expandFormat, pvNamed } from '../../script/pv.js';
import { isSipError } from '../../sip/result.js';
import type { ArgValue } from '../types.js';
import type { BValue } from './bencode.js';
import { parseRtpeFlags, type ParsedFlags } from './flags.js';
import { CHOSEN_SET, exchange, rtpeState, selectNode, type RtpeSet } from './nodes.js';

/** Commands that need `result: ok` exactly; the others succeed on anything but `error`. */
const NEED_OK = new Set(['offer', 'answer', 'play media', 'play DTMF', 'query']);
/** Commands that only name the call (and the from-tag when directional). */
const CALL_ONLY = new Set([
  'play media',
  'stop media',
  'block media',
  'unblock media',
  'block DTMF',
  'unblock DTMF',
  'start forwarding',
  'stop forwarding',
]);

export interface CommandArgs {
  flags?: ArgValue;
  sockVar?: ArgValue;
  sdpVar?: ArgValue;
  body?: ArgValue;
  durationVar?: ArgValue;
  /** Keys before all others (play DTMF's code). */ extra?: Record<string, BValue>;
  /** Sees rtpengine's answer (query, delete: $rtpquery/$rtpstat read it). */ onReply?: (
    reply: Record<string, BValue>,
  ) => void;
}

/** -1, logged; error_pv gets `errorText` (the why by default; null leaves it alone). */
function fail(ctx: ExecContext, why: string, errorText: string | null = why): number {
  ctx.runtime.logger.log(-1, 'rtpengine', 'rtpe_function_call', why);
  const pv = ctx.runtime.param('rtpengine', 'error_pv');
  if (errorText !== null && typeof pv === 'string' && pv) pvNamed(ctx, pv)?.set?.(ctx, errorText, '=');
  return -1;
}

/** The set rtpengine_use_set() or setid_avp chose, else set 0. */
function setFor(ctx: ExecContext): RtpeSet | string {
  const sets = rtpeState(ctx.runtime).sets;
  let id = ctx.state(CHOSEN_SET);
  const avp = ctx.runtime.param('rtpengine', 'setid_avp');
  if (typeof avp === 'string' && avp) {
    const v = pvNamed(ctx, avp)?.get(ctx);
    if (typeof v === 'string') return 'setid_avp holds a string';
    if (typeof v === 'number') id = v;
  }
  const set = sets.find((s) => s.id === (id ?? 0));
  return set ?? `no rtpengine set ${id ?? 0}`;
}

function viaBranch(ctx: ExecContext, f: ParsedFlags): string | undefined {
  if (f.viaBranchParam !== undefined) return f.viaBranchParam || undefined;
  if (f.viaBranch === '1' || f.viaBranch === '2') {
    const vias = ctx.msg.sip?.vias();
    const v = vias && !isSipError(vias) ? vias[Number(f.viaBranch) - 1] : undefined;
    return v?.branch || undefined;
  }
  if (f.viaBranch === 'extra') {
    const spec = ctx.runtime.param('rtpengine', 'extra_id_pv');
    return typeof spec === 'string' && spec ? expandFormat(ctx, spec) || undefined : undefined;
  }
  return undefined; // 'auto' always fails in 3.3
}

/** The from-tag / to-tag pair to send, after 3.3's swap rules; an error text when a needed tag is missing. */
function tags(ctx: ExecContext, command: string, f: ParsedFlags, noToTag: boolean): [string, BValue][] | string {
  const from = f.fromTag ?? ctx.msg.from?.tag ?? '';
  const to = f.toTag ?? ctx.msg.to?.tag ?? '';
  if (!from) return "can't get From tag";
  if (CALL_ONLY.has(command)) return f.directional ? [['from-tag', from]] : [];
  const withTo = command !== 'delete' || f.forceToTag;
  const request = ctx.msg.isRequest;
  if (
    f.directional ||
    (request && command !== 'answer') ||
    (!request && (command === 'delete' || command === 'answer'))
  ) {
    return withTo && to && !noToTag
      ? [
          ['from-tag', from],
          ['to-tag', to],
        ]
      : [['from-tag', from]];
  }
  if (!to) return 'No to-tag present';
  // play DTMF builds its own dictionary: never a to-tag.
  return noToTag
    ? [['from-tag', to]]
    : [
        ['from-tag', to],
        ['to-tag', from],
      ];
}

/** The SDP of the message: its body when it is application/sdp (multipart bodies are not looked into). */
export function messageSdp(ctx: ExecContext): string | undefined {
  const type = (ctx.msg.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  const body = currentBody(ctx);
  return type === 'application/sdp' && body.trim() !== '' ? body : undefined;
}

export function runCommand(ctx: ExecContext, commandIn: string, a: CommandArgs): number {
  const rt = ctx.runtime;
  const parsed = parseRtpeFlags(a.flags?.str ?? '', commandIn);
  if (typeof parsed === 'string') return fail(ctx, `could not parse flags: ${parsed}`, 'could not parse flags');
  const command = parsed.forceAnswer ? 'answer' : commandIn;
  if (commandIn === 'answer' && ctx.msg.isRequest && ctx.msg.method !== 'ACK' && ctx.msg.method !== 'PRACK')
    return fail(ctx, 'answer on a request other than ACK or PRACK', null);
  const dict: Record<string, BValue> = { ...a.extra };
  if (commandIn === 'offer' || commandIn === 'answer') {
    // The message body is bytes (latin1 text here): sent as they came.
    const sdp = a.body?.given ? (a.body.str ?? '') : messageSdp(ctx);
    if (!sdp) return fail(ctx, 'no SDP in the message');
    dict.sdp = a.body?.given ? sdp : Buffer.from(sdp, 'latin1');
  }
  for (const [k, v] of parsed.entries) dict[k] = v;
  if (parsed.direction.length) dict.direction = parsed.direction;
  if (parsed.flags.length) dict.flags = parsed.flags;
  if (parsed.replace.length) dict.replace = parsed.replace;
  if (parsed.transport) dict['transport-protocol'] = parsed.transport;
  if (parsed.rtcpMux.length) dict['rtcp-mux'] = parsed.rtcpMux;
  const callId = parsed.callId ?? ctx.msg.callId ?? '';
  if (!callId) return fail(ctx, "can't get Call-Id field");
  dict['call-id'] = callId;
  if (parsed.viaBranch !== undefined || parsed.viaBranchParam !== undefined) {
    const branch = viaBranch(ctx, parsed);
    if (!branch) return fail(ctx, "can't get Via branch/extra ID");
    dict['via-branch'] = branch;
  }
  const src = parsed.receivedFrom ?? ctx.src.ip;
  const family = isIPv6(src) ? 'IP6' : isIPv4(src) ? 'IP4' : undefined;
  if (!family) return fail(ctx, `bad received-from address '${src}'`);
  dict['received-from'] = [family, src];
  const t = tags(ctx, command, parsed, a.extra !== undefined);
  if (typeof t === 'string') return fail(ctx, t);
  for (const [k, v] of t) dict[k] = v;
  dict.command = command;
  return send(ctx, command, dict, a);
}

function send(ctx: ExecContext, command: string, dict: Record<string, BValue>, a: CommandArgs): number {
  const set = setFor(ctx);
  if (typeof set === 'string') return fail(ctx, set);
  for (;;) {
    const node = selectNode(set.nodes, String(dict['call-id'] ?? ''));
    if (!node) return fail(ctx, 'no available proxies');
    const reply = exchange(ctx.runtime, node, dict);
    if (!reply) continue; // that node is disabled now: the next one
    a.sockVar?.pv?.set(ctx, node.url);
    a.onReply?.(reply);
    if (reply.result === 'error') {
      const reason = reply['error-reason'];
      return fail(ctx, `proxy replied with error: ${String(reason ?? '')}`, typeof reason === 'string' ? reason : null);
    }
    if (NEED_OK.has(command) && reply.result !== 'ok') return fail(ctx, "proxy didn't return ok");
    if (command === 'offer' || command === 'answer') return newSdp(ctx, reply, a);
    if (command === 'play media') a.durationVar?.pv?.set(ctx, typeof reply.duration === 'number' ? reply.duration : -1);
    return 1;
  }
}

function newSdp(ctx: ExecContext, reply: Record<string, BValue>, a: CommandArgs): number {
  const sdp = reply.sdp;
  if (typeof sdp !== 'string') return fail(ctx, 'no SDP in the reply of the proxy');
  if (a.sdpVar?.pv) {
    a.sdpVar.pv.set(ctx, sdp);
    return 1;
  }
  if (!messageSdp(ctx)) return fail(ctx, 'cannot change old body');
  setBodyText(ctx, Buffer.from(sdp, 'utf8').toString('latin1'));
  return 1;
}

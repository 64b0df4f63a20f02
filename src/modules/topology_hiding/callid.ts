// topology_hiding("C"): the callee's side sees the Call-ID masked as
// th_callid_prefix + word64(Call-ID XOR th_callid_passwd). As OpenSIPS does
// it with its raw processing callbacks: every received message whose
// Call-ID carries the prefix is unmasked before it is parsed (so the script,
// MI and the dialog only ever see the caller's Call-ID), and every message
// leaving towards the callee of such a dialog is masked just before it is
// sent: an initial request, a sequential request from the caller, a reply to
// the callee's request.
import { serviceKey } from '../../base/keys.js';
import type { Runtime } from '../../script/runtime.js';
import { parseSipMessage } from '../../sip/index.js';
import { isSipError } from '../../sip/result.js';
import { word64decode, word64encode, xor } from './codec.js';

interface MaskedCalls {
  /** Call-ID (the caller's) -> the caller's From tag, for dialogs with the C flag. */
  callerTag: Map<string, string>;
}

const MASKED = serviceKey<MaskedCalls>('topology_hiding:masked');

export function maskedCalls(rt: Runtime): MaskedCalls {
  return rt.service(MASKED, () => ({ callerTag: new Map() }));
}

function prefix(rt: Runtime): string {
  return String(rt.param('topology_hiding', 'th_callid_prefix') ?? 'DLGCH_');
}

function password(rt: Runtime): string {
  return String(rt.param('topology_hiding', 'th_callid_passwd') ?? 'OpenSIPS');
}

export function encodeCallId(rt: Runtime, callId: string): string {
  return prefix(rt) + word64encode(xor(Buffer.from(callId, 'latin1'), password(rt)));
}

export function decodeCallId(rt: Runtime, masked: string): string | undefined {
  const p = prefix(rt);
  if (masked.length <= p.length || !masked.startsWith(p)) return undefined;
  const raw = word64decode(masked.slice(p.length));
  return raw && xor(raw, password(rt)).toString('latin1');
}

/** REGISTER, PUBLISH and SUBSCRIBE are never touched (MSG_SKIP_BITMASK). */
const SKIPPED = new Set(['REGISTER', 'PUBLISH', 'SUBSCRIBE']);

function rewrite(data: Buffer, value: string): Buffer {
  const parsed = parseSipMessage(data);
  if (parsed.error !== undefined) return data;
  parsed.msg.replaceHeader('call-id', value, 0);
  return parsed.msg.serialize();
}

/** pre raw: a masked Call-ID (a sequential request or a reply from the callee) is unmasked. */
export function unmaskIncoming(rt: Runtime, data: Buffer): Buffer {
  const p = prefix(rt);
  if (!p || data.indexOf(p, 0, 'latin1') < 0) return data;
  const parsed = parseSipMessage(data);
  if (parsed.error !== undefined) return data;
  const msg = parsed.msg;
  const cseq = msg.cseq;
  if (!cseq || isSipError(cseq) || SKIPPED.has(cseq.method)) return data;
  const to = msg.to;
  if (msg.isRequest && (!to || isSipError(to) || !to.tag)) return data; // an initial request is masked on the way out only
  const callId = msg.callId;
  const plain = callId && decodeCallId(rt, callId);
  return plain ? rewrite(data, plain) : data;
}

/** post raw: what goes to the callee of a dialog with the C flag gets the masked Call-ID. */
export function maskOutgoing(rt: Runtime, data: Buffer): Buffer {
  const calls = maskedCalls(rt).callerTag;
  if (!calls.size) return data;
  const parsed = parseSipMessage(data);
  if (parsed.error !== undefined) return data;
  const msg = parsed.msg;
  const callId = msg.callId;
  const callerTag = callId === undefined ? undefined : calls.get(callId);
  if (callerTag === undefined) return data;
  const cseq = msg.cseq;
  if (!cseq || isSipError(cseq) || SKIPPED.has(cseq.method)) return data;
  const from = msg.from;
  const fromTag = from && !isSipError(from) ? from.tag : undefined;
  const to = msg.to;
  const toTag = to && !isSipError(to) ? to.tag : undefined;
  const towardsCallee = msg.isRequest ? !toTag || fromTag === callerTag : fromTag !== callerTag;
  return towardsCallee ? rewrite(data, encodeCallId(rt, callId!)) : data;
}

export function installCallIdMasking(rt: Runtime): void {
  const guard = (fn: (rt: Runtime, d: Buffer) => Buffer) => (d: Buffer) => {
    try {
      return fn(rt, d);
    } catch (err) {
      rt.logger.log(-1, 'topology_hiding', 'topo_callid_raw', `Call-ID masking failed: ${(err as Error).message}`);
      return d;
    }
  };
  rt.rawProcessing.pre.push(guard(unmaskIncoming));
  rt.rawProcessing.post.push(guard(maskOutgoing));
}

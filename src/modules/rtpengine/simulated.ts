// The rtpengine that dry-runs and scenarios talk to (no packet leaves the
// process): it answers ping with pong and every other command with ok,
// offers and answers with the SDP they carried, unchanged. The dry-run trace
// shows each command as it would have been sent.
import type { Runtime } from '../../script/runtime.js';
import type { ControlChannel } from '../../net/types.js';
import { bdecode, bencode, type BValue } from './bencode.js';

export function simulatedRtpengine(rt: Runtime): ControlChannel {
  return {
    request: (host, port, payload, prefix) => {
      const dict = bdecode(payload.subarray(prefix.length));
      if (typeof dict !== 'object' || Array.isArray(dict) || Buffer.isBuffer(dict)) return undefined;
      const command = String(dict.command ?? '');
      if (command !== 'ping')
        rt.logger.log(
          2,
          'rtpengine',
          'rtpe_function_call',
          `simulated rtpengine ${host}:${port}: ${command} ${JSON.stringify(dict)}`,
        );
      const reply: Record<string, BValue> =
        command === 'ping'
          ? { result: 'pong' }
          : typeof dict.sdp === 'string'
            ? { result: 'ok', sdp: dict.sdp }
            : { result: 'ok' };
      return Buffer.concat([prefix, bencode(reply)]);
    },
  };
}

// The script's choice of TLS client domain for a request it sends (tls_mgm's
// client_tls_domain_avp / client_sip_domain_avp): tls_mgm installs the reader
// of its AVPs, the senders (t_relay, forward, send) attach what it reads to a
// tls or wss destination, and the TLS layer uses it when it opens a new
// connection (an open one is reused whatever the AVPs say, as in 3.3).
import { peek, serviceKey } from '../base/keys.js';
import type { Peer, TlsClientChoice } from '../net/types.js';
import type { ExecContext } from './context.js';

export const TLS_CLIENT_CHOICE = serviceKey<(ctx: ExecContext) => TlsClientChoice | undefined>('tls_mgm:client-choice');

/** `target` with the script's TLS client-domain choice when it is a TLS or WSS destination and the AVPs are set. */
export function withTlsClientChoice<P extends Peer>(ctx: ExecContext, target: P): P {
  if (target.proto !== 'tls' && target.proto !== 'wss') return target;
  const choice = peek(ctx.runtime.services, TLS_CLIENT_CHOICE)?.(ctx);
  return choice ? { ...target, tlsClient: choice } : target;
}

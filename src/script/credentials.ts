// The credentials an authorize function accepted for the message. OpenSIPS
// keeps them on the parsed Authorization/Proxy-Authorization header
// (get_authorized_cred), where the core's $Au and auth_db's checks find them;
// here they are per-message state the auth module writes and anyone reads.
import { stateKey } from '../base/keys.js';
import type { Credentials } from '../sip/scalars.js';
import type { ExecContext } from './context.js';

export const AUTHORIZED_CREDENTIALS = {
  www: stateKey<Credentials>('auth:authorized:www'),
  proxy: stateKey<Credentials>('auth:authorized:proxy'),
} as const;

/** The accepted credentials, Authorization first, if any. */
export function authorizedCredentials(ctx: ExecContext): Credentials | undefined {
  return ctx.state(AUTHORIZED_CREDENTIALS.www) ?? ctx.state(AUTHORIZED_CREDENTIALS.proxy);
}

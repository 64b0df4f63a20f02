// Nonces the auth module hands out: opaque random strings remembered with
// their expiry, qop and algorithm. As with OpenSIPS's nonce index check
// (disable_nonce_check 0), a nonce is good for one authorization; a used,
// expired or unknown one is stale.
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../script/runtime.js';
import type { Algorithm } from '../common/digest.js';
import { serviceKey } from '../../base/keys.js';

interface Issued {
  expiresMs: number;
  qop: string;
  alg: Algorithm;
  used: boolean;
}

export class NonceStore {
  private readonly issued = new Map<string, Issued>();

  constructor(
    private readonly now: () => number,
    private readonly lifetimeSec: number,
    private readonly singleUse: boolean,
  ) {}

  issue(qop: string, alg: Algorithm): string {
    this.sweep();
    const nonce = randomBytes(18).toString('base64url');
    this.issued.set(nonce, { expiresMs: this.now() + this.lifetimeSec * 1000, qop, alg, used: false });
    return nonce;
  }

  /** Whether the nonce is ours, unexpired, for that qop/algorithm and (with the check on) unused; a good one is marked used. */
  take(nonce: string, qop: string, alg: Algorithm): boolean {
    const n = this.issued.get(nonce);
    if (!n || n.expiresMs <= this.now() || n.alg !== alg || !qopMatches(n.qop, qop)) return false;
    if (this.singleUse && n.used) return false;
    n.used = true;
    return true;
  }

  /** Expired nonces go when new ones are made, so the table stays as big as the traffic of one nonce_expire. */
  private sweep(): void {
    if (this.issued.size < 1024) return;
    const now = this.now();
    for (const [k, v] of this.issued) if (v.expiresMs <= now) this.issued.delete(k);
  }
}

/** A challenge offering "auth,auth-int" accepts either; otherwise the client's qop (none = auth when one was offered) must be the one offered. */
function qopMatches(offered: string, used: string): boolean {
  if (offered.includes(',')) return used === 'auth' || used === 'auth-int';
  return offered === (used || (offered ? 'auth' : ''));
}

const NONCES = serviceKey<NonceStore>('auth:nonces');

export function noncesOf(rt: Runtime): NonceStore {
  return rt.service(
    NONCES,
    () =>
      new NonceStore(
        () => rt.clock.now(),
        Number(rt.param('auth', 'nonce_expire') ?? 30),
        !Number(rt.param('auth', 'disable_nonce_check') ?? 0),
      ),
  );
}

// tm's per-message state under typed keys (base/keys.ts): what the script sets
// on a request for tm to use when it relays it (t_on_branch, t_add_hdrs,
// $T_fr_timeout, $T_fr_inv_timeout), and what tm sets for the routes it runs
// (failure_route's outcome, branch_route's index). The transaction and its
// callbacks, which other modules read too, are in api.ts.
import { stateKey } from '../../base/keys.js';
import type { SipMessage } from '../../sip/message.js';

/** What a failure route knows of the outcome: the winning code, and whether no branch ever got a reply. */
export interface FailureState {
  code: number;
  local: boolean;
  /** The picked branch's reply (none for a local 408). */
  reply?: SipMessage;
  /** The R-URI that branch was sent to. */
  branchUri?: string;
}

export const FAILURE = stateKey<FailureState>('tm:failure');
/** $T_branch_idx in branch_route. */
export const BRANCH_IDX = stateKey<number>('tm:branch_idx');
/** t_add_hdrs(): lines added to the CANCELs tm builds for this transaction. */
export const EXTRA_HDRS = stateKey<string>('tm:extra_hdrs');
/** t_on_branch(): the branch_route each branch runs. */
export const ON_BRANCH = stateKey<string | undefined>('tm:on_branch');
/** $T_fr_timeout / $T_fr_inv_timeout as the script set them, in seconds. */
export const FR_TIMEOUT = stateKey<number>('tm:fr_timeout');
export const FR_INV_TIMEOUT = stateKey<number>('tm:fr_inv_timeout');

// tm's statistics (tm.c's mod_stats), counted where t_stats.h counts them:
// a transaction made (UAS from a request, UAC for a request we originate),
// a reply matched to a branch, each reply sent upstream (relayed or local),
// and the final code of each finished transaction.
import { Counter } from '../../base/stats.js';
import type { KeyedBag } from '../../base/keys.js';
import { counterStat } from '../common/stats.js';
import type { StatExport } from '../types.js';

export const TM_STATS = {
  received_replies: new Counter('tm:received_replies'),
  relayed_replies: new Counter('tm:relayed_replies'),
  local_replies: new Counter('tm:local_replies'),
  UAS_transactions: new Counter('tm:UAS_transactions'),
  UAC_transactions: new Counter('tm:UAC_transactions'),
  '2xx_transactions': new Counter('tm:2xx_transactions'),
  '3xx_transactions': new Counter('tm:3xx_transactions'),
  '4xx_transactions': new Counter('tm:4xx_transactions'),
  '5xx_transactions': new Counter('tm:5xx_transactions'),
  '6xx_transactions': new Counter('tm:6xx_transactions'),
} as const;

/** Transactions in memory (finished ones until wt_timer forgets them): a gauge, never reset. */
const INUSE = new Counter('tm:inuse_transactions');

export function transactionMade(bag: KeyedBag, local: boolean): void {
  (local ? TM_STATS.UAC_transactions : TM_STATS.UAS_transactions).inc(bag);
  INUSE.inc(bag);
}

export function transactionForgotten(bag: KeyedBag): void {
  INUSE.inc(bag, -1);
}

/** stats_trans_code(): one count per transaction, by the class of its final reply. */
export function transactionFinished(bag: KeyedBag, code: number | undefined): void {
  if (code === undefined || code < 200 || code >= 700) return;
  const cls = Math.floor(code / 100) as 2 | 3 | 4 | 5 | 6;
  TM_STATS[`${cls}xx_transactions`].inc(bag);
}

export const TM_STAT_EXPORTS: StatExport[] = [
  ...Object.entries(TM_STATS).map(([name, c]) => counterStat(name, c)),
  { name: 'inuse_transactions', read: (rt) => INUSE.get(rt.services) },
];

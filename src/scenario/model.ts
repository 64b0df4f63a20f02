// A scenario (`dry-run --scenario FILE.yaml`): the cfg under test, its
// upstream, simulated UAs, a timeline of actions, and expectations.

export interface Address {
  proto: string;
  ip: string;
  port: number;
}

export interface CfgActor {
  name: string;
  /** Absolute path of the cfg. */
  cfg: string;
  modparams: Map<string, Map<string, string | number>>;
}

export interface UpstreamActor {
  name: string;
  /** A plain registrar built in (save on REGISTER, lookup + t_relay otherwise) on `socket`, or a cfg. */
  builtin?: { socket: Address; modparams: Map<string, Map<string, string | number>> };
  cfg?: CfgActor;
  /** Bindings the upstream holds before the scenario starts (an older device on the AoR, say). */
  preload: { aor: string; contact: string; expires: number }[];
}

export interface UaActor {
  name: string;
  user: string;
  address: Address;
  domain?: string;
  registrar?: Address;
  /** false: never answers requests (a UA that went away); a number: answers with that status. */ answers:
    boolean | number;
  /** Milliseconds before it answers. */ replyDelayMs?: number;
}

export type Action =
  | { kind: 'register'; ua: string; expires?: number; contactExpires?: number; star?: boolean; contact?: string }
  | { kind: 'invite'; ua: string; user: string; via: string }
  /** An MI command run on a cfg actor (`P MI ul_rm location 1001`), positional parameters. */
  | { kind: 'mi'; actor: string; command: string; params: string[] }
  /** A cfg actor stopped and started again (`P RESTART mid_registrar.mode=2`): memory lost, the overrides added to the scenario's modparams. */
  | { kind: 'restart'; actor: string; modparams: Map<string, Map<string, string | number>> };

export interface Step {
  at: number;
  action: Action;
  text: string;
  line: number;
}

export type TimeSpec = { from: number; to: number };

export interface MessageExpectation {
  kind: 'message';
  t?: TimeSpec;
  from?: string;
  to?: string;
  method?: string;
  status?: number;
  /** Expires header value; 'none' = absent. */
  expires?: number | 'none';
  /** A regular expression the Contact header value must match. */
  contact?: RegExp;
  /** The sender's `proto:ip:port`. */
  src?: string;
  /** The CSeq number. */
  cseq?: number;
  /** Exact number of matching messages; default: at least one. */
  count?: number;
  text: string;
  line: number;
}

export interface TableExpectation {
  kind: 'table';
  t: number;
  actor: string;
  aor: string;
  /** Number of bindings of the AoR (0 = no record). */
  contacts?: number;
  /** Remaining expiry of the first binding, in seconds. */
  expires?: number;
  contact?: RegExp;
  text: string;
  line: number;
}

export type Expectation = MessageExpectation | TableExpectation;

export interface Scenario {
  file: string;
  name: string;
  description?: string;
  startMs: number;
  proxy: CfgActor;
  upstream?: UpstreamActor;
  uas: UaActor[];
  steps: Step[];
  until: number;
  compat: string[];
  expect: Expectation[];
}

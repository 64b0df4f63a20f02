// The core's counters (OpenSIPS's core_stats.c): incremented where the event
// happens, in the receive path (core/server.ts) and in stateless forwarding
// (script/forward.ts); read as `core:NAME` through the core's statistics table.
import { Counter } from '../base/stats.js';

export const CORE_COUNTERS = {
  rcv_requests: new Counter('core:rcv_requests'),
  rcv_replies: new Counter('core:rcv_replies'),
  fwd_requests: new Counter('core:fwd_requests'),
  fwd_replies: new Counter('core:fwd_replies'),
  drop_requests: new Counter('core:drop_requests'),
  drop_replies: new Counter('core:drop_replies'),
  err_requests: new Counter('core:err_requests'),
  err_replies: new Counter('core:err_replies'),
  bad_URIs_rcvd: new Counter('core:bad_URIs_rcvd'),
  bad_msg_hdr: new Counter('core:bad_msg_hdr'),
  slow_messages: new Counter('core:slow_messages'),
} as const;

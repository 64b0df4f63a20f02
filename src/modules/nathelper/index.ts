// nathelper: fix_nated_register, the Contact rewrites and the NAT tests.
import type { NativeModule } from '../types.js';
import { avpNameOf } from '../../script/avp-param.js';
import { natUacTest } from './nat-tests.js';
import { addRcvParam, fixNatedContact, receivedUri } from './contacts.js';
import { CHECKER_TIMER, consumePingReply, PING_TIMER, pingerOf } from './pinger.js';
import { fixNatedSdp } from './sdp.js';
import { atLeast } from '../common/fixups.js';

export const nathelper: NativeModule = {
  name: 'nathelper',
  functions: {
    fix_nated_contact: {
      returns: [1, -1],
      impl: (ctx, [params]) => fixNatedContact(ctx, params?.str ?? ''),
    },
    add_rcv_param: {
      returns: [1, -1],
      impl: (ctx, [flag]) => addRcvParam(ctx, (flag?.int ?? 0) > 0),
    },
    nat_uac_test: {
      returns: [1, -1],
      impl: (ctx, [flags]) => natUacTest(ctx, flags?.int ?? 0),
    },
    fix_nated_sdp: {
      returns: [1, -1],
      impl: (ctx, [flags, ip, lines]) =>
        fixNatedSdp(ctx, flags?.int ?? 0, ip?.given ? ip.str : undefined, lines?.given ? lines.str : undefined),
    },
    fix_nated_register: {
      returns: [1, -1],
      impl: (ctx) => {
        const avp = avpNameOf(ctx.runtime.param('nathelper', 'received_avp'));
        if (!avp) return 1;
        ctx.avpStack(avp).push(receivedUri(ctx));
        return 1;
      },
    },
  },
  init: (rt) => {
    rt.replyFilters.push((method, callid, status) => consumePingReply(rt, method, callid, status));
  },
  params: {
    natping_interval: { validate: atLeast(0) },
    natping_partitions: { validate: atLeast(1) },
    max_pings_lost: { validate: atLeast(1) },
  },
  mi: [
    {
      name: 'nh_enable_ping',
      recipes: [[], ['status']],
      run: (p, rt) => {
        const st = pingerOf(rt);
        if (p.status === undefined) return { Status: st.enabled ? 1 : 0 };
        st.enabled = Number(p.status) !== 0;
        return 'OK';
      },
    },
  ],
  timers: [PING_TIMER, CHECKER_TIMER],
};

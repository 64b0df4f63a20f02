// nathelper: fix_nated_register and the NAT tests.
import type { NativeModule } from '../types.js';
import { avpNameOf } from '../../script/avp-param.js';
import { natUacTest } from './nat-tests.js';

export const nathelper: NativeModule = {
  name: 'nathelper',
  functions: {
    nat_uac_test: {
      returns: [1, -1],
      impl: (ctx, [flags]) => natUacTest(ctx, flags?.int ?? 0),
    },
    fix_nated_register: {
      returns: [1, -1],
      impl: (ctx) => {
        const avp = avpNameOf(ctx.runtime.param('nathelper', 'received_avp'));
        if (!avp) return 1;
        const host = ctx.src.ip.includes(':') ? `[${ctx.src.ip}]` : ctx.src.ip;
        const proto = ctx.src.proto.toLowerCase();
        ctx.avpStack(avp).push(`sip:${host}:${ctx.src.port}${proto === 'udp' ? '' : `;transport=${proto}`}`);
        return 1;
      },
    },
  },
};

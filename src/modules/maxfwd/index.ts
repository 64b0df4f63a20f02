// maxfwd: Max-Forwards processing.
import type { NativeModule } from '../types.js';
import { headerEdits } from '../../script/edits.js';

export const maxfwd: NativeModule = {
  name: 'maxfwd',
  functions: {
    mf_process_maxfwd_header: {
      returns: [2, 1, -1, -2],
      impl: (ctx, [max]) => {
        const raw = ctx.msg.header('Max-Forwards');
        const limit = Number(ctx.runtime.param('maxfwd', 'max_limit') ?? 256);
        if (raw === undefined) {
          headerEdits(ctx).push({ op: 'append', text: `Max-Forwards: ${max?.int ?? 70}\r\n` });
          return 2;
        }
        if (!/^\s*\d+\s*$/.test(raw)) return -2;
        const v = Number(raw);
        if (v === 0) return -1;
        headerEdits(ctx).push(
          { op: 'remove', name: 'Max-Forwards' },
          { op: 'append', text: `Max-Forwards: ${Math.min(v - 1, limit)}\r\n` },
        );
        return 1;
      },
    },
    is_maxfwd_lt: {
      returns: [1, -1, -2, -3],
      impl: (ctx, [max]) => {
        const raw = ctx.msg.header('Max-Forwards');
        if (raw === undefined) return -2;
        if (!/^\s*\d+\s*$/.test(raw)) return -3;
        return Number(raw) < (max?.int ?? 0) ? 1 : -1;
      },
    },
  },
};

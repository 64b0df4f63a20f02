// topology_hiding: topology_hiding([flags]) hides Via, Record-Route, Route
// and Contact of a call (with a dialog, or without one through an encoded
// Contact), the C flag masks the Call-ID towards the callee, and
// topology_hiding_match([mode]) finds and fixes the sequential requests that
// reach us by our Contact. See hide.ts, contact.ts, callid.ts.
import type { NativeModule } from '../types.js';
import { currentDialog, matchModeOf } from '../dialog/api.js';
import { encodeCallId, installCallIdMasking } from './callid.js';
import { TOPOH_HIDE_CALLID } from './contact.js';
import { installMaskedCleanup, topologyHiding, topologyHidingMatch } from './hide.js';

export const topology_hiding: NativeModule = {
  name: 'topology_hiding',
  params: {
    th_contact_encode_scheme: {
      validate: (v) =>
        v === 'base64' || v === 'base32'
          ? undefined
          : "Unsupported value for 'th_contact_encode_scheme' modparam!Use 'base64' or 'base32'",
    },
  },
  functions: {
    topology_hiding: {
      returns: [1, -1],
      impl: (ctx, [flags]) => topologyHiding(ctx, flags?.given ? flags.str : undefined),
    },
    topology_hiding_match: {
      returns: [1, -1],
      impl: (ctx, [mode]) => topologyHidingMatch(ctx, mode?.given ? matchModeOf(mode.str) : undefined),
    },
  },
  pvs: {
    TH_callee_callid: {
      takesName: false,
      get: (ctx) => {
        const d = ctx.runtime.modparams.has('dialog') ? currentDialog(ctx) : undefined;
        return d && d.modFlags & TOPOH_HIDE_CALLID ? encodeCallId(ctx.runtime, d.callId) : null;
      },
    },
  },
  init: (rt) => {
    installCallIdMasking(rt);
    installMaskedCleanup(rt);
  },
};

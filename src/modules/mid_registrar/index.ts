// mid_registrar: mid_registrar_save() and mid_registrar_lookup().
import type { NativeModule } from '../types.js';
import { atLeast, avpSpec, flagStringFixup, oneOf } from '../common/fixups.js';
import { parseLookupFlags, parseSaveFlags } from '../common/reg/flags.js';
import { usrlocOf } from '../usrloc/api.js';
import { logExpiryAdjustments } from '../common/reg/aor.js';
import { midRegistrarLookup } from './lookup.js';
import { midRegistrarSave } from './save.js';
import { installDeRegistrations } from './deregister.js';

export const midRegistrar: NativeModule = {
  name: 'mid_registrar',
  functions: {
    // 0 is a retransmission of a forwarded REGISTER: the script stops, so a switch never sees it.
    mid_registrar_save: {
      returns: [1, 2, -1],
      fixup: flagStringFixup(1, parseSaveFlags),
      prepare: (rt, [domain]) => {
        if (typeof domain === 'string') usrlocOf(rt).domain(domain);
      },
      impl: (ctx, [domain, flags, aor, out]) =>
        midRegistrarSave(ctx, domain?.str ?? 'location', flags?.str ?? '', aor?.str, out?.int),
    },
    mid_registrar_lookup: {
      returns: [1, 2, -1, -2, -3],
      fixup: flagStringFixup(1, parseLookupFlags),
      impl: (ctx, [domain, flags, uri]) =>
        midRegistrarLookup(ctx, domain?.str ?? 'location', flags?.str ?? '', uri?.str),
    },
  },
  init: (rt) => {
    logExpiryAdjustments(rt, 'mid_registrar', { min: 10, max: 3600 });
    installDeRegistrations(rt);
  },
  params: {
    mode: { validate: oneOf([0, 1, 2]) },
    outgoing_expires: { validate: atLeast(1) },
    min_expires: { validate: atLeast(0) },
    max_expires: { validate: atLeast(0) },
    default_expires: { validate: atLeast(0) },
    received_avp: { validate: avpSpec },
    attr_avp: { validate: avpSpec },
    extra_contact_params_avp: { validate: avpSpec },
    contact_id_insertion: {
      validate: (v) =>
        typeof v === 'string' && (v === 'ct-param' || v.startsWith('ct-user'))
          ? undefined
          : `must be "ct-param" or "ct-username" (OpenSIPS falls back to ct-param with a warning; got ${JSON.stringify(v)})`,
    },
  },
};

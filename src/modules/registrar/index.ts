// registrar: save(), lookup() and friends.
import type { NativeModule } from '../types.js';
import { atLeast, avpSpec, flagStringFixup } from '../common/fixups.js';
import { parseLookupFlags, parseSaveFlags } from './flags.js';

export const registrar: NativeModule = {
  name: 'registrar',
  functions: {
    save: { returns: [1, -1, -2], fixup: flagStringFixup(1, parseSaveFlags) },
    lookup: { returns: [1, 2, -1, -2, -3], fixup: flagStringFixup(1, parseLookupFlags) },
    is_registered: { returns: [1, -1] },
    is_contact_registered: { returns: [1, -1] },
    is_ip_registered: { returns: [1, -1] },
    remove: { returns: [1, -1] },
  },
  params: {
    default_expires: { validate: atLeast(0) }, min_expires: { validate: atLeast(0) }, max_expires: { validate: atLeast(0) },
    max_contacts: { validate: atLeast(0) }, received_avp: { validate: avpSpec }, attr_avp: { validate: avpSpec },
  },
};

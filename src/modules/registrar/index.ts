// registrar: save(), lookup() and friends.
import type { NativeModule } from '../types.js';
import { atLeast, avpSpec, flagStringFixup } from '../common/fixups.js';
import { isValid } from '../usrloc/api.js';
import { splitUri } from '../../script/uri-fields.js';
import { usrlocOf } from '../usrloc/api.js';
import { extractAor, settingsOf, logExpiryAdjustments } from '../common/reg/aor.js';
import { parseLookupFlags, parseSaveFlags } from '../common/reg/flags.js';
import { registrarLookup } from '../common/reg/lookup.js';
import { ACCEPTED_REGS, REJECTED_REGS, registrarSave } from './save.js';
import { counterStat, paramStat } from '../common/stats.js';
import { addSockHdr, removeIpPort } from './ip-port.js';

/** An IP as text for comparison: brackets off, IPv6 in its canonical lower-case form. */
function normalizeIp(ip: string): string {
  const bare = ip.replace(/^\[|\]$/g, '').toLowerCase();
  if (!bare.includes(':')) return bare;
  try {
    return new URL(`http://[${bare}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return bare;
  }
}

export const registrar: NativeModule = {
  name: 'registrar',
  functions: {
    save: {
      returns: [1, -1, -2],
      fixup: flagStringFixup(1, parseSaveFlags),
      prepare: (rt, [domain]) => {
        if (typeof domain === 'string') usrlocOf(rt).domain(domain);
      },
      impl: (ctx, [domain, flags, aor]) =>
        registrarSave(ctx, 'registrar', domain?.str ?? 'location', flags?.str ?? '', aor?.str),
    },
    lookup: {
      returns: [1, 2, -1, -2, -3],
      fixup: flagStringFixup(1, parseLookupFlags),
      prepare: (rt, [domain]) => {
        if (typeof domain === 'string') usrlocOf(rt).domain(domain);
      },
      impl: (ctx, [domain, flags, aor]) => registrarLookup(ctx, domain?.str ?? 'location', flags?.str ?? '', aor?.str),
    },
    add_sock_hdr: { returns: [1, -1], impl: (ctx, [name]) => addSockHdr(ctx, name?.str ?? '') },
    remove_ip_port: {
      returns: [1, -1],
      prepare: (rt, [, , domain]) => {
        if (typeof domain === 'string') usrlocOf(rt).domain(domain);
      },
      impl: (ctx, [ip, port, domain, aor]) =>
        removeIpPort(ctx, ip?.str ?? '', port?.int, domain?.str ?? 'location', aor?.given ? aor.str : undefined),
    },
    is_registered: {
      returns: [1, -1],
      impl: (ctx, [domain, aorArg]) => {
        const ul = usrlocOf(ctx.runtime);
        const uri = aorArg?.str ?? (ctx.msg.method === 'REGISTER' ? ctx.msg.to?.uri : ctx.msg.from?.uri) ?? '';
        const a = extractAor(uri, ul.useDomain, settingsOf(ctx.runtime, 'registrar'));
        if ('error' in a) return -1;
        const now = Math.floor(ctx.runtime.clock.now() / 1000);
        return ul
          .domain(domain?.str ?? 'location')
          .get(a.aor)
          ?.bindings.some((b) => isValid(b, now))
          ? 1
          : -1;
      },
    },
    is_ip_registered: {
      returns: [1, -1, -2],
      impl: (ctx, [domain, aorArg, ipVar]) => {
        const ul = usrlocOf(ctx.runtime);
        const uri = aorArg?.str ?? (ctx.msg.method === 'REGISTER' ? ctx.msg.to?.uri : ctx.msg.from?.uri) ?? '';
        const a = extractAor(uri, ul.useDomain, settingsOf(ctx.runtime, 'registrar'));
        if ('error' in a) return -2;
        const wanted = (ipVar?.pv?.all(ctx) ?? []).filter((v) => v !== null).map((v) => normalizeIp(String(v)));
        if (!wanted.length) return -1;
        const r = ul.domain(domain?.str ?? 'location').get(a.aor);
        // Every stored contact counts (3.3 does not look at expiry here): its received URI's host, else the contact's.
        return r?.bindings.some((b) => {
          const host = splitUri(b.received ?? b.uri)?.host;
          return host !== undefined && wanted.includes(normalizeIp(host));
        })
          ? 1
          : -1;
      },
    },
    is_contact_registered: {
      returns: [1, -1],
      impl: (ctx, [domain, aorArg, contactArg, callidArg]) => {
        const ul = usrlocOf(ctx.runtime);
        const uri = aorArg?.str ?? (ctx.msg.method === 'REGISTER' ? ctx.msg.to?.uri : ctx.msg.from?.uri) ?? '';
        const a = extractAor(uri, ul.useDomain, settingsOf(ctx.runtime, 'registrar'));
        if ('error' in a) return -1;
        const now = Math.floor(ctx.runtime.clock.now() / 1000);
        const valid =
          ul
            .domain(domain?.str ?? 'location')
            .get(a.aor)
            ?.bindings.filter((b) => isValid(b, now)) ?? [];
        let contact = contactArg?.str;
        const callid = callidArg?.str;
        // Without contact and Call-ID: the first Contact of the message.
        if (contact === undefined && callid === undefined) contact = ctx.msg.contacts().list[0]?.uri;
        return valid.some(
          (b) => (contact === undefined || b.uri === contact) && (callid === undefined || b.callid === callid),
        )
          ? 1
          : -1;
      },
    },
    remove: {
      returns: [1, -1],
      impl: (ctx, [domain, aorArg, contactArg]) => {
        const ul = usrlocOf(ctx.runtime);
        const a = extractAor(aorArg?.str ?? '', ul.useDomain, settingsOf(ctx.runtime, 'registrar'));
        if ('error' in a) return -1;
        const d = ul.domain(domain?.str ?? 'location');
        const r = d.get(a.aor);
        if (!r) return 1;
        if (contactArg?.str === undefined) {
          d.removeAor(a.aor);
          return 1;
        }
        for (const b of r.bindings.filter((x) => x.uri === contactArg.str)) d.remove(r, b);
        return 1;
      },
    },
  },
  init: (rt) => {
    logExpiryAdjustments(rt, 'registrar', { min: 60, max: 0 });
  },
  stats: [
    paramStat('max_expires', 'registrar', 'max_expires', 0),
    paramStat('max_contacts', 'registrar', 'max_contacts', 0),
    paramStat('default_expire', 'registrar', 'default_expires', 3600),
    counterStat('accepted_regs', ACCEPTED_REGS),
    counterStat('rejected_regs', REJECTED_REGS),
  ],
  params: {
    default_expires: { validate: atLeast(0) },
    min_expires: { validate: atLeast(0) },
    max_expires: { validate: atLeast(0) },
    max_contacts: { validate: atLeast(0) },
    received_avp: { validate: avpSpec },
    attr_avp: { validate: avpSpec },
  },
};

// usrloc's MI commands (ul_dump, ul_show_contact, ul_rm, ul_rm_contact,
// ul_flush, ul_sync, ul_add) in OpenSIPS's JSON shapes (modules.md §8.2).
import { MiError } from '../../base/mi.js';
import type { ModuleMi } from '../types.js';
import type { Runtime } from '../../script/runtime.js';
import { urisEqual } from '../../sip/uri-compare.js';
import { usrlocOf } from './api.js';
import { formatQ } from '../common/reg/contacts.js';
import type { AorRecord, Binding } from './store.js';
import { peek } from '../../base/keys.js';
import { UL_FLUSH, UL_SYNC } from './api.js';

function expiresField(b: Binding, nowSec: number): number | string {
  if (b.expires === 0) return 'permanent';
  return b.expires > nowSec ? b.expires - nowSec : 'expired';
}

export function contactJson(b: Binding, rt: Runtime): Record<string, unknown> {
  const now = Math.floor(rt.clock.now() / 1000);
  return {
    Contact: b.uri,
    ContactID: b.contactId,
    Expires: expiresField(b, now),
    Q: b.q < 0 ? '' : formatQ(b.q),
    Callid: b.callid,
    Cseq: b.cseq,
    ...(b.userAgent ? { 'User-agent': b.userAgent } : {}),
    ...(b.received ? { Received: b.received } : {}),
    ...(b.path ? { Path: b.path } : {}),
    State: b.state,
    Flags: b.flags,
    Cflags: rt.flags.namesOf('branch', b.cflags),
    ...(b.socket ? { Socket: b.socket } : {}),
    Methods: b.methods ?? 4294967295,
    ...(b.attr ? { Attr: b.attr } : {}),
    ...(b.instance ? { SIP_instance: b.instance } : {}),
    ...(b.latency ? { 'Ping-Latency': b.latency } : {}),
  };
}

export function aorJson(r: AorRecord, rt: Runtime): Record<string, unknown> {
  return { AOR: r.aor, Contacts: r.bindings.map((b) => contactJson(b, rt)) };
}

/** With use_domain=0 any @domain part given in an MI aor is stripped; with 1 it is required. */
function aorParam(rt: Runtime, value: unknown): string {
  const aor = String(value ?? '');
  const ul = usrlocOf(rt);
  if (ul.useDomain) {
    if (!aor.includes('@')) throw new MiError(400, 'Domain missing in AOR');
    return aor;
  }
  return aor.split('@')[0]!;
}

function table(rt: Runtime, name: unknown): ReturnType<ReturnType<typeof usrlocOf>['domain']> {
  const d = usrlocOf(rt).domains.get(String(name ?? ''));
  if (!d) throw new MiError(404, 'Table not found');
  return d;
}

function add(p: Record<string, unknown>, rt: Runtime): string {
  const d = table(rt, p.table_name);
  const aor = aorParam(rt, p.aor);
  const uri = String(p.contact ?? '');
  if (!/^sips?:/i.test(uri)) throw new MiError(400, 'Bad contact');
  const expires = Number(p.expires);
  const q = Number(p.q);
  if (!Number.isInteger(expires) || expires < 0 || Number.isNaN(q)) throw new MiError(400, 'Bad parameter');
  const now = Math.floor(rt.clock.now() / 1000);
  const cflags = Number(p.cflags ?? 0);
  const methods = Number(p.methods ?? 0xffffffff);
  const r = d.getOrCreate(aor);
  const fields: Omit<Binding, 'contactId'> = {
    uri,
    expires: expires === 0 ? 0 : now + expires,
    q: Math.round(q * 1000),
    callid: 'dfjrewr12386fd6-343@opensips.mi',
    cseq: 1,
    flags: Number(p.flags ?? 0),
    cflags: Number.isInteger(cflags) ? cflags : 0,
    userAgent: 'OpenSIPS MI Server',
    lastModified: rt.clock.now(),
    state: 'CS_NEW',
    methods: Number.isInteger(methods) ? methods : undefined,
  };
  const existing = r.bindings.find((b) => urisEqual(b.uri, uri));
  if (existing) d.update(r, existing, fields);
  else d.insert(r, fields);
  return 'OK';
}

export const USRLOC_MI: ModuleMi[] = [
  {
    name: 'ul_dump',
    recipes: [[], ['brief']],
    run: (p, rt) => ({
      Domains: [...usrlocOf(rt).domains.values()].map((d) => ({
        name: d.name,
        hash_size: 512,
        // sql-only: the table's AoRs, whichever node registered them.
        AORs: d.all().map((r) => (p.brief ? { AOR: r.aor } : aorJson(r, rt))),
      })),
    }),
  },
  {
    name: 'ul_show_contact',
    recipes: [['table_name', 'aor']],
    run: (p, rt) => {
      const r = table(rt, p.table_name).get(aorParam(rt, p.aor));
      if (!r) throw new MiError(404, 'AOR not found');
      return aorJson(r, rt);
    },
  },
  {
    name: 'ul_rm',
    recipes: [['table_name', 'aor']],
    run: (p, rt) => {
      table(rt, p.table_name).removeAor(aorParam(rt, p.aor));
      return 'OK';
    },
  },
  {
    name: 'ul_rm_contact',
    recipes: [['table_name', 'aor', 'contact']],
    run: (p, rt) => {
      const d = table(rt, p.table_name);
      const r = d.get(aorParam(rt, p.aor));
      if (!r) throw new MiError(404, 'AOR not found');
      const b = r.bindings.find((x) => urisEqual(x.uri, String(p.contact ?? '')));
      if (!b) throw new MiError(404, 'Contact not found');
      d.remove(r, b);
      return 'OK';
    },
  },
  {
    name: 'ul_sync',
    recipes: [['table_name'], ['table_name', 'aor']],
    run: (p, rt) => {
      const d = table(rt, p.table_name);
      const sync = peek(rt.services, UL_SYNC);
      if (!sync) throw new MiError(200, 'Contacts already synced');
      const aor = p.aor === undefined ? undefined : aorParam(rt, p.aor);
      if (aor !== undefined && !d.get(aor)) throw new MiError(404, 'AOR not found');
      sync(d.name, aor);
      return 'OK';
    },
  },
  {
    name: 'ul_add',
    recipes: [
      ['table_name', 'aor', 'contact', 'expires', 'q', 'flags', 'cflags', 'methods'],
      ['table_name', 'aor', 'contact', 'expires', 'q', 'unsused', 'flags', 'cflags', 'methods'],
    ],
    run: add,
  },
  {
    name: 'ul_flush',
    recipes: [[]],
    run: (_p, rt) => {
      peek(rt.services, UL_FLUSH)?.();
      return 'OK';
    },
  },
];

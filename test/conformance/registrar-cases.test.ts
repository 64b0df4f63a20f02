// The registrar on the wire with real SIPp: register, refresh, min/max expires, expiry
// (gone from MI and from the DB), max_contacts, de-registration, TCP, and an INVITE
// routed by lookup() to the registered UAS, checked through MI over HTTP and SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait.js';
import { runSipp, SIP_DIR, SIPP, sippSkip, startServer, type Sipp, startUas, stopServers } from '../helpers/sipp.js';

const MI = 'http://127.0.22.1:18889/mi';

async function contacts(aor: string): Promise<{ Contact: string; Expires: number; Socket: string }[] | undefined> {
  const r = await fetch(MI, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'ul_show_contact', params: ['location', aor], id: 1 }) });
  const j = (await r.json()) as { result?: { Contacts: never[] }; error?: { code: number } };
  return j.error?.code === 404 ? undefined : j.result!.Contacts;
}

let port = 5400;
function reg(user: string, expires: number, opts: { contact?: string; callid?: string; cseq?: number; transport?: 'u1' | 't1'; expect503?: boolean } = {}): Sipp {
  port++;
  return {
    scenario: opts.expect503 ? 'uac-reg-503.xml' : 'uac-reg.xml', ip: '127.0.22.2', port, transport: opts.transport ?? 'u1', target: '127.0.22.1:5060',
    keys: { user, expires: String(expires), contact: opts.contact ?? `127.0.22.2:${port}`, reg_cseq: String(opts.cseq ?? 1) },
    callId: opts.callid ?? `${user}-call`,
  };
}

async function ok(p: Sipp): Promise<void> {
  const r = await runSipp(p, true);
  assert.equal(r.code, 0, `SIPp ${p.scenario} ${JSON.stringify(p.keys)} failed:\n${r.out.slice(-2000)}`);
}

test('registrar on the wire: register, refresh, min/max expires, expiry, max_contacts, de-register, TCP, lookup + INVITE', { skip: sippSkip(), timeout: 120000 }, async () => {
  assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
  const dir = mkdtempSync(join(tmpdir(), 'osts-regc-'));
  const db = join(dir, 'location.db');
  const cfg = join(dir, 'registrar.cfg');
  writeFileSync(cfg, readFileSync(`${SIP_DIR}registrar-live.cfg.in`, 'utf8').replaceAll('@DB@', db));
  const server = await startServer({ cfg, sockets: 3 });
  const rows = (user: string): unknown[] => new Database(db, { readonly: true }).prepare('SELECT contact, expires FROM location WHERE username = ?').all(user);
  try {
    // register, then refresh the same contact (same Call-ID, higher CSeq)
    await ok(reg('2001', 600));
    const first = await contacts('2001');
    assert.equal(first!.length, 1);
    assert.ok(first![0]!.Expires > 595);
    await ok(reg('2001', 300, { contact: first![0]!.Contact.replace(/^sip:2001@|;transport=UDP$/g, ''), cseq: 2 }));
    const refreshed = await contacts('2001');
    assert.equal(refreshed!.length, 1, 'a refresh updates, it does not add');
    assert.ok(refreshed![0]!.Expires <= 300 && refreshed![0]!.Expires > 295, JSON.stringify(refreshed));
    assert.equal(rows('2001').length, 1);

    // min_expires 5 raises 2; max_expires 7200 lowers 99999
    await ok(reg('2002', 2));
    assert.equal((await contacts('2002'))![0]!.Expires <= 5 && (await contacts('2002'))![0]!.Expires > 2, true);
    await ok(reg('2003', 99999));
    assert.ok((await contacts('2003'))![0]!.Expires > 7190 && (await contacts('2003'))![0]!.Expires <= 7200);

    // max_contacts 2: a third contact is refused with 503
    await ok(reg('2004', 600, { contact: '127.0.22.2:6001', callid: '2004-a' }));
    await ok(reg('2004', 600, { contact: '127.0.22.2:6002', callid: '2004-b' }));
    await ok(reg('2004', 600, { contact: '127.0.22.2:6003', callid: '2004-c', expect503: true }));
    assert.equal((await contacts('2004'))!.length, 2);

    // TCP
    await ok(reg('2005', 600, { transport: 't1' }));
    assert.equal((await contacts('2005'))![0]!.Socket, 'tcp:127.0.22.1:5060');

    // lookup + INVITE: the UAS registers its address, the call reaches it and completes
    await ok(reg('2006', 600, { contact: '127.0.22.3:5070' }));
    const uas = (await startUas({ scenario: 'uas-invite.xml', ip: '127.0.22.3', port: 5070, transport: 'u1' })).done;
    const call = await runSipp({ scenario: 'uac-invite-user.xml', ip: '127.0.22.4', port: 5450, transport: 'u1', target: '127.0.22.1:5060', service: '2006' }, true);
    assert.equal(call.code, 0, call.out.slice(-2000));
    assert.equal((await uas).code, 0);

    // expiry: once 2002's 5 s are over, the timer (1 s) removes it from memory and from the DB
    // (waited for: the timer runs late on a loaded machine)
    await waitFor(async () => (await contacts('2002')) === undefined && rows('2002').length === 0, '2002 to expire');
    assert.equal(await contacts('2002'), undefined);
    assert.deepEqual(rows('2002'), []);

    // de-registration
    await ok(reg('2001', 0, { contact: refreshed![0]!.Contact.replace(/^sip:2001@|;transport=UDP$/g, ''), cseq: 3 }));
    assert.equal(await contacts('2001'), undefined);
    assert.deepEqual(rows('2001'), []);
  } finally {
    await stopServers([server]);
  }
});

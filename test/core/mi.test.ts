import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { coreMi } from '../../src/core/mi-core.js';
import { miExecutor } from '../../src/base/mi.js';
import { startMiHttp } from '../../src/net/http-mi.js';
import { sipEngine } from '../helpers/engine.js';
import { register } from '../helpers/sip.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
loadmodule "httpd.so"
loadmodule "mi_http.so"
route { setbflag("DST_WS"); save("location"); }`;

function registered() {
  const e = sipEngine(CFG);
  e.send(
    register({
      contacts: ['<sip:1001@127.0.0.1:5062;transport=udp>;q=0.5'],
      expires: 600,
      extra: ['User-Agent: MicroSIP/3.21'],
    }),
  );
  e.advance(5);
  return { e, mi: coreMi('0.1.0') };
}

test('ul_dump: Domains / AORs / Contacts in OpenSIPS shapes', () => {
  const { e, mi } = registered();
  const r = mi.handle({ jsonrpc: '2.0', method: 'ul_dump', id: 1 }, e.rt)!;
  const dom = (
    r.result as {
      Domains: { name: string; hash_size: number; AORs: { AOR: string; Contacts: Record<string, unknown>[] }[] }[];
    }
  ).Domains[0]!;
  assert.deepEqual([dom.name, dom.hash_size, dom.AORs[0]!.AOR], ['location', 512, '1001']);
  const c = dom.AORs[0]!.Contacts[0]!;
  assert.deepEqual(Object.keys(c), [
    'Contact',
    'ContactID',
    'Expires',
    'Q',
    'Callid',
    'Cseq',
    'User-agent',
    'State',
    'Flags',
    'Cflags',
    'Socket',
    'Methods',
  ]);
  assert.deepEqual(
    [c.Contact, c.Expires, c.Q, c.Cseq, c['User-agent'], c.State, c.Cflags, c.Socket, c.Methods],
    [
      'sip:1001@127.0.0.1:5062;transport=udp',
      595,
      '0.5',
      1,
      'MicroSIP/3.21',
      'CS_NEW',
      'DST_WS',
      'udp:127.0.0.1:5060',
      4294967295,
    ],
  );
  assert.match(String(c.ContactID), /^\d+$/);
  const brief = mi.handle({ jsonrpc: '2.0', method: 'ul_dump', params: { brief: 1 }, id: 2 }, e.rt)!;
  assert.deepEqual((brief.result as { Domains: { AORs: unknown[] }[] }).Domains[0]!.AORs, [{ AOR: '1001' }]);
});

test('ul_show_contact (named and positional), ul_rm_contact, ul_rm and their errors', () => {
  const { e, mi } = registered();
  const call = (method: string, params?: unknown) =>
    mi.handle({ jsonrpc: '2.0', method, ...(params ? { params } : {}), id: 7 }, e.rt)!;
  assert.equal(
    (call('ul_show_contact', { table_name: 'location', aor: '1001@example.com' }).result as { AOR: string }).AOR,
    '1001',
    'the @domain part is stripped with use_domain=0',
  );
  assert.equal((call('ul_show_contact', ['location', '1001']).result as { AOR: string }).AOR, '1001');
  assert.deepEqual(call('ul_show_contact', ['nope', '1001']).error, { code: 404, message: 'Table not found' });
  assert.deepEqual(call('ul_show_contact', ['location', '9999']).error, { code: 404, message: 'AOR not found' });
  assert.deepEqual(call('ul_rm_contact', ['location', '1001', 'sip:other@127.0.0.1']).error, {
    code: 404,
    message: 'Contact not found',
  });
  assert.equal(call('ul_rm_contact', ['location', '1001', 'sip:1001@127.0.0.1:5062;transport=udp']).result, 'OK');
  assert.deepEqual(
    call('ul_show_contact', ['location', '1001']).error,
    { code: 404, message: 'AOR not found' },
    'the last contact gone: so is the AoR',
  );
  assert.equal(call('ul_rm', ['location', 'ghost']).result, 'OK', 'deleting a missing AoR is OK');
});

test('get_statistics, which, version, and the JSON-RPC protocol errors', () => {
  const { e, mi } = registered();
  const stats = mi.handle(
    {
      jsonrpc: '2.0',
      method: 'get_statistics',
      params: { statistics: ['registrar:', 'usrloc:location-contacts'] },
      id: 3,
    },
    e.rt,
  )!.result as Record<string, number>;
  assert.deepEqual(stats, {
    'registrar:max_expires': 0,
    'registrar:max_contacts': 0,
    'registrar:default_expire': 3600,
    'registrar:accepted_regs': 1,
    'registrar:rejected_regs': 0,
    'usrloc:location-contacts': 1,
  });
  assert.ok((mi.handle({ jsonrpc: '2.0', method: 'which', id: 4 }, e.rt)!.result as string[]).includes('ul_dump'));
  assert.deepEqual(mi.handle({ jsonrpc: '2.0', method: 'nope', id: 5 }, e.rt)!.error, {
    code: -32601,
    message: 'Method not found',
  });
  assert.deepEqual(mi.handle({ jsonrpc: '2.0', method: 'ul_rm', params: ['location'], id: 6 }, e.rt)!.error, {
    code: -32602,
    message: 'Invalid params',
    data: 'Too few or too many parameters',
  });
  assert.deepEqual(mi.handle({ method: 'ul_dump', id: 8 }, e.rt)!.error, { code: -32600, message: 'Invalid Request' });
  assert.equal(mi.handle({ jsonrpc: '2.0', method: 'ul_dump' }, e.rt), undefined, 'a notification has no answer');
});

test('mi_http: POST /mi with JSON-RPC; 405 for GET, 400 for an empty body, -32700 for bad JSON', async () => {
  const { e, mi } = registered();
  const server = await startMiHttp(miExecutor(mi, e.rt), e.rt.logger, { ip: '127.0.0.1', port: 0, root: 'mi' });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/mi`;
  const json = { 'Content-Type': 'application/json' };
  try {
    const ok = await fetch(url, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'ul_show_contact', params: ['location', '1001'], id: 1 }),
    });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { result: { AOR: string } }).result.AOR, '1001');
    assert.equal((await fetch(url)).status, 405);
    assert.equal((await fetch(url, { method: 'POST', headers: json, body: '' })).status, 400);
    const bad = await fetch(url, { method: 'POST', headers: json, body: '{nope' });
    assert.deepEqual(((await bad.json()) as { error: unknown }).error, { code: -32700, message: 'Parse error' });
    const note = await fetch(url, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'ul_dump' }),
    });
    assert.equal(note.status, 202);
  } finally {
    server.close();
  }
});

test('mi_http refuses what a web page could send: a foreign Origin (403), a body that is not application/json (415); nothing runs', async () => {
  const { e, mi } = registered();
  const server = await startMiHttp(miExecutor(mi, e.rt), e.rt.logger, { ip: '127.0.0.1', port: 0, root: 'mi' });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/mi`;
  const rm = JSON.stringify({ jsonrpc: '2.0', method: 'ul_rm', params: ['location', '1001'], id: 1 });
  const stored = () =>
    (
      mi.handle({ jsonrpc: '2.0', method: 'ul_show_contact', params: ['location', '1001'], id: 9 }, e.rt)!.result as
        { AOR?: string } | undefined
    )?.AOR;
  try {
    const plain = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: rm });
    assert.equal(plain.status, 415);
    const form = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: rm,
    });
    assert.equal(form.status, 415);
    const foreign = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' },
      body: rm,
    });
    assert.equal(foreign.status, 403);
    const rebound = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: `http://evil.example:${port}` },
      body: rm,
    });
    assert.equal(rebound.status, 403, 'DNS rebinding: the Host header does not make an Origin ours');
    assert.equal(stored(), '1001', 'ul_rm did not run');
    assert.ok(
      e.logs.some((l) =>
        /ERROR:mi_http:mi_http_answer: refused a request from .*: Origin http:\/\/evil\.example is not/.test(l),
      ),
    );
    // The MI's own page, and clients that send JSON without an Origin (opensips-cli, python-opensips), work.
    const own = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', Origin: `http://localhost:${port}` },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'ul_dump', id: 2 }),
    });
    assert.equal(own.status, 200);
    const cli = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: rm });
    assert.equal(cli.status, 200);
    assert.equal(stored(), undefined, 'ul_rm ran');
  } finally {
    server.close();
  }
});

test('ul_add: a contact from MI (0 = permanent, q as text, MI Call-ID and User-Agent), updated when it exists; ul_sync without a DB', () => {
  const { e, mi } = registered();
  const call = (method: string, params: unknown) => mi.handle({ jsonrpc: '2.0', method, params, id: 1 }, e.rt)!;
  assert.equal(
    call('ul_add', ['location', '2002', 'sip:2002@127.0.0.7:5070', 0, '0.8', 0, 0, 4294967295]).result,
    'OK',
  );
  const show = call('ul_show_contact', ['location', '2002']).result as { Contacts: Record<string, unknown>[] };
  const c = show.Contacts[0]!;
  assert.deepEqual(
    [c.Contact, c.Expires, c.Q, c.Callid, c.Cseq, c['User-agent']],
    ['sip:2002@127.0.0.7:5070', 'permanent', '0.8', 'dfjrewr12386fd6-343@opensips.mi', 1, 'OpenSIPS MI Server'],
  );
  assert.equal(
    call('ul_add', ['location', '2002', 'sip:2002@127.0.0.7:5070', 60, '1', 'x', 0, 0, 4294967295]).result,
    'OK',
    'the 9-parameter recipe',
  );
  const again = (call('ul_show_contact', ['location', '2002']).result as { Contacts: Record<string, unknown>[] })
    .Contacts;
  assert.deepEqual([again.length, again[0]!.Expires, again[0]!.Q], [1, 60, '1']);
  assert.deepEqual(call('ul_add', ['location', '2002', 'not-a-uri', 60, '1', 0, 0, 0]).error, {
    code: 400,
    message: 'Bad contact',
  });
  assert.deepEqual(call('ul_sync', ['location']).error, { code: 200, message: 'Contacts already synced' });
});

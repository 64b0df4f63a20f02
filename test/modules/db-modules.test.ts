// The DB modules on every backend of the DB layer (SQLite, PostgreSQL,
// MariaDB): tables made by `db create`, the same script on each (auth_db,
// speeddial, permissions, avpops incl. avp_db_load/store/delete, alias_db, domain
// with its MI, group).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DbError, type Db } from '../../src/db/index.js';
import { coreMi } from '../../src/core/mi-core.js';
import { dbModuleFor, forEachBackend } from '../helpers/db-backends.js';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

/** The rows the checks read (tables from db create, made by fresh()). */
function fill(db: Db): void {
  for (const r of [
    db.insert('subscriber', { username: '1001', domain: '127.0.0.1', password: 'secret', ha1: '' }),
    db.insert('speed_dial', {
      username: '1002',
      domain: '127.0.0.11',
      sd_username: '21',
      sd_domain: '127.0.0.1',
      new_uri: 'sip:alice@127.0.0.30',
    }),
    db.insert('address', { grp: 7, ip: '127.0.50.0', mask: 24, port: 0, proto: 'any', context_info: 'lab' }),
    db.insert('dispatcher', { setid: 1, destination: 'sip:127.0.50.9:5060', description: 'gw' }),
    db.insert('dbaliases', {
      alias_username: 'alias1',
      alias_domain: '127.0.0.1',
      username: '1001',
      domain: '127.0.0.1',
    }),
    db.insert('dbaliases', {
      alias_username: 'alice',
      alias_domain: '127.0.0.30',
      username: 'bob',
      domain: '127.0.50.5',
    }),
    db.insert('domain', { domain: '127.0.0.1', attrs: 'x=1' }),
    db.insert('grp', { username: '1002', domain: '127.0.0.11', grp: 'vip' }),
    db.insert('re_grp', { reg_exp: '^sip:10[0-9]+@', group_id: 5 }),
    db.insert('usr_preferences', {
      uuid: '',
      username: '1002',
      domain: '',
      attribute: 'fwd',
      type: 0,
      value: 'sip:voicemail@127.0.50.8',
    }),
    db.insert('usr_preferences', { uuid: '', username: '1002', domain: '', attribute: 'limit', type: 1, value: '3' }),
  ])
    assert.ok(!(r instanceof DbError), String(r));
}

const script = (url: string): string =>
  [
    'socket=udp:127.0.0.1:5060',
    `db_default_url="${url}"`,
    'loadmodule "auth.so"',
    'loadmodule "auth_db.so"',
    'loadmodule "speeddial.so"',
    'loadmodule "permissions.so"',
    'loadmodule "avpops.so"',
    'loadmodule "alias_db.so"',
    'loadmodule "domain.so"',
    'loadmodule "group.so"',
    'modparam("group", "re_table", "re_grp")',
    'route {',
    '\t$var(uhl) = is_uri_host_local();',
    '\t$var(fl) = is_from_local();',
    '\t$var(dl) = is_domain_local("127.0.0.1", $var(dattrs));',
    '\t$var(in) = db_is_user_in("From", "vip");',
    '\t$var(notin) = db_is_user_in("To", "vip");',
    '\t$var(gg) = db_get_user_group("From", $avp(gid));',
    '\t$var(gid) = $avp(gid);',
    '\t$var(af) = alias_db_find("dbaliases", "sip:alias1@127.0.0.1", $var(alias));',
    '\t$var(ld) = avp_db_load("$fu", "$avp(fwd)");',
    '\t$var(fwd) = $avp(fwd);',
    '\t$var(la) = avp_db_load("$fu/username", "a", , "p_");',
    '\t$var(lim) = $avp(p_limit);',
    '\t$avp(note) = "hello";',
    '\t$var(st) = avp_db_store("$tu", "$avp(note)");',
    '\t$avp(note) = NULL;',
    '\t$var(ld2) = avp_db_load("$tu", "$avp(note)");',
    '\t$var(note) = $avp(note);',
    '\t$var(dl2) = avp_db_delete("$tu", "$avp(note)");',
    '\t$avp(note) = NULL;',
    '\t$var(ld3) = avp_db_load("$tu", "$avp(note)");',
    '\t$var(exists) = db_does_uri_exist("sip:1001@127.0.0.1", "subscriber");',
    '\t$var(missing) = db_does_uri_exist("sip:9999@127.0.0.1", "subscriber");',
    '\t$var(sd) = sd_lookup("speed_dial");',
    '\t$var(ru) = $ru;',
    '\t$var(addr) = check_address(7, "127.0.50.44", 5060, "udp", $var(info));',
    '\t$var(noaddr) = check_address(7, "127.0.51.1", 5060, "udp");',
    '\t$var(q) = avp_db_query("SELECT destination, setid FROM dispatcher", "$avp(dst);$avp(set)");',
    '\t$var(dst) = $avp(dst);',
    '\t$var(set) = $avp(set);',
    '\t$var(al) = alias_db_lookup("dbaliases");',
    '\t$var(ru2) = $ru;',
    '}',
    '',
  ].join('\n');

function checks(url: string): void {
  const e = sipEngine(script(url));
  assert.deepEqual(e.diagnostics, []);
  const msg = request('INVITE', 'm1', 'sip:21@127.0.0.1').replace(/^From: .*$/m, 'From: <sip:1002@127.0.0.11>;tag=a');
  const v = e.send(Buffer.from(msg)).vars;
  const names = [
    'exists',
    'missing',
    'sd',
    'ru',
    'addr',
    'info',
    'noaddr',
    'q',
    'dst',
    'set',
    'uhl',
    'fl',
    'dl',
    'dattrs',
    'in',
    'notin',
    'gg',
    'gid',
    'af',
    'alias',
    'al',
    'ru2',
    'ld',
    'fwd',
    'la',
    'lim',
    'st',
    'ld2',
    'note',
    'dl2',
    'ld3',
  ];
  assert.deepEqual(Object.fromEntries(names.map((k) => [k, v.get(k)])), {
    exists: 1,
    missing: -5,
    sd: 1,
    ru: 'sip:alice@127.0.0.30',
    addr: 1,
    info: 'lab',
    noaddr: -1,
    q: 1,
    dst: 'sip:127.0.50.9:5060',
    set: 1,
    uhl: 1,
    fl: -1,
    dl: 1,
    dattrs: 'x=1',
    in: 1,
    notin: -6,
    gg: 1,
    gid: 5,
    af: 1,
    alias: 'sip:1001@127.0.0.1',
    al: 1,
    ru2: 'sip:bob@127.0.50.5',
    ld: 1,
    fwd: 'sip:voicemail@127.0.50.8',
    la: 1,
    lim: 3,
    st: 1,
    ld2: 1,
    note: 'hello',
    dl2: 1,
    ld3: -1,
  });
}

forEachBackend('the DB modules', (b) => {
  const TABLES = [
    'subscriber',
    'speed_dial',
    'address',
    'dispatcher',
    'dbaliases',
    'domain',
    'grp',
    're_grp',
    'usr_preferences',
  ];

  test('auth_db, speeddial, permissions, avpops, alias_db, domain, group on tables from db create', () => {
    const { url, db } = b.fresh(TABLES);
    fill(db);
    checks(url);
  });

  test('domain: MI domain_dump lists the cached table (db_mode 1), domain_reload reads it again; without the cache both answer 500', () => {
    const { url, db } = b.fresh(TABLES);
    fill(db);
    const engine = (mode: number) =>
      sipEngine(
        [
          'socket=udp:127.0.0.1:5060',
          `loadmodule "${dbModuleFor(url)}.so"`,
          'loadmodule "domain.so"',
          `modparam("domain", "db_url", "${url}")`,
          `modparam("domain", "db_mode", ${mode})`,
          'route {',
          '\t$var(l) = is_domain_local("127.0.0.77");',
          '}',
          '',
        ].join('\n'),
      );
    const e = engine(1);
    assert.deepEqual(e.diagnostics, []);
    const ask = (method: string) =>
      coreMi('test').handle({ jsonrpc: '2.0', method, id: 1 }, e.rt) as {
        result?: unknown;
        error?: { code: number; message: string };
      };
    const local = () => e.send(Buffer.from(request('OPTIONS', `d${Math.random()}`))).vars.get('l');
    assert.deepEqual(ask('domain_dump').result, { Domains: [{ name: '127.0.0.1', attributes: 'x=1' }] });
    assert.ok(!(db.insert('domain', { domain: '127.0.0.77' }) instanceof DbError));
    assert.equal(local(), -1, 'the cache, not the table');
    assert.equal(ask('domain_reload').result, 'OK');
    assert.equal(local(), 1);
    assert.deepEqual(ask('domain_dump').result, {
      Domains: [{ name: '127.0.0.1', attributes: 'x=1' }, { name: '127.0.0.77' }],
    });
    const e0 = engine(0);
    for (const m of ['domain_reload', 'domain_dump'])
      assert.deepEqual(
        (coreMi('test').handle({ jsonrpc: '2.0', method: m, id: 1 }, e0.rt) as { error?: unknown }).error,
        {
          code: 500,
          message: 'command not activated',
        },
      );
  });
});

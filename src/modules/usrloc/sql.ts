// usrloc persistence through the DB layer (db_sqlite, db_mysql, db_postgres),
// in OpenSIPS's `location` table schema (version 1013), so OpenSIPS's own
// tools can read our tables and we can read theirs. Modes from
// working_mode_preset / db_mode (registrar-semantics.md §6.2):
// - write-through (db_mode 1): every change is written before the reply;
// - write-back (db_mode 2): dirty contacts are flushed on the timer (async:
//   message processing never waits), on ul_flush and at shutdown;
// - sql-only (db_mode 3): written through, and every lookup reads the table,
//   so several nodes share one location table and see each other's changes.
// Both memory modes load the table at start.
import {
  checkTableVersion,
  ddlFor,
  DbError,
  TABLES,
  type Db,
  type DbRow,
  type DbValue,
  type Stmt,
} from '../../db/index.js';
import type { Runtime } from '../../script/runtime.js';
import { put } from '../../base/keys.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { UL_FLUSH, UL_SYNC, usrlocOf, type UsrlocSync } from './api.js';
import { shapedBinding, type AorRecord, type Binding, type BindingEvent, type Usrloc } from './store.js';

export type SqlWriteMode = 'none' | 'write-through' | 'write-back' | 'sql-only';

const PRESETS: Record<string, SqlWriteMode> = {
  'single-instance-no-db': 'none',
  'single-instance-sql-write-through': 'write-through',
  'single-instance-sql-write-back': 'write-back',
  'sql-only': 'sql-only',
};
const DB_MODES: SqlWriteMode[] = ['none', 'write-through', 'write-back', 'sql-only'];
const LOCATION_VERSION = 1013;

export function sqlMode(rt: Runtime): SqlWriteMode {
  const preset = rt.param('usrloc', 'working_mode_preset');
  if (typeof preset === 'string' && preset) return PRESETS[preset] ?? 'none';
  const dbMode = rt.param('usrloc', 'db_mode');
  return typeof dbMode === 'number' ? (DB_MODES[dbMode] ?? 'none') : 'none';
}

/** `sqlite:///abs/file.db` -> `/abs/file.db` (the part after `sqlite://`). */
export function sqlitePath(url: string): string | undefined {
  const m = /^sqlite:\/\/(.+)$/.exec(url.trim());
  return m ? m[1] : undefined;
}

const COLUMNS = [
  'contact_id',
  'username',
  'domain',
  'contact',
  'received',
  'path',
  'expires',
  'q',
  'callid',
  'cseq',
  'last_modified',
  'flags',
  'cflags',
  'user_agent',
  'socket',
  'methods',
  'sip_instance',
  'kv_store',
  'attr',
];

/** The contact's key/value data (mid_registrar's throttling and De-REGISTER state) as OpenSIPS's kv_store JSON: numbers stay numbers. */
const NUMERIC_KEYS = new Set(['exp', 'expO', 'LRTs', 'Seq', 'noDR']);

/**
 * Where OpenSIPS keeps an AoR's own key/value data (mid_registrar mode 2's
 * state) in the DB: serialized under this key of one of its contacts.
 */
const URECORD_KEY = '_urec_kvs';

function kvStore(kv: Map<string, string> | undefined, recordKv?: Map<string, string>): string | null {
  if (!kv?.size && !recordKv?.size) return null;
  const o = Object.fromEntries(
    [...(kv ?? [])].map(([k, v]) => [k, NUMERIC_KEYS.has(k) && /^-?\d+$/.test(v) ? Number(v) : v]),
  );
  if (recordKv?.size) o[URECORD_KEY] = kvStore(recordKv)!;
  return JSON.stringify(o);
}

/** A loaded contact that carries its AoR's data hands it back to the record. */
function restoreRecordKv(rec: AorRecord, b: Binding): void {
  const packed = b.kv?.get(URECORD_KEY);
  if (packed === undefined) return;
  b.kv!.delete(URECORD_KEY);
  if (!b.kv!.size) delete b.kv;
  const kv = kvMap(packed);
  if (kv) rec.kv = kv;
}

function kvMap(text: unknown): Map<string, string> | undefined {
  if (typeof text !== 'string' || !text) return undefined;
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    return typeof o === 'object' && o ? new Map(Object.entries(o).map(([k, v]) => [k, String(v)])) : undefined;
  } catch {
    return undefined;
  }
}

let lastSecond = NaN;
let lastText = '';
/** 'YYYY-MM-DD HH:MM:SS' (UTC) of a time in ms; the same second's text is reused (a flush formats thousands). */
function datetime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== lastSecond) {
    lastSecond = sec;
    lastText = new Date(sec * 1000).toISOString().replace('T', ' ').slice(0, 19);
  }
  return lastText;
}

const text = (v: unknown): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));

export interface UsrlocPersistence {
  mode: SqlWriteMode;
  flush(): void;
  close(): void;
  loaded: number;
}

/** Makes the location-like `table` on SQLite when missing (the embedded default needs no `db create`). */
function ensureSqliteTable(db: Db, table: string): DbError | undefined {
  if (!(db.raw(`SELECT 1 FROM ${db.sql.id(table)} WHERE 1 = 0`) instanceof DbError)) return undefined;
  const def = TABLES.find((t) => t.name === 'location')!;
  if (db.raw('SELECT 1 FROM version WHERE 1 = 0') instanceof DbError) {
    for (const s of ddlFor(
      TABLES.find((t) => t.name === 'version')!,
      'sqlite',
    )) {
      const r = db.raw(s);
      if (r instanceof DbError) return r;
    }
  }
  for (const s of ddlFor({ ...def, name: table }, 'sqlite')) {
    const r = db.raw(s);
    if (r instanceof DbError) return r;
  }
  const r = db.insert('version', { table_name: table, table_version: LOCATION_VERSION });
  return r instanceof DbError ? r : undefined;
}

/** Opens the DB, checks (or on SQLite makes) the tables of `domains`, loads them, and keeps them in sync per the mode. */
export function attachUsrlocPersistence(
  rt: Runtime,
  domains: string[],
  defaultDbUrl?: string,
): UsrlocPersistence | { error: string } {
  const mode = sqlMode(rt);
  const ul = usrlocOf(rt);
  if (mode === 'none') return { mode, flush: () => undefined, close: () => undefined, loaded: 0 };
  const url = dbUrlOf(rt, 'usrloc') || defaultDbUrl || '';
  if (!url) return { error: `usrloc needs a db_url (or db_default_url) for ${mode}` };
  const db = dbFor(rt, url, { create: true });
  if (db instanceof DbError) return { error: db.message };
  for (const d of domains) {
    if (db.scheme === 'sqlite') {
      const e = ensureSqliteTable(db, d);
      if (e) return { error: `cannot create table ${d}: ${e.message}` };
    }
    const bad = checkTableVersion(db, d, LOCATION_VERSION);
    if (bad) return { error: bad };
  }
  const log = (text: string): void => rt.logger.log(-1, 'usrloc', 'db', text);
  // The AoR's data rides on its first contact, as OpenSIPS's persist_urecord_kv_store() does.
  const recordKvFor = (table: string, aor: string, b: Binding): Map<string, string> | undefined => {
    const r = ul.domains.get(table)?.get(aor, true);
    return r?.kv?.size && r.bindings[0] === b ? r.kv : undefined;
  };
  // A contact's row as values in COLUMNS order, written with one statement text per table (built once: the
  // text is the same for every contact, and a cached text is also the prepared statement's cache key).
  const upsertTexts = new Map<string, string>();
  const upsertText = (table: string): string => {
    let t = upsertTexts.get(table);
    if (t === undefined) {
      const template: DbRow = {};
      for (const c of COLUMNS) template[c] = null;
      t = db.sql.replace(table, template, ['contact_id']).text;
      upsertTexts.set(table, t);
    }
    return t;
  };
  const upsert = (table: string, aor: string, b: Binding): Stmt => {
    const [user, domain] = ul.useDomain ? aor.split('@') : [aor, undefined];
    const params: DbValue[] = [
      BigInt(b.contactId),
      user,
      domain ?? null,
      b.uri,
      b.received ?? null,
      b.path ?? null,
      b.expires,
      b.q < 0 ? -1 : b.q / 1000,
      b.callid,
      b.cseq,
      datetime(b.lastModified),
      b.flags,
      b.cflags ? rt.flags.namesOf('branch', b.cflags) || null : null,
      b.userAgent,
      b.socket ?? null,
      b.methods === undefined || b.methods === 0xffffffff ? null : b.methods,
      b.instance ?? null,
      kvStore(b.kv, recordKvFor(table, aor, b)),
      b.attr ?? null,
    ];
    return { text: upsertText(table), params, kind: 'run' };
  };
  const nowSec = (): number => Math.floor(rt.clock.now() / 1000);
  const stmtOf = (e: BindingEvent): Stmt => {
    const id = BigInt(e.binding.contactId);
    if (e.kind === 'expire') {
      // Only if nobody (another node sharing the table) refreshed it meanwhile.
      return db.sql.delete(e.domain, {
        keys: ['contact_id', 'expires', 'expires'],
        ops: ['=', '>', '<='],
        vals: [id, 0, nowSec()],
      });
    }
    if (e.kind === 'delete') return db.sql.delete(e.domain, { keys: ['contact_id'], vals: [id] });
    return upsert(e.domain, e.aor, e.binding);
  };
  const write = (e: BindingEvent): void => {
    if (e.binding.flags & 1) return; // memory-only contacts (save flag `m`)
    const r = db.exec(stmtOf(e));
    if (r instanceof DbError) {
      ul.dbFailure ??=
        e.kind === 'insert' ? 'insert' : e.kind === 'delete' || e.kind === 'expire' ? 'delete' : 'update';
      log(`failed to ${e.kind} contact in table ${e.domain}: ${r.message}`);
      return;
    }
    if (e.kind !== 'delete' && e.kind !== 'expire') e.binding.state = 'CS_SYNC';
  };
  // Keyed by the binding itself (one object per contact while it lives; no key string built per REGISTER).
  const dirty = new Map<Binding, BindingEvent>();
  const record = (e: BindingEvent): void => {
    if (mode !== 'write-back') write(e);
    else {
      dirty.set(e.binding, e);
      if (e.kind !== 'delete' && e.kind !== 'expire')
        e.binding.state = e.binding.state === 'CS_NEW' ? 'CS_NEW' : 'CS_DIRTY';
    }
  };
  const listener = (e: BindingEvent): void => {
    record(e);
    // A change to an AoR with data of its own rewrites the contact that carries it (it may be another one, or a new first one).
    const r = ul.domains.get(e.domain)?.get(e.aor, true);
    const holder = r?.kv?.size ? r.bindings[0] : undefined;
    if (holder && holder !== e.binding) record({ kind: 'update', domain: e.domain, aor: e.aor, binding: holder });
  };
  ul.listeners.push(listener);
  const batchOf = (events: BindingEvent[]): Stmt[] => events.filter((e) => !(e.binding.flags & 1)).map(stmtOf);
  let flushing: Promise<void> | undefined;
  /** The timer's flush: one transaction on the async path; a failed batch stays dirty for the next round. */
  const flushAsync = (): void => {
    if (!dirty.size || flushing) return;
    const batch = [...dirty.values()];
    dirty.clear();
    flushing = db.batchAsync(batchOf(batch)).then((r) => {
      flushing = undefined;
      if (r instanceof DbError) {
        log(`write-back flush of ${batch.length} contact(s) failed: ${r.message}`);
        for (const e of batch) if (!dirty.has(e.binding)) dirty.set(e.binding, e);
      } else for (const e of batch) if (e.kind !== 'delete' && e.kind !== 'expire') e.binding.state = 'CS_SYNC';
    });
  };
  /** Waits (ul_flush, shutdown). */
  const flushNow = (): void => {
    if (!dirty.size) return;
    const batch = [...dirty.values()];
    dirty.clear();
    const r = db.batch(batchOf(batch));
    if (r instanceof DbError) log(`write-back flush of ${batch.length} contact(s) failed: ${r.message}`);
    else for (const e of batch) if (e.kind !== 'delete' && e.kind !== 'expire') e.binding.state = 'CS_SYNC';
  };
  /** sql-only's timer (db_timer_udomain): expired rows go, whichever node wrote them; async, the script never waits. */
  const expireRows = (): void => {
    const now = nowSec();
    for (const table of domains) {
      void db
        .execAsync(db.sql.delete(table, { keys: ['expires', 'expires'], ops: ['>', '<='], vals: [0, now] }))
        .then((r) => {
          if (r instanceof DbError) log(`failed to delete expired contacts from ${table}: ${r.message}`);
        });
    }
  };
  const flush = mode === 'sql-only' ? expireRows : db.scheme === 'sqlite' ? flushNow : flushAsync;
  put(rt.services, UL_FLUSH, flush);
  // ul_sync: the table (or one AoR) rewritten from memory.
  const sync: UsrlocSync = (table, aor) => {
    const d = ul.domains.get(table);
    if (!d) return;
    flushNow();
    const records = aor === undefined ? [...d.records.values()] : [d.get(aor, true)].filter((r) => r !== undefined);
    const stmts: Stmt[] = [];
    if (aor === undefined) stmts.push(db.sql.delete(table, {}));
    else {
      const [user, domain] = ul.useDomain ? aor.split('@') : [aor, undefined];
      stmts.push(db.sql.delete(table, { keys: ['username', 'domain'], vals: [user, domain ?? null] }));
    }
    for (const r of records) for (const b of r.bindings) if (!(b.flags & 1)) stmts.push(upsert(table, r.aor, b));
    const res = db.batch(stmts);
    if (res instanceof DbError) log(`ul_sync of ${table} failed: ${res.message}`);
    else for (const r of records) for (const b of r.bindings) b.state = 'CS_SYNC';
  };
  put(rt.services, UL_SYNC, sync);
  if (mode === 'sql-only') {
    // Every lookup of an AoR reads its rows: what another node wrote is seen at once.
    for (const table of domains) {
      // The read's text for an AoR without and with a domain (`domain IS NULL` / `domain = ?`), built once.
      const texts = [false, true].map(
        (withDomain) =>
          db.sql.query(table, { keys: ['username', 'domain'], vals: ['', withDomain ? '' : null], cols: COLUMNS }).text,
      );
      ul.domain(table).reader = (aor) => {
        const [user, domain] = ul.useDomain ? aor.split('@') : [aor, undefined];
        const params: DbValue[] = domain === undefined ? [user!] : [user!, domain];
        const res = db.exec({ text: texts[domain === undefined ? 0 : 1]!, params, kind: 'rows' });
        if (res instanceof DbError) {
          log(`failed to query table ${table}: ${res.message}`);
          return undefined;
        }
        return res.rows;
      };
      ul.domain(table).rowToBinding = (r) => bindingOf(rt, r);
      // ul_dump: the whole table, expired rows left out (the timer deletes them), grouped by AoR.
      ul.domain(table).tableReader = () => {
        const now = nowSec();
        const res = db.exec(
          db.rawStmt(
            `SELECT ${COLUMNS.map((c) => db.sql.id(c)).join(', ')} FROM ${db.sql.id(table)} WHERE ${db.sql.id('expires')} = 0 OR ${db.sql.id('expires')} > ?`,
            [now],
          ),
        );
        if (res instanceof DbError) {
          log(`failed to query table ${table}: ${res.message}`);
          return undefined;
        }
        const byAor = new Map<string, Record<string, unknown>[]>();
        for (const r of res.rows) {
          const aor = aorOf(ul, r);
          const list = byAor.get(aor);
          if (list) list.push(r);
          else byAor.set(aor, [r]);
        }
        return byAor;
      };
    }
  }
  const loaded = mode === 'sql-only' ? 0 : load(db, rt, ul, domains);
  if (loaded < 0) return { error: `cannot load the location table(s) from ${db.url}` };
  return {
    mode,
    loaded,
    flush,
    close: () => {
      flushNow();
      ul.listeners.splice(ul.listeners.indexOf(listener), 1);
      for (const table of domains) {
        const d = ul.domains.get(table);
        if (d) {
          d.reader = undefined;
          d.tableReader = undefined;
        }
      }
    },
  };
}

/** The AoR a `location` row belongs to. */
function aorOf(ul: Usrloc, r: Record<string, unknown>): string {
  return r.domain && ul.useDomain ? `${String(r.username)}@${String(r.domain)}` : String(r.username);
}

/** A `location` row as a binding. */
function bindingOf(rt: Runtime, r: Record<string, unknown>): Binding {
  let cflags = 0;
  for (const name of String(r.cflags ?? '')
    .split(' ')
    .filter(Boolean))
    cflags |= rt.flags.mask('branch', name);
  const q = Number(r.q);
  const lm = String(r.last_modified ?? '');
  return shapedBinding(
    {
      uri: String(r.contact),
      expires: Number(r.expires),
      q: q < 0 ? -1 : Math.round(q * 1000),
      callid: String(r.callid),
      cseq: Number(r.cseq),
      flags: Number(r.flags),
      cflags,
      userAgent: String(r.user_agent ?? ''),
      lastModified: Date.parse(`${lm.replace(' ', 'T')}Z`) || rt.clock.now(),
      state: 'CS_SYNC',
      received: text(r.received),
      path: text(r.path),
      socket: text(r.socket),
      methods: r.methods !== null && r.methods !== undefined ? Number(r.methods) : undefined,
      instance: text(r.sip_instance),
      attr: text(r.attr),
      kv: kvMap(r.kv_store),
    },
    String(r.contact_id),
  );
}

/** restart persistency: the non-expired rows come back into memory; -1 when the table cannot be read. */
function load(db: Db, rt: Runtime, ul: Usrloc, domains: string[]): number {
  const now = Math.floor(rt.clock.now() / 1000);
  let n = 0;
  for (const table of domains) {
    const d = ul.domain(table);
    const res = db.exec(
      db.rawStmt(
        `SELECT ${COLUMNS.map((c) => db.sql.id(c)).join(', ')} FROM ${db.sql.id(table)} WHERE ${db.sql.id('expires')} = 0 OR ${db.sql.id('expires')} > ?`,
        [now],
      ),
    );
    if (res instanceof DbError) return -1;
    for (const r of res.rows) {
      const aor = aorOf(ul, r);
      const rec = d.get(aor, true) ?? d.create(aor);
      const binding = bindingOf(rt, r);
      restoreRecordKv(rec, binding);
      rec.bindings.push(binding);
      rec.bindings.sort((a, b) => b.q - a.q);
      n++;
    }
  }
  return n;
}

// usrloc persistence in SQLite (db_sqlite), in OpenSIPS's `location` table
// schema (version 1013), so OpenSIPS's own tools can read our file and we can
// read theirs. Modes from working_mode_preset / db_mode (registrar-semantics.md §6.2):
// write-through writes every change at once, write-back flushes dirty records
// on the timer, ul_flush and shutdown; both load the table at start.
import Database from 'better-sqlite3';
import type { Runtime } from '../../script/runtime.js';
import { put } from '../../base/keys.js';
import { UL_FLUSH, UL_SYNC, usrlocOf, type UsrlocSync } from './api.js';
import { shapedBinding, type AorRecord, type Binding, type BindingEvent, type Usrloc } from './store.js';

export type SqlWriteMode = 'none' | 'write-through' | 'write-back';

const PRESETS: Record<string, SqlWriteMode> = {
  'single-instance-no-db': 'none',
  'single-instance-sql-write-through': 'write-through',
  'single-instance-sql-write-back': 'write-back',
  // No memory cache in OpenSIPS; here the table is written through and kept in memory too (docs/compatibility.md).
  'sql-only': 'write-through',
};
const DB_MODES: SqlWriteMode[] = ['none', 'write-through', 'write-back', 'write-through'];

export function sqlMode(rt: Runtime): SqlWriteMode {
  const preset = rt.param('usrloc', 'working_mode_preset');
  if (typeof preset === 'string' && preset) return PRESETS[preset] ?? 'none';
  const dbMode = rt.param('usrloc', 'db_mode');
  return typeof dbMode === 'number' ? DB_MODES[dbMode] ?? 'none' : 'none';
}

/** `sqlite:///abs/file.db` -> `/abs/file.db` (the part after `sqlite://`). */
export function sqlitePath(url: string): string | undefined {
  const m = /^sqlite:\/\/(.+)$/.exec(url.trim());
  return m ? m[1] : undefined;
}

function schema(table: string): string {
  return `CREATE TABLE IF NOT EXISTS version (table_name CHAR(32) PRIMARY KEY NOT NULL, table_version INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE IF NOT EXISTS "${table}" (
  contact_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  username CHAR(64) DEFAULT '' NOT NULL,
  domain CHAR(64) DEFAULT NULL,
  contact TEXT NOT NULL,
  received CHAR(255) DEFAULT NULL,
  path CHAR(255) DEFAULT NULL,
  expires INTEGER NOT NULL,
  q FLOAT(10,2) DEFAULT 1.0 NOT NULL,
  callid CHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,
  cseq INTEGER DEFAULT 13 NOT NULL,
  last_modified DATETIME DEFAULT '1900-01-01 00:00:01' NOT NULL,
  flags INTEGER DEFAULT 0 NOT NULL,
  cflags CHAR(255) DEFAULT NULL,
  user_agent CHAR(255) DEFAULT '' NOT NULL,
  socket CHAR(64) DEFAULT NULL,
  methods INTEGER DEFAULT NULL,
  sip_instance CHAR(255) DEFAULT NULL,
  kv_store TEXT(512) DEFAULT NULL,
  attr CHAR(255) DEFAULT NULL
);
INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('${table}', 1013);`;
}

interface Row {
  contact_id: number | bigint; username: string; domain: string | null; contact: string; received: string | null; path: string | null;
  expires: number; q: number; callid: string; cseq: number; last_modified: string; flags: number; cflags: string | null;
  user_agent: string; socket: string | null; methods: number | null; sip_instance: string | null; kv_store: string | null; attr: string | null;
}

/** The contact's key/value data (mid_registrar's throttling and De-REGISTER state) as OpenSIPS's kv_store JSON: numbers stay numbers. */
const NUMERIC_KEYS = new Set(['exp', 'expO', 'LRTs', 'Seq', 'noDR']);

/**
 * Where OpenSIPS keeps an AoR's own key/value data (mid_registrar mode 2's
 * state) in the DB: serialized under this key of one of its contacts.
 */
const URECORD_KEY = '_urec_kvs';

function kvStore(kv: Map<string, string> | undefined, recordKv?: Map<string, string>): string | null {
  if (!kv?.size && !recordKv?.size) return null;
  const o = Object.fromEntries([...(kv ?? [])].map(([k, v]) => [k, NUMERIC_KEYS.has(k) && /^-?\d+$/.test(v) ? Number(v) : v]));
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

function kvMap(text: string | null): Map<string, string> | undefined {
  if (!text) return undefined;
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    return typeof o === 'object' && o ? new Map(Object.entries(o).map(([k, v]) => [k, String(v)])) : undefined;
  } catch { return undefined; }
}

function datetime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export interface UsrlocPersistence {
  mode: SqlWriteMode;
  flush(): void;
  close(): void;
  loaded: number;
}

/** Opens the DB, loads the tables of `domains`, and keeps them in sync per the mode. */
export function attachUsrlocPersistence(rt: Runtime, domains: string[], defaultDbUrl?: string): UsrlocPersistence | { error: string } {
  const mode = sqlMode(rt);
  const ul = usrlocOf(rt);
  if (mode === 'none') return { mode, flush: () => undefined, close: () => undefined, loaded: 0 };
  const url = String(rt.param('usrloc', 'db_url') || defaultDbUrl || '');
  const path = sqlitePath(url);
  if (!path) return { error: `usrloc needs a db_url for ${mode} (only sqlite:// URLs are supported), got "${url}"` };
  let db: Database.Database;
  try {
    db = new Database(path);
    for (const d of domains) db.exec(schema(d));
  } catch (err) {
    return { error: `cannot open ${path}: ${(err as Error).message}` };
  }
  const loaded = load(db, rt, ul, domains);
  const upsert = (table: string): Database.Statement => db.prepare(`INSERT OR REPLACE INTO "${table}" (contact_id, username, domain, contact, received, path, expires, q, callid, cseq, last_modified, flags, cflags, user_agent, socket, methods, sip_instance, kv_store, attr)
    VALUES (@contact_id, @username, @domain, @contact, @received, @path, @expires, @q, @callid, @cseq, @last_modified, @flags, @cflags, @user_agent, @socket, @methods, @sip_instance, @kv_store, @attr)`);
  const remove = (table: string): Database.Statement => db.prepare(`DELETE FROM "${table}" WHERE contact_id = ?`);
  // The AoR's data rides on its first contact, as OpenSIPS's persist_urecord_kv_store() does.
  const recordKvFor = (table: string, aor: string, b: Binding): Map<string, string> | undefined => {
    const r = ul.domains.get(table)?.get(aor);
    return r?.kv?.size && r.bindings[0] === b ? r.kv : undefined;
  };
  const row = (table: string, aor: string, b: Binding): Record<string, unknown> => {
    const [user, domain] = ul.useDomain ? aor.split('@') : [aor, undefined];
    return {
      contact_id: BigInt(b.contactId), username: user, domain: domain ?? null, contact: b.uri, received: b.received ?? null, path: b.path ?? null,
      expires: b.expires, q: b.q < 0 ? -1 : b.q / 1000, callid: b.callid, cseq: b.cseq, last_modified: datetime(b.lastModified), flags: b.flags,
      cflags: rt.flags.namesOf('branch', b.cflags) || null, user_agent: b.userAgent, socket: b.socket ?? null,
      methods: b.methods === undefined || b.methods === 0xffffffff ? null : b.methods, sip_instance: b.instance ?? null, kv_store: kvStore(b.kv, recordKvFor(table, aor, b)), attr: b.attr ?? null,
    };
  };
  const write = (e: BindingEvent): void => {
    if (e.binding.flags & 1) return; // memory-only contacts (save flag `m`)
    if (e.kind === 'delete' || e.kind === 'expire') remove(e.domain).run(BigInt(e.binding.contactId));
    else { upsert(e.domain).run(row(e.domain, e.aor, e.binding)); e.binding.state = 'CS_SYNC'; }
  };
  const dirty = new Map<string, BindingEvent>();
  const record = (e: BindingEvent): void => {
    if (mode === 'write-through') write(e);
    else { dirty.set(`${e.domain}|${e.binding.contactId}`, e); if (e.kind !== 'delete' && e.kind !== 'expire') e.binding.state = e.binding.state === 'CS_NEW' ? 'CS_NEW' : 'CS_DIRTY'; }
  };
  const listener = (e: BindingEvent): void => {
    record(e);
    // A change to an AoR with data of its own rewrites the contact that carries it (it may be another one, or a new first one).
    const r = ul.domains.get(e.domain)?.get(e.aor);
    const holder = r?.kv?.size ? r.bindings[0] : undefined;
    if (holder && holder !== e.binding) record({ kind: 'update', domain: e.domain, aor: e.aor, binding: holder });
  };
  ul.listeners.push(listener);
  const flush = (): void => {
    if (!dirty.size) return;
    const batch = [...dirty.values()];
    dirty.clear();
    db.transaction(() => { for (const e of batch) write(e); })();
  };
  put(rt.services, UL_FLUSH, flush);
  // ul_sync: the table (or one AoR) rewritten from memory.
  const sync: UsrlocSync = (table, aor) => {
    const d = ul.domains.get(table);
    if (!d) return;
    flush();
    db.transaction(() => {
      const records = aor === undefined ? [...d.records.values()] : [d.get(aor)].filter((r) => r !== undefined);
      if (aor === undefined) db.prepare(`DELETE FROM "${table}"`).run();
      else {
        const [user, domain] = ul.useDomain ? aor.split('@') : [aor, undefined];
        db.prepare(`DELETE FROM "${table}" WHERE username = ? AND ${domain === undefined ? 'domain IS NULL' : 'domain = ?'}`).run(...(domain === undefined ? [user] : [user, domain]));
      }
      for (const r of records) for (const b of r.bindings) if (!(b.flags & 1)) { upsert(table).run(row(table, r.aor, b)); b.state = 'CS_SYNC'; }
    })();
  };
  put(rt.services, UL_SYNC, sync);
  return {
    mode, loaded, flush,
    close: () => { flush(); ul.listeners.splice(ul.listeners.indexOf(listener), 1); db.close(); },
  };
}

/** restart persistency: the non-expired rows come back into memory. */
function load(db: Database.Database, rt: Runtime, ul: Usrloc, domains: string[]): number {
  const now = Math.floor(rt.clock.now() / 1000);
  let n = 0;
  for (const table of domains) {
    const d = ul.domain(table);
    const rows = db.prepare(`SELECT * FROM "${table}" WHERE expires = 0 OR expires > ?`).safeIntegers(true).all(now) as Row[];
    for (const r of rows) {
      const aor = r.domain && ul.useDomain ? `${r.username}@${r.domain}` : r.username;
      const rec = d.getOrCreate(aor);
      let cflags = 0;
      for (const name of (r.cflags ?? '').split(' ').filter(Boolean)) cflags |= rt.flags.mask('branch', name);
      const q = Number(r.q);
      const binding = shapedBinding({
        uri: r.contact, expires: Number(r.expires), q: q < 0 ? -1 : Math.round(q * 1000), callid: r.callid, cseq: Number(r.cseq),
        flags: Number(r.flags), cflags, userAgent: r.user_agent, lastModified: Date.parse(`${r.last_modified}Z`) || rt.clock.now(), state: 'CS_SYNC',
        received: r.received || undefined, path: r.path || undefined, socket: r.socket || undefined,
        methods: r.methods !== null ? Number(r.methods) : undefined, instance: r.sip_instance || undefined, attr: r.attr || undefined, kv: kvMap(r.kv_store),
      }, String(r.contact_id));
      restoreRecordKv(rec, binding);
      rec.bindings.push(binding);
      rec.bindings.sort((a, b) => b.q - a.q);
      n++;
    }
  }
  return n;
}

// Dialog persistence in the `dialog` table (dlg_db_handler.c), by db_mode:
// 0 none; 1 real time (a confirmed dialog is written when it changes and
// deleted when it ends); 2 delayed (changes flushed every db_update_period
// seconds); 3 at shutdown only. At start-up the dialogs in the table come
// back with their legs, values, profiles and flags, and their timeout timer
// re-armed for what is left of it (an overdue one expires at once).
import { startPinging } from './ping.js';
import { serviceKey } from '../../base/keys.js';
import { dbText, isDbError, type Db, type DbRow, type DbValue } from '../../db/index.js';
import type { Runtime } from '../../script/runtime.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { onDialogs } from './callbacks.js';
import { onTimeout } from './create.js';
import { socketString } from './json.js';
import { addDialog, armTimeout, dialogs, DlgState, type Dialog } from './store.js';

export function dbMode(rt: Runtime): number {
  return Number(rt.param('dialog', 'db_mode') ?? 0);
}

interface DbState {
  /** Dialogs changed since the last flush (delayed mode), and those deleted. */
  dirty: Set<Dialog>;
  deleted: Set<string>;
}

const STATE = serviceKey<DbState>('dialog:db');

function state(rt: Runtime): DbState {
  return rt.service(STATE, () => ({ dirty: new Set(), deleted: new Set() }));
}

function table(rt: Runtime): string {
  return String(rt.param('dialog', 'table_name') ?? 'dialog') || 'dialog';
}

function db(rt: Runtime): Db | undefined {
  const url = dbUrlOf(rt, 'dialog');
  if (!url) return undefined;
  const d = dbFor(rt, url);
  if (isDbError(d)) {
    rt.logger.log(-1, 'dialog', 'init_dlg_db', `cannot use the dialog database: ${d.message}`);
    return undefined;
  }
  return d;
}

// Bits of the `flags` column, as dlg_hash.h numbers them.
const FLAG_BITS: [keyof Dialog['create'], number][] = [
  ['byeOnTimeout', 1 << 3],
  ['pingCaller', 1 << 5],
  ['pingCallee', 1 << 6],
  ['reinvitePingCaller', 1 << 11],
  ['reinvitePingCallee', 1 << 12],
];

/** `name#value\n` pairs, `#`, `\` and newlines escaped (write_pair). */
function pairs(entries: Iterable<[string, string]>): string {
  const esc = (s: string) => s.replace(/[\\#\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
  let out = '';
  for (const [k, v] of entries) out += `${esc(k)}#${esc(v)}\n`;
  return out;
}

function unpairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const m = /^((?:\\.|[^\\#])*)#(.*)$/.exec(line);
    if (!m) continue;
    const un = (s: string) => s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push([un(m[1]!), un(m[2]!)]);
  }
  return out;
}

function routes(list: string[]): string | null {
  return list.length ? list.map((r) => `<${r}>`).join(',') : null;
}

function unroutes(v: DbValue): string[] {
  return typeof v === 'string' ? [...v.matchAll(/<([^>]*)>/g)].map((m) => m[1]!) : [];
}

function row(d: Dialog): DbRow {
  const [caller, callee] = d.legs;
  let flags = 0;
  for (const [k, bit] of FLAG_BITS) if (d.create[k]) flags |= bit;
  const profiles: [string, string][] = [];
  for (const [name, values] of d.profiles) for (const v of values) profiles.push([name, v]);
  return {
    dlg_id: d.id.toString(),
    callid: d.callId,
    from_uri: d.fromUri,
    from_tag: d.fromTag,
    to_uri: d.toUri,
    to_tag: d.toTag,
    mangled_from_uri: null,
    mangled_to_uri: null,
    caller_cseq: String(caller.cseq),
    callee_cseq: String(callee.cseq),
    caller_ping_cseq: caller.lastGenCseq,
    callee_ping_cseq: callee.lastGenCseq,
    caller_route_set: routes(caller.routeSet),
    callee_route_set: routes(callee.routeSet),
    caller_contact: caller.contact,
    callee_contact: callee.contact,
    caller_sock: socketString(caller.socket),
    callee_sock: socketString(callee.socket),
    state: d.state,
    start_time: d.startedAt,
    timeout: d.startedAt + d.timeout,
    // A BLOB column: bytes, so PostgreSQL's BYTEA takes a backslash as it is.
    vars: d.vals.size ? Buffer.from(pairs(d.vals)) : null,
    profiles: profiles.length ? pairs(profiles) : null,
    script_flags: d.flags,
    module_flags: d.modFlags,
    flags,
    rt_on_answer: d.routes.answer ?? null,
    rt_on_timeout: d.routes.timeout ?? null,
    rt_on_hangup: d.routes.hangup ?? null,
  };
}

function write(rt: Runtime, conn: Db, d: Dialog): void {
  const r = conn.replace(table(rt), row(d), ['dlg_id']);
  if (isDbError(r))
    rt.logger.log(-1, 'dialog', 'update_dialog_dbinfo', `could not write dialog ${d.did}: ${r.message}`);
}

function remove(rt: Runtime, conn: Db, id: string): void {
  const r = conn.delete(table(rt), { keys: ['dlg_id'], vals: [id] });
  if (isDbError(r)) rt.logger.log(-1, 'dialog', 'remove_dialog_from_db', `could not delete dialog ${id}: ${r.message}`);
}

/** A dialog changed: written now (db_mode 1) or at the next flush (2, 3). Only confirmed dialogs are stored. */
export function markChanged(rt: Runtime, d: Dialog): void {
  const mode = dbMode(rt);
  if (!mode || d.state < DlgState.Confirmed || d.state === DlgState.Deleted) return;
  if (mode === 1) {
    const conn = db(rt);
    if (conn) write(rt, conn, d);
  } else state(rt).dirty.add(d);
}

/** Writes what changed and deletes what ended (the delayed flush, and the shutdown one). */
export function flush(rt: Runtime): void {
  const st = state(rt);
  if (!st.dirty.size && !st.deleted.size) return;
  const conn = db(rt);
  if (!conn) return;
  for (const id of st.deleted) remove(rt, conn, id);
  st.deleted.clear();
  for (const d of st.dirty) if (d.state !== DlgState.Deleted) write(rt, conn, d);
  st.dirty.clear();
}

/** The dialogs of the table back in memory, their timers re-armed. */
export function loadDialogs(rt: Runtime): number {
  const conn = db(rt);
  if (!conn) return 0;
  const rows = conn.query(table(rt));
  if (isDbError(rows)) {
    rt.logger.log(-1, 'dialog', 'load_dialog_info_from_db', `cannot read the ${table(rt)} table: ${rows.message}`);
    return 0;
  }
  const now = Math.floor(rt.clock.now() / 1000);
  let n = 0;
  for (const r of rows) {
    const id = BigInt(String(r.dlg_id ?? 0));
    const did = `${(id >> 32n).toString(16)}.${(id & 0xffffffffn).toString(16)}`;
    if (dialogs(rt).byDid.has(did)) continue;
    const flags = Number(r.flags ?? 0);
    const create = Object.fromEntries(
      FLAG_BITS.map(([k, bit]) => [k, (flags & bit) !== 0]),
    ) as unknown as Dialog['create'];
    const d = addDialog(rt, {
      did,
      callId: String(r.callid ?? ''),
      fromUri: String(r.from_uri ?? ''),
      toUri: String(r.to_uri ?? ''),
      fromTag: String(r.from_tag ?? ''),
      flags: create,
      caller: {
        cseq: Number(r.caller_cseq ?? 0),
        routeSet: unroutes(r.caller_route_set ?? null),
        contact: String(r.caller_contact ?? ''),
        socket: rt.findSocket(String(r.caller_sock ?? '')),
      },
      createdAt: Number(r.start_time ?? now),
    });
    d.toTag = String(r.to_tag ?? '');
    const callee = d.legs[1];
    callee.tag = d.toTag;
    callee.cseq = Number(r.callee_cseq ?? 0);
    callee.routeSet = unroutes(r.callee_route_set ?? null);
    callee.contact = String(r.callee_contact ?? '');
    callee.socket = rt.findSocket(String(r.callee_sock ?? ''));
    d.legs[0].lastGenCseq = Number(r.caller_ping_cseq ?? 0);
    callee.lastGenCseq = Number(r.callee_ping_cseq ?? 0);
    d.state = Number(r.state ?? DlgState.Confirmed) as DlgState;
    d.startedAt = Number(r.start_time ?? now);
    const expires = Number(r.timeout ?? 0);
    d.timeout = Math.max(0, expires - d.startedAt);
    for (const [k, v] of unpairs(dbText(r.vars))) d.vals.set(k, v);
    for (const [k, v] of unpairs(dbText(r.profiles))) {
      let set = d.profiles.get(k);
      if (!set) d.profiles.set(k, (set = new Set()));
      set.add(v);
    }
    d.flags = Number(r.script_flags ?? 0) >>> 0;
    d.modFlags = Number(r.module_flags ?? 0);
    d.routes = {
      answer: (r.rt_on_answer as string | null) ?? undefined,
      timeout: (r.rt_on_timeout as string | null) ?? undefined,
      hangup: (r.rt_on_hangup as string | null) ?? undefined,
    };
    armTimeout(rt, d, Math.max(0, expires - now), (x) => onTimeout(rt, x));
    // A restored established dialog is pinged again (load_dialog_info_from_db: insert_ping_timer).
    if (d.state === DlgState.Established) startPinging(rt, d);
    n++;
  }
  return n;
}

/** db_mode's wiring: load at start, then write through the dialog callbacks. */
export function installPersistence(rt: Runtime): void {
  const mode = dbMode(rt);
  if (!mode) return;
  const loaded = loadDialogs(rt);
  if (loaded) rt.logger.log(3, 'dialog', 'load_dialog_info_from_db', `${loaded} dialogs loaded from the database`);
  onDialogs(rt, ['confirmed', 'stateChanged', 'requestWithin'], ({ dialog: d }) => markChanged(rt, d));
  onDialogs(rt, ['destroy'], ({ dialog: d }) => {
    if (d.startedAt === 0) return;
    if (mode === 1) {
      const conn = db(rt);
      if (conn) remove(rt, conn, d.id.toString());
    } else {
      state(rt).dirty.delete(d);
      state(rt).deleted.add(d.id.toString());
    }
  });
}

/** dlg_db_sync: the table's dialogs loaded into memory; false when persistence is off. */
export function syncFromDb(rt: Runtime): boolean {
  if (!dbMode(rt)) return false;
  loadDialogs(rt);
  return true;
}

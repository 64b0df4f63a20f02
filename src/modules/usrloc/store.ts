// usrloc in memory, with OpenSIPS's structure: domains (tables such as
// "location") hold AoR records, each an ordered list of bindings. Ordering,
// expiry and contact ids follow registrar-semantics.md §3.4 and §6.1.
import { ShardedMap } from '../../base/sharded-map.js';

export interface Binding {
  /** Unsigned 64-bit contact id, as a decimal string. */
  contactId: string;
  uri: string;
  received?: string;
  path?: string;
  /** Absolute Unix time in seconds; 0 = permanent. */
  expires: number;
  /** q × 1000; -1 when unspecified. */
  q: number;
  callid: string;
  cseq: number;
  /** usrloc flags: 1 memory-only. */
  flags: number;
  /** Branch flags stored with the contact. */
  cflags: number;
  userAgent: string;
  socket?: string;
  /** Method bitmask; undefined = all methods. */
  methods?: number;
  instance?: string;
  regId?: number;
  attr?: string;
  /** Unix time in ms of the last change. */
  lastModified: number;
  state: 'CS_NEW' | 'CS_SYNC' | 'CS_DIRTY';
  /** nathelper's last measured SIP ping latency, µs (sipping_latency_flag). */
  latency?: number;
  /** Per-contact key/value data (mid_registrar mode 1: exp, expO, LRTs, Seq, F, T, CID, ru, hop, Con, noDR). */
  kv?: Map<string, string>;
}

export interface AorRecord {
  aor: string;
  bindings: Binding[];
  /** Key/value store (mid_registrar keeps its state here); created on first use, most AoRs never need one. */
  kv?: Map<string, string>;
  recordLabel: number;
  nextContactLabel: number;
}

/** A binding changed; `kv` = only its key/value data did (persisted, but no usrloc event in OpenSIPS). */
export type BindingEvent = {
  kind: 'insert' | 'update' | 'kv' | 'delete' | 'expire';
  domain: string;
  aor: string;
  binding: Binding;
};
/** An AoR record was created, or went away with its last binding (usrloc's UL_AOR_INSERT / UL_AOR_DELETE / UL_AOR_EXPIRE). */
export type AorEvent = { kind: 'insert' | 'delete' | 'expire'; domain: string; record: AorRecord };

const OPTIONAL = ['received', 'path', 'socket', 'methods', 'instance', 'regId', 'attr', 'kv'] as const;

/**
 * A binding built property by property: `{ ...fields }` makes V8 keep a
 * dictionary-mode object (~560 bytes instead of ~180 per contact).
 */
export function shapedBinding(b: Omit<Binding, 'contactId'>, contactId: string): Binding {
  const o: Binding = {
    contactId,
    uri: b.uri,
    expires: b.expires,
    q: b.q,
    callid: b.callid,
    cseq: b.cseq,
    flags: b.flags,
    cflags: b.cflags,
    userAgent: b.userAgent,
    lastModified: b.lastModified,
    state: b.state,
  };
  const rec = o as unknown as Record<string, unknown>;
  for (const k of OPTIONAL) if (b[k] !== undefined) rec[k] = b[k];
  return o;
}

/** OpenSIPS's default usrloc hash_size (2^9 slots): an AoR's slot, also the top bits of its contact ids. */
const SLOTS = 0x200;

function aorHash(aor: string): number {
  let h = 0;
  for (let i = 0; i < aor.length; i++) h = (Math.imul(h, 31) + aor.charCodeAt(i)) >>> 0;
  return h & (SLOTS - 1);
}

export class UsrlocDomain {
  /** AoR -> record, in SLOTS shards (no stall while a 300,000-AoR table grows: see base/sharded-map.ts). */
  readonly records: Map<string, AorRecord> = new ShardedMap<AorRecord>(aorHash, SLOTS);
  private labels = 0;
  expiredCount = 0;

  constructor(
    readonly name: string,
    private readonly descTimeOrder: () => boolean,
    private readonly listeners: readonly ((e: BindingEvent) => void)[],
    private readonly aorListeners: readonly ((e: AorEvent) => void)[] = [],
    private readonly random: () => number = Math.random,
  ) {}

  /** Events are built only when someone listens (SQL persistence, mid_registrar): a plain registrar in memory has no listener. */
  private emit(kind: BindingEvent['kind'], r: AorRecord, binding: Binding): void {
    if (this.listeners.length === 0) return;
    const e: BindingEvent = { kind, domain: this.name, aor: r.aor, binding };
    for (const l of this.listeners) l(e);
  }

  /** The record is gone from the table: AoR listeners hear it (mid_registrar mode 2 De-REGISTERs). */
  private dropRecord(r: AorRecord, kind: 'delete' | 'expire'): void {
    this.records.delete(r.aor);
    this.emitAor(kind, r);
  }

  private emitAor(kind: AorEvent['kind'], r: AorRecord): void {
    if (this.aorListeners.length === 0) return;
    const e: AorEvent = { kind, domain: this.name, record: r };
    for (const l of this.aorListeners) l(e);
  }

  /** The binding with this contact id, in any AoR of the domain. */
  byContactId(id: string): { record: AorRecord; binding: Binding } | undefined {
    for (const record of this.records.values()) {
      const binding = record.bindings.find((b) => b.contactId === id);
      if (binding) return { record, binding };
    }
    return undefined;
  }

  /**
   * sql-only (db_mode 3): reads an AoR's rows from the shared table, so that
   * what another node wrote is seen at once; undefined = the DB failed (memory
   * answers instead).
   */
  reader: ((aor: string) => Record<string, unknown>[] | undefined) | undefined;
  rowToBinding: ((row: Record<string, unknown>) => Binding) | undefined;

  /**
   * sql-only: every row of the table, keyed by AoR (ul_dump shows what every
   * node wrote); undefined = the DB failed (memory answers instead).
   */
  tableReader: (() => Map<string, Record<string, unknown>[]> | undefined) | undefined;

  /** The AoR's record; in sql-only read from the table unless `memoryOnly`. */
  get(aor: string, memoryOnly = false): AorRecord | undefined {
    if (!this.reader || memoryOnly) return this.records.get(aor);
    return this.fromRows(aor, this.reader(aor));
  }

  /** Every record; in sql-only the table's (one query), memory brought in line with it. */
  all(): AorRecord[] {
    const byAor = this.tableReader?.();
    if (!byAor) return [...this.records.values()];
    for (const aor of [...this.records.keys()]) if (!byAor.has(aor)) this.records.delete(aor);
    return [...byAor].map(([aor, rows]) => this.fromRows(aor, rows)!);
  }

  /** The record of `aor` as `rows` say (undefined rows = the DB failed: memory's). */
  private fromRows(aor: string, rows: Record<string, unknown>[] | undefined): AorRecord | undefined {
    const mem = this.records.get(aor);
    if (!rows) return mem;
    if (!rows.length) {
      if (mem) this.records.delete(aor);
      return undefined;
    }
    const r = mem ?? this.createQuiet(aor);
    const kept = new Map(r.bindings.map((b) => [b.contactId, b]));
    // Bindings keep their identity where the row is the same contact (listeners and callers hold them).
    r.bindings = rows.map((row) => {
      const fresh = this.rowToBinding!(row);
      const old = kept.get(fresh.contactId);
      if (!old) return fresh;
      const o = old as unknown as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!(k in fresh) && k !== 'latency' && k !== 'regId') delete o[k];
      Object.assign(old, fresh);
      return old;
    });
    r.bindings.sort((a, b) => (this.descTimeOrder() ? b.lastModified - a.lastModified : b.q - a.q));
    return r;
  }

  private createQuiet(aor: string): AorRecord {
    const r: AorRecord = {
      aor,
      bindings: [],
      recordLabel: ++this.labels,
      nextContactLabel: Math.floor(this.random() * 0x3fff),
    };
    this.records.set(aor, r);
    return r;
  }

  getOrCreate(aor: string): AorRecord {
    return this.get(aor) ?? this.create(aor);
  }

  /** A new, empty record for an AoR the caller knows is absent (one map lookup fewer than getOrCreate). */
  create(aor: string): AorRecord {
    const r: AorRecord = {
      aor,
      bindings: [],
      recordLabel: ++this.labels,
      nextContactLabel: Math.floor(this.random() * 0x3fff),
    };
    this.records.set(aor, r);
    this.emitAor('insert', r);
    return r;
  }

  /** A fresh contact id for `r` (mid_registrar hands it out at forward time as the ctid). */
  newContactId(r: AorRecord): string {
    return this.contactId(r);
  }

  private contactId(r: AorRecord): string {
    const label = r.nextContactLabel++ & 0x3fff;
    return ((BigInt(aorHash(r.aor)) << 46n) + (BigInt(r.recordLabel) << 14n) + BigInt(label)).toString();
  }

  /** Inserts keeping the order: by q descending (equal q: oldest first), or newest first. */
  insert(r: AorRecord, b: Omit<Binding, 'contactId'>, contactId?: string): Binding {
    const binding = shapedBinding(b, contactId ?? this.contactId(r));
    this.place(r, binding);
    this.emit('insert', r, binding);
    return binding;
  }

  private place(r: AorRecord, b: Binding): void {
    if (r.bindings.length === 0) {
      // Most AoRs hold one binding: a one-slot array, where push() on an empty one reserves 17 (136 bytes more per AoR).
      r.bindings = [b];
      return;
    }
    if (this.descTimeOrder()) {
      r.bindings.unshift(b);
      return;
    }
    // Equal q is the common case: appending after the last one is then O(1), not a scan.
    const last = r.bindings[r.bindings.length - 1];
    if (!last || last.q >= b.q) {
      r.bindings.push(b);
      return;
    }
    const at = r.bindings.findIndex((x) => x.q < b.q);
    if (at < 0) r.bindings.push(b);
    else r.bindings.splice(at, 0, b);
  }

  update(r: AorRecord, b: Binding, changes: Partial<Binding>): void {
    const oldQ = b.q;
    // An undefined field keeps the stored value (callers pass captureBinding()'s full field set).
    const target = b as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(changes)) if (v !== undefined) target[k] = v;
    if (this.descTimeOrder() || b.q !== oldQ) {
      r.bindings.splice(r.bindings.indexOf(b), 1);
      this.place(r, b);
    }
    this.emit('update', r, b);
  }

  /**
   * A matched binding refreshed by a REGISTER, field for field as usrloc's
   * mem_update_ucontact() does with what lib/reg's pack_ci() captured:
   * - the contact URI is kept as first stored (the request's URI may differ in
   *   parameters present on one side only, RFC 3261 §19.1.4) unless `newUri` is
   *   given (pack_ci sets it only for `M<param>` matching);
   * - the +sip.instance is kept as first stored (update never rewrites it);
   * - received, path and attr become the new values, or go away when the
   *   REGISTER brought none; methods absent = all methods;
   * - Call-ID, CSeq, User-Agent, socket, expires, q, flags, branch flags and
   *   last-modified become the new values; the key/value data stays.
   */
  refresh(r: AorRecord, b: Binding, info: Omit<Binding, 'contactId'>, newUri?: string): void {
    const oldQ = b.q;
    if (newUri !== undefined) b.uri = newUri;
    b.callid = info.callid;
    b.cseq = info.cseq;
    b.userAgent = info.userAgent;
    b.expires = info.expires;
    b.q = info.q;
    b.flags = info.flags;
    b.cflags = info.cflags;
    b.lastModified = info.lastModified;
    b.state = info.state;
    // Assigned even when undefined (cleared), never deleted: the object keeps its shape.
    if (info.received !== undefined || b.received !== undefined) b.received = info.received;
    if (info.path !== undefined || b.path !== undefined) b.path = info.path;
    if (info.attr !== undefined || b.attr !== undefined) b.attr = info.attr;
    if (info.methods !== undefined || b.methods !== undefined) b.methods = info.methods;
    if (info.socket !== undefined || b.socket !== undefined) b.socket = info.socket;
    if (this.descTimeOrder() || b.q !== oldQ) {
      r.bindings.splice(r.bindings.indexOf(b), 1);
      this.place(r, b);
    }
    this.emit('update', r, b);
  }

  /** The binding's key/value data changed in place (mid_registrar): listeners (SQL) hear an update. */
  touched(r: AorRecord, b: Binding): void {
    this.emit('kv', r, b);
  }

  remove(r: AorRecord, b: Binding, kind: 'delete' | 'expire' = 'delete'): void {
    const i = r.bindings.indexOf(b);
    if (i >= 0) r.bindings.splice(i, 1);
    this.emit(kind, r, b);
    if (!r.bindings.length && this.records.get(r.aor) === r) this.dropRecord(r, kind);
  }

  removeAor(aor: string): void {
    const r = this.records.get(aor);
    if (!r) return;
    for (const b of [...r.bindings]) this.remove(r, b);
    this.records.delete(aor);
  }

  /** The timer: bindings with 0 < expires <= now go away; empty AoR records too. */
  expire(nowSec: number): number {
    let n = 0;
    // No copy of the table: with 300,000 AoRs copying it made this sweep a 100-250 ms stall of the receive loop
    // (datagrams dropped meanwhile). Deleting the entry being visited is safe while iterating a Map.
    for (const r of this.records.values()) n += this.expireRecord(r, nowSec);
    return n;
  }

  /** One record's part of the expiry sweep: how many of its bindings expired (the record goes when left empty). */
  expireRecord(r: AorRecord, nowSec: number): number {
    const bs = r.bindings;
    let n = 0;
    for (let i = 0; i < bs.length;) {
      const b = bs[i]!;
      if (b.expires > 0 && b.expires <= nowSec) {
        this.remove(r, b, 'expire');
        n++;
      } else i++;
    }
    // A record left empty (a forwarded REGISTER that got no 2xx) goes at the timer too.
    if (!bs.length && this.records.get(r.aor) === r) this.dropRecord(r, 'expire');
    this.expiredCount += n;
    return n;
  }

  contactCount(): number {
    let n = 0;
    for (const r of this.records.values()) n += r.bindings.length;
    return n;
  }
}

export function isValid(b: Binding, nowSec: number): boolean {
  return b.expires === 0 || b.expires > nowSec;
}

export class Usrloc {
  readonly domains = new Map<string, UsrlocDomain>();
  readonly listeners: ((e: BindingEvent) => void)[] = [];
  readonly aorListeners: ((e: AorEvent) => void)[] = [];
  /** Where contact labels start (random, as in OpenSIPS); scenarios seed it for repeatable runs. */
  random: () => number = Math.random;
  descTimeOrder = false;
  useDomain = false;
  /** nat_bflag: the branch flag marking NATed contacts (nathelper pings only those with ping_nated_only). */
  natFlag: string | undefined;
  matchingMode: 0 | 1 = 0;
  cseqDelay = 20;
  timerInterval = 60;
  /** A DB write of the current request failed (set by the SQL persistence, taken by registrar's save: 500). */
  dbFailure: 'insert' | 'update' | 'delete' | undefined;

  domain(name: string): UsrlocDomain {
    let d = this.domains.get(name);
    if (!d) {
      d = new UsrlocDomain(
        name,
        () => this.descTimeOrder,
        this.listeners,
        this.aorListeners,
        () => this.random(),
      );
      this.domains.set(name, d);
    }
    return d;
  }
}

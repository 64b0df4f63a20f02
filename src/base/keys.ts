// Typed keys for the string-keyed bags modules share: the runtime's services
// (one per server: usrloc's tables, the transaction layer...) and a message's
// scratch state (what tm, registrar or uac noted while the script ran on it).
// The key carries its value's type, so a reader gets what the writer stored
// without a cast, and the key's name (`module:what`) keeps debugging readable.

/** A value one module keeps for the whole server (Runtime.services). */
export interface ServiceKey<T> {
  readonly name: string;
  /** Never read: only carries T. */
  readonly _type?: T;
}

/** A value kept for one message while the script runs on it (ExecContext.modState). */
export interface StateKey<T> {
  readonly name: string;
  readonly _type?: T;
}

export function serviceKey<T>(name: string): ServiceKey<T> {
  return { name };
}

export function stateKey<T>(name: string): StateKey<T> {
  return { name };
}

/** A string-keyed bag read through typed keys. */
export interface KeyedBag {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  has(key: string): boolean;
}

/** The value under `key`, or undefined. */
export function peek<T>(bag: KeyedBag | undefined, key: ServiceKey<T> | StateKey<T>): T | undefined {
  return bag?.get(key.name) as T | undefined;
}

/** The value under `key`, made by `init` on first use (the get-or-create every module needs). */
export function stateOf<T>(bag: KeyedBag, key: ServiceKey<T> | StateKey<T>, init: () => T): T {
  // One lookup in the common case (hot paths call this per message).
  const known = bag.get(key.name);
  if (known !== undefined || bag.has(key.name)) return known as T;
  const value = init();
  bag.set(key.name, value);
  return value;
}

export function put<T>(bag: KeyedBag, key: ServiceKey<T> | StateKey<T>, value: T): void {
  bag.set(key.name, value);
}

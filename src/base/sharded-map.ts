// A Map split into a fixed number of smaller Maps by a hash of the key, as
// OpenSIPS's usrloc splits a domain into hash_size slots. One V8 Map holding
// 300,000 entries is rehashed in one go whenever it grows or shrinks past a
// power of two (tens of milliseconds at 262,144 entries, during which no
// datagram is read); 512 shards keep every rehash 512 times smaller.
// Iteration goes shard by shard, in insertion order within each.

export class ShardedMap<V> implements Map<string, V> {
  private readonly shards: Map<string, V>[];
  private count = 0;
  readonly [Symbol.toStringTag] = 'ShardedMap';

  /** `slot(key)` must return an integer in [0, shards). */
  constructor(
    private readonly slot: (key: string) => number,
    shards: number,
  ) {
    this.shards = Array.from({ length: shards }, () => new Map<string, V>());
  }

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    return this.shards[this.slot(key)]!.get(key);
  }

  has(key: string): boolean {
    return this.shards[this.slot(key)]!.has(key);
  }

  set(key: string, value: V): this {
    const shard = this.shards[this.slot(key)]!;
    const before = shard.size;
    shard.set(key, value);
    this.count += shard.size - before;
    return this;
  }

  delete(key: string): boolean {
    const gone = this.shards[this.slot(key)]!.delete(key);
    if (gone) this.count--;
    return gone;
  }

  clear(): void {
    for (const s of this.shards) s.clear();
    this.count = 0;
  }

  forEach(fn: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this) fn.call(thisArg, v, k, this);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const s of this.shards) yield* s.entries();
  }

  *keys(): IterableIterator<string> {
    for (const s of this.shards) yield* s.keys();
  }

  *values(): IterableIterator<V> {
    for (const s of this.shards) yield* s.values();
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}

// Named flags, as 3.x allocates them: the first time a name is seen (in a
// script fix-up or a flag modparam) it takes the next free bit of its
// namespace; message flags and branch flags are separate; 32 at most.
export type FlagSpace = 'msg' | 'branch';

export class FlagRegistry {
  private readonly names: Record<FlagSpace, string[]> = { msg: [], branch: [] };

  /** The bit index of `name`, allocating it if new; undefined when the 33rd is asked for. */
  index(space: FlagSpace, name: string): number | undefined {
    const list = this.names[space];
    const i = list.indexOf(name);
    if (i >= 0) return i;
    if (list.length >= 32) return undefined;
    list.push(name);
    return list.length - 1;
  }

  mask(space: FlagSpace, name: string): number {
    const i = this.index(space, name);
    return i === undefined ? 0 : (1 << i) >>> 0;
  }

  /** Space-separated names of the set bits (as ul_dump prints Cflags). */
  namesOf(space: FlagSpace, bits: number): string {
    return this.names[space].filter((_, i) => (bits >>> i) & 1).join(' ');
  }

  known(space: FlagSpace): readonly string[] {
    return this.names[space];
  }
}

// usrloc's method bitmask (the Allow header or the contact's `methods` param).
export const METHOD_BITS: Record<string, number> = {
  INVITE: 1,
  CANCEL: 2,
  ACK: 4,
  BYE: 8,
  INFO: 16,
  OPTIONS: 32,
  UPDATE: 64,
  REGISTER: 128,
  MESSAGE: 256,
  SUBSCRIBE: 512,
  NOTIFY: 1024,
  PRACK: 2048,
  REFER: 4096,
  PUBLISH: 8192,
  OTHER: 16384,
};

/** No Allow header and no `methods` param: every method. */
export const ALL_METHODS = 0xffffffff;

export function methodAllowed(bits: number | undefined, method: string): boolean {
  if (bits === undefined) return true;
  return (bits & (METHOD_BITS[method.toUpperCase()] ?? METHOD_BITS.OTHER!)) !== 0;
}

// Every parser in this folder returns errors as values: a malformed header in
// a received datagram must never take the server down.

export interface SipError {
  readonly error: string;
}

export function sipError(error: string): SipError {
  return { error };
}

export function isSipError(value: unknown): value is SipError {
  return typeof value === 'object' && value !== null && typeof (value as SipError).error === 'string';
}

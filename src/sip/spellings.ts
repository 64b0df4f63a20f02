// Names that arrive spelled the same way on nearly every message (header
// names, header parameters), recognised in the received text without slicing
// and lower-casing them: the table hands back its own strings, already
// internalised, which also makes them cheap property keys.

export interface Spelling {
  /** As written on the wire. */
  readonly spelling: string;
  /** What the parser keys it by (lower-case, compact forms expanded...). */
  readonly key: string;
}

export class Spellings {
  private readonly byLength: Spelling[][] = [];

  constructor(spellings: readonly string[], keyOf: (spelling: string) => string) {
    for (const spelling of spellings) (this.byLength[spelling.length] ??= []).push({ spelling, key: keyOf(spelling) });
  }

  /** The entry spelled exactly as text[start, end), or undefined. */
  find(text: string, start: number, end: number): Spelling | undefined {
    const bucket = this.byLength[end - start];
    if (bucket === undefined) return undefined;
    for (let b = 0; b < bucket.length; b++) {
      const candidate = bucket[b]!;
      const spelling = candidate.spelling;
      let i = 0;
      while (i < spelling.length && spelling.charCodeAt(i) === text.charCodeAt(start + i)) i++;
      if (i === spelling.length) return candidate;
    }
    return undefined;
  }
}

/** Request methods and the SIP version as they arrive on nearly every message (the start line, CSeq). */
export const COMMON_WORDS = new Spellings(
  ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'MESSAGE', 'INFO', 'PRACK', 'UPDATE', 'REFER', 'SIP/2.0'],
  (spelling) => spelling,
);

/** text[start, end), as the table's own string when it is a common word. */
export function commonWord(text: string, start: number, end: number): string {
  return COMMON_WORDS.find(text, start, end)?.spelling ?? text.slice(start, end);
}

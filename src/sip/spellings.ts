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
  /** By the code of the first char (ASCII spellings only). */
  private readonly byFirst: Spelling[][] = [];

  constructor(spellings: readonly string[], keyOf: (spelling: string) => string) {
    for (const spelling of spellings) {
      const entry = { spelling, key: keyOf(spelling) };
      (this.byLength[spelling.length] ??= []).push(entry);
      const first = spelling.charCodeAt(0);
      if (first < 128) (this.byFirst[first] ??= []).push(entry);
    }
  }

  /**
   * The entry that the token starting at `start` in text[.., limit) spells,
   * the token being the longest run of `cls` chars: what find() gives for
   * that token, found without first looking for where the token ends. Only
   * for tables whose spellings are all made of `cls` chars.
   */
  tokenAt(text: string, start: number, limit: number, cls: Uint8Array): Spelling | undefined {
    const bucket = this.byFirst[text.charCodeAt(start)];
    if (bucket === undefined) return undefined;
    for (let b = 0; b < bucket.length; b++) {
      const candidate = bucket[b]!;
      const spelling = candidate.spelling;
      const end = start + spelling.length;
      if (end > limit) continue;
      let i = 1;
      while (i < spelling.length && spelling.charCodeAt(i) === text.charCodeAt(start + i)) i++;
      if (i !== spelling.length) continue;
      if (end === limit) return candidate;
      const next = text.charCodeAt(end);
      if (next >= 128 || cls[next] !== 1) return candidate;
    }
    return undefined;
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

const METHOD_NAMES = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'MESSAGE',
  'INFO',
  'PRACK',
  'UPDATE',
  'REFER',
];

/** Request methods and the SIP version as they arrive on nearly every message (the start line, CSeq). */
export const COMMON_WORDS = new Spellings([...METHOD_NAMES, 'SIP/2.0'], (spelling) => spelling);

/** The request methods alone: all tokens, for tokenAt(). */
export const COMMON_METHODS = new Spellings(METHOD_NAMES, (spelling) => spelling);

/** text[start, end), as the table's own string when it is a common word. */
export function commonWord(text: string, start: number, end: number): string {
  return COMMON_WORDS.find(text, start, end)?.spelling ?? text.slice(start, end);
}

// jssip's PEG grammar, used as the arbiter for forms our fast paths do not
// recognise. It throws on some inputs (`Contact: *`, undecodable %-escapes),
// so every call is guarded.
import Grammar from 'jssip/lib/Grammar.js';

/** The parse result of jssip's rule `rule`, or undefined when it rejects or throws. */
export function grammarParse(text: string, rule: string): unknown {
  try {
    const result: unknown = Grammar.parse(text, rule);
    return result === -1 ? undefined : result;
  } catch {
    return undefined;
  }
}

export function grammarAccepts(text: string, rule: string): boolean {
  return grammarParse(text, rule) !== undefined;
}

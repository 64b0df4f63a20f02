// Display names as OpenSIPS's parse_to.c delimits them: the text before the
// '<' outside quotes, quotes included ($fn, $tn, $pn).

/** The display name as written (quotes kept, as parse_to.c's display covers them); undefined when there is none. */
export function displayAsWritten(value: string): string | undefined {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === '<' && !quoted) {
      const d = value.slice(0, i).trim();
      return d === '' ? undefined : d;
    }
  }
  return undefined;
}

// String literal values as cfg.lex produces them.

/** Double-quoted: `\n \r \t \a \" \\`, `\xH[H]`, `\ooo` (2-3 octal digits); any other `\c` stays as written. */
export function unescapeDoubleQuoted(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const n = body[i + 1]!;
    const simple: Record<string, string> = { n: '\n', r: '\r', a: '\x07', t: '\t', '"': '"', '\\': '\\' };
    if (n in simple) {
      out += simple[n];
      i++;
      continue;
    }
    if (n === '\n') {
      i++;
      continue;
    } // escaped newline is swallowed
    const hex = /^x([0-9a-fA-F]{1,2})/.exec(body.slice(i + 1, i + 4));
    if (hex) {
      out += String.fromCharCode(parseInt(hex[1]!, 16));
      i += hex[0].length;
      continue;
    }
    const oct = /^[0-7]{2,3}/.exec(body.slice(i + 1, i + 4));
    if (oct) {
      out += String.fromCharCode(parseInt(oct[0], 8) & 0xff);
      i += oct[0].length;
      continue;
    }
    out += c;
  }
  return out;
}

/** The value of one string token, quotes included in `image`. */
export function stringTokenValue(image: string): string {
  if (image.startsWith("'")) return image.slice(1, image.endsWith("'") && image.length > 1 ? -1 : undefined);
  const closed = image.length > 1 && image.endsWith('"') && !image.endsWith('\\"');
  return unescapeDoubleQuoted(image.slice(1, closed ? -1 : undefined));
}

/** A double-quoted literal whose value is `value` (used by `fmt` for folded strings). */
export function quoteDouble(value: string): string {
  return (
    '"' +
    value
      .replace(/\\/g, '\\\\')
      .replace(/"/g, '\\"')
      .replace(/\t/g, '\\t')
      .replace(/\r/g, '\\r')
      .replace(/\n/g, '\\n') +
    '"'
  );
}

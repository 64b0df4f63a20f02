// sed-like substitution expressions of textops (subst, subst_uri,
// subst_user): `/re/replacement/flags`, the first character being the
// separator; \0-\9 refer to the match and its groups. Flags: i (ignore
// case), g (every match), s (`.` and anchors across newlines; by default,
// as REG_NEWLINE, they stop at line ends).
import { posixToJs } from './regex.js';

export interface SubstExpr {
  re: RegExp;
  replacement: string;
  global: boolean;
}

/** Splits on the unescaped separator; an escaped separator stands for itself. */
function splitOn(text: string, sep: string): string[] {
  const parts: string[] = [''];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === sep) {
      parts[parts.length - 1] += sep;
      i++;
      continue;
    }
    if (c === '\\' && i + 1 < text.length) {
      parts[parts.length - 1] += c + text[i + 1];
      i++;
      continue;
    }
    if (c === sep) {
      parts.push('');
      continue;
    }
    parts[parts.length - 1] += c;
  }
  return parts;
}

export function parseSubst(expr: string): SubstExpr | string {
  if (expr.length < 4) return 'expression too short';
  const parts = splitOn(expr.slice(1), expr[0]!);
  if (parts.length !== 3) return `"${expr}" is not /re/replacement/flags`;
  const [re, replacement, flags] = parts as [string, string, string];
  let js = '';
  for (const f of flags) {
    if (f === 'i') js += 'i';
    else if (f === 'g') js += 'g';
    else if (f === 's') js += 's';
    else return `unknown flag ${f} in "${expr}"`;
  }
  const newline = js.includes('s') ? '' : 'm';
  try {
    return {
      re: new RegExp(posixToJs(re), `${js}${newline}`.replace('g', '') + (js.includes('g') ? 'g' : '')),
      replacement,
      global: js.includes('g'),
    };
  } catch (err) {
    return (err as Error).message;
  }
}

/** The replacement with \0-\9 filled in; other escapes give the character itself. */
function expand(replacement: string, m: RegExpExecArray): string {
  return replacement.replace(/\\(.)/g, (_s, c: string) => (/\d/.test(c) ? (m[Number(c)] ?? '') : c));
}

/** The substituted text, or undefined when nothing matched (the functions then return -1). */
export function applySubst(e: SubstExpr, text: string): string | undefined {
  e.re.lastIndex = 0;
  let out = '';
  let last = 0;
  let matched = false;
  for (let m = e.re.exec(text); m; m = e.global ? e.re.exec(text) : null) {
    matched = true;
    out += text.slice(last, m.index) + expand(e.replacement, m);
    last = m.index + m[0].length;
    if (m[0].length === 0) e.re.lastIndex++;
  }
  return matched ? out + text.slice(last) : undefined;
}

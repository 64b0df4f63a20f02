// permissions' allow/deny rule files (parse_config.c, rule.c) and the
// checks on them: allow_routing (From URI against the R-URI, and the
// branches with check_all_branches), allow_register (To URI against each
// Contact), allow_uri (From URI against a given URI). A rule line is
// `LEFT : RIGHT`, each side ALL or a comma-separated list of quoted POSIX
// regexes (case-insensitive, unanchored), optionally `EXCEPT list`; `#`
// starts a comment outside quotes. A missing file has no rules; with no
// rules in either file everything is allowed.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { posixRegex } from '../../script/regex.js';
import { splitUri } from '../../script/uri-fields.js';
import { serviceKey } from '../../base/keys.js';

interface Side {
  list?: RegExp[];
  except?: RegExp[];
}
interface Rule {
  left: Side;
  right: Side;
}

function expressionList(text: string): RegExp[] | undefined {
  const out: RegExp[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (i < text.length && (c !== ',' || quoted)) continue;
    const word = text.slice(start, i).trim().replace(/^"/, '').replace(/"$/, '');
    if (!word) return undefined;
    try {
      out.push(posixRegex(word));
    } catch {
      return undefined;
    }
    start = i + 1;
  }
  return out;
}

function side(text: string): Side | undefined {
  const at = text.indexOf(' EXCEPT ');
  const main = (at < 0 ? text : text.slice(0, at)).trim();
  const out: Side = {};
  if (at >= 0) {
    const e = expressionList(text.slice(at + 8));
    if (!e) return undefined;
    out.except = e;
  }
  if (main !== 'ALL') {
    const l = expressionList(main);
    if (!l) return undefined;
    out.list = l;
  }
  return out;
}

/** One line: undefined for blank and comment lines and for lines that do not parse (logged by the caller). */
export function parseRuleLine(line: string): Rule | undefined | 'bad' {
  let quoted = false;
  let colon = -1;
  let end = line.length;
  let content = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') {
      quoted = !quoted;
      content = true;
    } else if (c === ':' && !quoted) {
      colon = i;
      content = true;
    } else if ((c === '#' && !quoted) || c === '\n') {
      end = i;
      break;
    } else if (c !== ' ' && c !== '\t' && c !== '\r') content = true;
  }
  if (!content) return undefined;
  if (colon <= 0 || colon + 1 >= end) return 'bad';
  const left = side(line.slice(0, colon));
  const right = side(line.slice(colon + 1, end).replace(/\r$/, ''));
  return left && right ? { left, right } : 'bad';
}

const matchesAny = (res: RegExp[] | undefined, v: string): boolean => !!res?.some((r) => r.test(v));

function matches(rules: Rule[], left: string, right: string): boolean {
  return rules.some(
    (r) =>
      (!r.left.list || matchesAny(r.left.list, left)) &&
      !matchesAny(r.left.except, left) &&
      (!r.right.list || matchesAny(r.right.list, right)) &&
      !matchesAny(r.right.except, right),
  );
}

interface RuleFiles {
  allow: Rule[];
  deny: Rule[];
}

/** Each rule file's rules by path. */
const RULE_FILES = serviceKey<Map<string, Rule[]>>('permissions:rules');

/** A file's rules, read once per runtime; a file that is not there has none. */
function rulesOf(rt: Runtime, path: string): Rule[] {
  const files = rt.service(RULE_FILES, () => new Map());
  const cached = files.get(path);
  if (cached) return cached;
  const rules: Rule[] = [];
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    rt.logger.log(2, 'permissions', 'parse_config_file', `file not found: ${path}`);
  }
  for (const line of text.split('\n')) {
    const r = parseRuleLine(line);
    if (r === 'bad') rt.logger.log(-1, 'permissions', 'parse_config_line', `failed to parse line: ${line}`);
    else if (r) rules.push(r);
  }
  files.set(path, rules);
  return rules;
}

/** basename.allow / basename.deny (or the default files), relative to the cfg's folder. */
function filesFor(rt: Runtime, basename: string | undefined): RuleFiles {
  const dir = rt.cfgDir ?? process.cwd();
  const at = (name: string): string => (isAbsolute(name) ? name : join(dir, name));
  const param = (n: string, d: string): string => String(rt.param('permissions', n) ?? d);
  const allow =
    basename === undefined
      ? param('default_allow_file', 'permissions.allow')
      : basename + param('allow_suffix', '.allow');
  const deny =
    basename === undefined ? param('default_deny_file', 'permissions.deny') : basename + param('deny_suffix', '.deny');
  return { allow: rulesOf(rt, at(allow)), deny: rulesOf(rt, at(deny)) };
}

/** sip:user@host (sip:host without a user): the form the rules are matched against. */
function plainUri(uri: string): string | undefined {
  const u = splitUri(uri);
  if (!u) return undefined;
  return u.user ? `sip:${u.user}@${u.host}` : `sip:${u.host}`;
}

function checkAllBranches(rt: Runtime): boolean {
  return Number(rt.param('permissions', 'check_all_branches') ?? 1) !== 0;
}

export function allowRouting(ctx: ExecContext, basename: string | undefined): number {
  const rt = ctx.runtime;
  const f = filesFor(rt, basename);
  if (!f.allow.length && !f.deny.length) return 1;
  const from = ctx.msg.from?.uri;
  const r = splitUri(ctx.ruri);
  if (!from || !r) {
    rt.logger.log(-1, 'permissions', 'allow_routing', 'failed to parse message');
    return -1;
  }
  const ruri = `sip:${r.user ?? ''}@${r.host}`;
  if (matches(f.allow, from, ruri)) {
    if (!checkAllBranches(rt)) return 1;
  } else {
    if (matches(f.deny, from, ruri)) return -1;
    if (!checkAllBranches(rt)) return 1;
  }
  for (const b of ctx.branches) {
    const uri = plainUri(b.uri);
    if (!uri) return -1;
    if (matches(f.allow, from, uri)) continue;
    if (matches(f.deny, from, uri)) return -1;
  }
  return 1;
}

export function allowRegister(ctx: ExecContext, basename: string): number {
  const rt = ctx.runtime;
  const f = filesFor(rt, basename);
  if (!f.allow.length && !f.deny.length) return 1;
  const to = ctx.msg.to?.uri;
  if (!to) {
    rt.logger.log(-1, 'permissions', 'allow_register', 'To or Contact not found');
    return -1;
  }
  const contacts = ctx.msg.contacts();
  if (contacts.star || !contacts.list.length) return 1;
  for (const c of contacts.list) {
    const uri = plainUri(c.uri);
    if (!uri) {
      rt.logger.log(-1, 'permissions', 'allow_register', "can't extract plain Contact URI");
      return -1;
    }
    // With check_all_branches off, an allowing rule does not spare the deny file (3.3).
    if (matches(f.allow, to, uri) && checkAllBranches(rt)) continue;
    if (matches(f.deny, to, uri)) return -1;
  }
  return 1;
}

export function allowUri(ctx: ExecContext, basename: string, uri: string): number {
  const f = filesFor(ctx.runtime, basename);
  if (!f.allow.length && !f.deny.length) return 1;
  const from = ctx.msg.from?.uri;
  if (!from) return -1;
  if (matches(f.allow, from, uri)) return 1;
  return matches(f.deny, from, uri) ? -1 : 1;
}

// Transformations `{class.method,args}` applied to a value, as 3.3's
// transformations.c does for the classes used in registrar/proxy scripts.
import { createHash } from 'node:crypto';
import type { FormatPart, Transformation } from '../cfg/ast.js';
import type { ExecContext } from './context.js';
import { compileSpec, type PvLookup } from './pv.js';
import { splitUri, uriField, uriParam } from './uri-fields.js';
import { strForm, type Val } from './values.js';

type Args = (string | undefined)[];
type Method = (v: Val, args: Args) => Val;

function s(v: Val): string | undefined {
  return strForm(v);
}

function hash(algo: string): Method {
  return (v) => {
    const x = s(v);
    return x === undefined ? null : createHash(algo).update(x).digest('hex');
  };
}

const STRING: Record<string, Method> = {
  len: (v) => (v === null ? 0 : Buffer.byteLength(s(v)!)),
  int: (v) => {
    if (typeof v === 'number') return v;
    const m = /^\s*[-+]?\d+/.exec(v ?? '');
    return m ? parseInt(m[0], 10) : 0;
  },
  tolower: (v) => (v === null ? null : s(v)!.toLowerCase()),
  toupper: (v) => (v === null ? null : s(v)!.toUpperCase()),
  trim: (v) => (v === null ? null : s(v)!.trim()),
  trimr: (v) => (v === null ? null : s(v)!.replace(/\s+$/, '')),
  triml: (v) => (v === null ? null : s(v)!.replace(/^\s+/, '')),
  reverse: (v) => (v === null ? null : [...s(v)!].reverse().join('')),
  md5: hash('md5'),
  sha1: hash('sha1'),
  sha224: hash('sha224'),
  sha256: hash('sha256'),
  sha384: hash('sha384'),
  sha512: hash('sha512'),
  'encode.hexa': (v) => (v === null ? null : Buffer.from(s(v)!).toString('hex')),
  'decode.hexa': (v) => (v === null ? null : Buffer.from(s(v)!, 'hex').toString()),
  b64encode: (v) => (v === null ? null : Buffer.from(s(v)!).toString('base64')),
  b64decode: (v) => (v === null ? null : Buffer.from(s(v)!, 'base64').toString()),
  substr: (v, [off = '0', len = '0']) => {
    const x = s(v);
    if (x === undefined) return null;
    let o = Number(off);
    const n = Number(len);
    if (o < 0) o = Math.max(0, x.length + o);
    return n > 0 ? x.substr(o, n) : x.slice(o);
  },
  select: (v, [idx = '0', sep = ',']) => {
    const x = s(v);
    if (x === undefined) return null;
    const parts = x.split(sep);
    const i = Number(idx);
    return parts[i < 0 ? parts.length + i : i] ?? null;
  },
  index: (v, [needle = '', start = '0']) => {
    const x = s(v);
    return x === undefined ? null : x.indexOf(needle, Number(start));
  },
  rindex: (v, [needle = '']) => {
    const x = s(v);
    return x === undefined ? null : x.lastIndexOf(needle);
  },
  'escape.common': (v) => (v === null ? null : s(v)!.replace(/['"\\]/g, (c) => '\\' + c)),
};

const URI: Record<string, Method> = {
  user: (v) => uriField(s(v) ?? '', 'user'),
  host: (v) => uriField(s(v) ?? '', 'host'),
  domain: (v) => uriField(s(v) ?? '', 'host'),
  port: (v) => uriField(s(v) ?? '', 'port'),
  passwd: (v) => uriField(s(v) ?? '', 'password'),
  params: (v) => uriField(s(v) ?? '', 'params'),
  headers: (v) => uriField(s(v) ?? '', 'headers'),
  transport: (v) => {
    const p = splitUri(s(v) ?? '');
    return p ? (uriParam(p.params, 'transport') ?? null) : null;
  },
  schema: (v) => uriField(s(v) ?? '', 'scheme'),
  param: (v, [name = '']) => {
    const p = splitUri(s(v) ?? '');
    return p ? (uriParam(p.params, name) ?? null) : null;
  },
};

function paramList(v: Val): [string, string][] {
  return (s(v) ?? '')
    .split(';')
    .filter((x) => x.trim())
    .map((x) => {
      const eq = x.indexOf('=');
      return eq >= 0 ? [x.slice(0, eq).trim(), x.slice(eq + 1).trim()] : [x.trim(), ''];
    });
}

const PARAM: Record<string, Method> = {
  value: (v, [name = '']) => paramList(v).find(([k]) => k === name)?.[1] ?? null,
  exist: (v, [name = '']) => (paramList(v).some(([k]) => k === name) ? 1 : 0),
  count: (v) => paramList(v).length,
  valueat: (v, [i = '0']) => paramList(v)[Number(i)]?.[1] ?? null,
  name: (v, [i = '0']) => paramList(v)[Number(i)]?.[0] ?? null,
};

function nameAddr(v: Val): { name: string; uri: string; params: string } | undefined {
  const x = s(v);
  if (x === undefined) return undefined;
  const lt = x.indexOf('<');
  const gt = x.indexOf('>', lt);
  if (lt >= 0 && gt > lt)
    return {
      name: x
        .slice(0, lt)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
      uri: x.slice(lt + 1, gt),
      params: x.slice(gt + 1),
    };
  const semi = x.indexOf(';');
  return { name: '', uri: semi >= 0 ? x.slice(0, semi) : x, params: semi >= 0 ? x.slice(semi) : '' };
}

const NAMEADDR: Record<string, Method> = {
  name: (v) => nameAddr(v)?.name ?? null,
  uri: (v) => nameAddr(v)?.uri ?? null,
  len: (v) => (s(v) ?? '').length,
  params: (v) => nameAddr(v)?.params.replace(/^;/, '') ?? null,
  param: (v, [name = '']) => {
    const na = nameAddr(v);
    return na ? (paramList(na.params).find(([k]) => k === name)?.[1] ?? null) : null;
  },
};

export const TRANSFORMATIONS: Record<string, Record<string, Method>> = {
  s: STRING,
  uri: URI,
  param: PARAM,
  nameaddr: NAMEADDR,
};

export function findTransformation(name: string): Method | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  return TRANSFORMATIONS[name.slice(0, dot)]?.[name.slice(dot + 1)];
}

function expandArg(parts: FormatPart[], ctx: ExecContext, lookup: PvLookup): string {
  return parts.map((p) => (typeof p === 'string' ? p : String(compileSpec(p, lookup, '').get(ctx) ?? ''))).join('');
}

export function applyTransformations(v: Val, transforms: Transformation[], ctx: ExecContext, lookup: PvLookup): Val {
  let value = v;
  for (const t of transforms) {
    const method = findTransformation(t.name);
    if (!method) throw new Error(`transformation {${t.name}} is not implemented`);
    value = method(
      value,
      t.args.map((a) => expandArg(a, ctx, lookup)),
    );
  }
  return value;
}

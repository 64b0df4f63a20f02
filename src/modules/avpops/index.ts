// avpops: AVP operations (is_avp_set, avp_delete, avp_copy, avp_pushto,
// avp_check, avp_op, avp_subst, avp_print), avp_db_query and
// avp_db_load/store/delete on any backend of the DB layer.
// Arguments are avpops' own mini-languages (params.ts), parsed once per
// text: lint reports constant ones that 3.3 would refuse at start-up.
import type { ExecContext } from '../../script/context.js';
import type { PvDef } from '../../script/pv-core.js';
import type { PvLookup } from '../../script/pv.js';
import type { Runtime } from '../../script/runtime.js';
import { parseSubst, type SubstExpr } from '../../script/subst.js';
import type { ArgValue, FunctionBehaviour, NativeModule, StaticArg } from '../types.js';
import { dbQuery, destinations } from './db.js';
import { dbDelete, dbLoad, dbStore, parseName, parseSource, type DbName, type DbSource } from './db-avps.js';
import {
  CHECK_OPS,
  checkAvps,
  copyAvps,
  deleteAvps,
  isAvpSet,
  OP_OPS,
  opAvps,
  printAvps,
  pushToTarget,
  substAvps,
  type PushTarget,
} from './ops.js';
import { avpRef, opValue, pvRef, splitFlags, type OpValue, type PvRef } from './params.js';

type Parser<T> = (text: string, lookup: PvLookup) => T | string;

const parsedBy = new WeakMap<Runtime, Map<string, unknown>>();

/** The parse of `text` by `parser`, once per runtime; a string is the problem. */
function parsed<T>(rt: Runtime, key: string, text: string, parser: Parser<T>): T | string {
  let m = parsedBy.get(rt);
  if (!m) {
    m = new Map();
    parsedBy.set(rt, m);
  }
  const k = `${key}\u0000${text}`;
  if (!m.has(k))
    m.set(
      k,
      parser(text, (n) => rt.modulePvs.get(n)),
    );
  return m.get(k) as T | string;
}

/** Lint: every pseudo-variable accepted (the names are checked when the script runs). */
const ANY_PV: PvLookup = () => ({ get: () => null }) as PvDef;

/** Checks constant arguments; `$` in them is avpops syntax, not expansion, except where the parameter `expands`. */
function fixupOf(parsers: (Parser<unknown> | undefined)[], expands: number[] = []): FunctionBehaviour['fixup'] {
  return (args: StaticArg[], report) => {
    parsers.forEach((p, i) => {
      const a = args[i];
      if (!p || a?.kind !== 'string' || (a.dynamic && expands.includes(i))) return;
      const r = p(a.text, ANY_PV);
      if (typeof r === 'string') report(r, a.span);
    });
  };
}

/** Runs `body` with the parsed arguments; a parse problem logs and returns -1 (a variable argument that does not parse). */
function withParsed(
  ctx: ExecContext,
  fn: string,
  parts: [string, string, Parser<unknown>][],
  body: (values: unknown[]) => number,
): number {
  const values: unknown[] = [];
  for (const [key, text, parser] of parts) {
    const v = parsed(ctx.runtime, key, text, parser);
    if (typeof v === 'string') {
      ctx.runtime.logger.log(-1, 'avpops', fn, v);
      return -1;
    }
    values.push(v);
  }
  return body(values);
}

const str = (a: ArgValue | undefined): string => a?.str ?? '';

// ---- parsers of each argument ------------------------------------------------------------

const isSetArg: Parser<{ ref: PvRef; flags: Set<string> }> = (text, lookup) => {
  const f = splitFlags(text, 'ens');
  if (typeof f === 'string') return f;
  if (f.flags.has('n') && f.flags.has('s')) return `flags n and s together in ${text}`;
  const ref = avpRef(f.main, lookup);
  return typeof ref === 'string' ? `bad attribute name: ${ref}` : { ref, flags: f.flags };
};

const deleteArg: Parser<{ target: PvRef | 'all' | 'string-named'; all: boolean }> = (text, lookup) => {
  const f = splitFlags(text, 'g');
  if (typeof f === 'string') return f;
  if (f.main.startsWith('$')) {
    const ref = avpRef(f.main, lookup, 'expected : $avp(name)');
    return typeof ref === 'string' ? ref : { target: ref, all: f.flags.has('g') };
  }
  // A letter for a kind of AVP, with a script-flag number that 3.3 parses but never applies.
  const m = /^([*aAiIsS])(\d*)$/.exec(f.main);
  if (!m) return `bad avp_delete target ${text}`;
  return { target: /[sS]/.test(m[1]!) ? 'string-named' : 'all', all: true };
};

const avpOnly: Parser<PvRef> = (text, lookup) => avpRef(text, lookup, 'you must specify only AVP as parameter');

const copyDst: Parser<{ ref: PvRef; flags: Set<string> }> = (text, lookup) => {
  const f = splitFlags(text, 'gdns');
  if (typeof f === 'string') return f;
  const ref = avpRef(f.main, lookup);
  return typeof ref === 'string' ? ref : { ref, flags: f.flags };
};

const pushDst: Parser<{ target: PushTarget }> = (text) => {
  const slash = text.indexOf('/');
  const main = (slash < 0 ? text : text.slice(0, slash)).trim();
  const part = slash < 0 ? '' : text.slice(slash + 1).toLowerCase();
  if (main.startsWith('$hdr')) return 'push to header is obsolete - use append_hf() or insert_hf()';
  if (main === '$ru')
    return part === ''
      ? { target: 'ruri' }
      : part === 'username'
        ? { target: 'ruri-user' }
        : part === 'domain'
          ? { target: 'ruri-host' }
          : `unsupported part ${part} of $ru`;
  if (part) return `unsupported destination ${text}`;
  if (main === '$du') return { target: 'duri' };
  if (main === '$br') return { target: 'branch' };
  return `unsupported destination ${text} - expected $ru,$du,$br`;
};

const pushSrc: Parser<{ ref: PvRef; all: boolean }> = (text, lookup) => {
  const f = splitFlags(text, 'g');
  if (typeof f === 'string') return f;
  const ref = pvRef(f.main, lookup);
  return typeof ref === 'string' ? ref : { ref, all: f.flags.has('g') };
};

const anyPv: Parser<PvRef> = (text, lookup) => pvRef(text, lookup);

const checkArg: Parser<OpValue> = (text, lookup) => {
  const ov = opValue(text, lookup, CHECK_OPS, 'gi');
  if (typeof ov === 'string') return ov;
  const isConst = typeof ov.value !== 'object' || ov.value === null;
  if (ov.op === 're' && (!isConst || typeof ov.value !== 'string')) return 're takes a string constant';
  if (ov.op === 'fm' && isConst && typeof ov.value === 'number') return 'fm takes a string or a pseudo-variable';
  return ov;
};

const opSrcDst: Parser<{ src: PvRef; dst: PvRef }> = (text, lookup) => {
  const slash = text.indexOf('/');
  const src = avpRef(slash < 0 ? text : text.slice(0, slash), lookup);
  if (typeof src === 'string') return src;
  if (slash < 0) return { src, dst: src };
  const rest = text.slice(slash + 1);
  if (!rest.startsWith('$')) return `expected $avp(dst) after / in ${text}`;
  const dst = avpRef(rest, lookup);
  return typeof dst === 'string' ? dst : { src, dst };
};

const opArg: Parser<OpValue> = (text, lookup) => {
  const ov = opValue(text, lookup, OP_OPS, 'gd');
  if (typeof ov === 'string') return ov;
  if (typeof ov.value === 'string') return `value must be int (i:<n>) or a pseudo-variable in ${text}`;
  return ov;
};

const substSrc: Parser<{ src: PvRef; dst?: PvRef; flags: Set<string> }> = (text, lookup) => {
  const parts = text.split('/');
  const src = avpRef(parts[0]!, lookup);
  if (typeof src === 'string') return src;
  let dst: PvRef | undefined;
  let flagText = parts[1] ?? '';
  if (flagText.startsWith('$')) {
    const d = avpRef(flagText, lookup);
    if (typeof d === 'string') return d;
    dst = d;
    flagText = parts[2] ?? '';
  }
  const flags = new Set<string>();
  for (const c of flagText) {
    if (!'gd'.includes(c.toLowerCase())) return `unknown flag '${c}' in ${text}`;
    flags.add(c.toLowerCase());
  }
  return { src, ...(dst ? { dst } : {}), flags };
};

const substExpr: Parser<SubstExpr> = (text) => parseSubst(text);
const destList: Parser<PvRef[]> = (text, lookup) => destinations(text, lookup);

// ---- the export table ---------------------------------------------------------------------

export const avpops: NativeModule = {
  name: 'avpops',
  functions: {
    is_avp_set: {
      returns: [1, -1],
      fixup: fixupOf([isSetArg]),
      impl: (ctx, [a]) =>
        withParsed(ctx, 'ops_is_avp_set', [['is', str(a), isSetArg]], ([p]) => {
          const { ref, flags } = p as { ref: PvRef; flags: Set<string> };
          return isAvpSet(ctx, ref, flags);
        }),
    },
    avp_delete: {
      returns: [1, -1],
      fixup: fixupOf([deleteArg]),
      impl: (ctx, [a]) =>
        withParsed(ctx, 'ops_delete_avp', [['del', str(a), deleteArg]], ([p]) => {
          const { target, all } = p as { target: PvRef | 'all' | 'string-named'; all: boolean };
          return deleteAvps(ctx, target, all);
        }),
    },
    avp_copy: {
      returns: [1, -1],
      fixup: fixupOf([avpOnly, copyDst]),
      impl: (ctx, [a, b]) =>
        withParsed(
          ctx,
          'ops_copy_avp',
          [
            ['avp', str(a), avpOnly],
            ['copy', str(b), copyDst],
          ],
          ([src, d]) => {
            const { ref, flags } = d as { ref: PvRef; flags: Set<string> };
            return copyAvps(ctx, src as PvRef, ref, flags);
          },
        ),
    },
    avp_pushto: {
      returns: [1, -1],
      fixup: fixupOf([pushDst, pushSrc]),
      impl: (ctx, [a, b]) =>
        withParsed(
          ctx,
          'ops_pushto_avp',
          [
            ['pushdst', str(a), pushDst],
            ['pushsrc', str(b), pushSrc],
          ],
          ([t, s]) => {
            const { ref, all } = s as { ref: PvRef; all: boolean };
            return pushToTarget(ctx, (t as { target: PushTarget }).target, ref, all);
          },
        ),
    },
    avp_check: {
      returns: [1, -1],
      fixup: fixupOf([anyPv, checkArg]),
      impl: (ctx, [a, b]) =>
        withParsed(
          ctx,
          'ops_check_avp',
          [
            ['pv', str(a), anyPv],
            ['check', str(b), checkArg],
          ],
          ([src, ov]) => checkAvps(ctx, src as PvRef, ov as OpValue),
        ),
    },
    avp_op: {
      returns: [1, -1],
      fixup: fixupOf([opSrcDst, opArg]),
      impl: (ctx, [a, b]) =>
        withParsed(
          ctx,
          'ops_op_avp',
          [
            ['opsd', str(a), opSrcDst],
            ['op', str(b), opArg],
          ],
          ([sd, ov]) => {
            const { src, dst } = sd as { src: PvRef; dst: PvRef };
            return opAvps(ctx, src, dst, ov as OpValue);
          },
        ),
    },
    avp_subst: {
      returns: [1, -1],
      fixup: fixupOf([substSrc, substExpr], [1]),
      impl: (ctx, [a, b]) =>
        withParsed(
          ctx,
          'ops_subst',
          [
            ['subsrc', str(a), substSrc],
            ['subst', str(b), substExpr],
          ],
          ([sd, e]) => {
            const { src, dst, flags } = sd as { src: PvRef; dst?: PvRef; flags: Set<string> };
            return substAvps(ctx, src, dst, flags, e as SubstExpr);
          },
        ),
    },
    avp_print: { returns: [1], impl: (ctx) => printAvps(ctx) },
    avp_db_load: {
      returns: [1, -1],
      fixup: fixupOf([parseSource, parseName]),
      impl: (ctx, [a, b, id, prefix]) =>
        withParsed(
          ctx,
          'ops_dbload_avps',
          [
            ['dbsrc', str(a), parseSource],
            ['dbname', str(b), parseName],
          ],
          ([src, name]) =>
            dbLoad(
              ctx,
              src as DbSource,
              name as DbName,
              id?.given ? id.int : undefined,
              prefix?.given ? str(prefix) : '',
            ),
        ),
    },
    avp_db_store: {
      returns: [1, -1],
      fixup: fixupOf([parseSource, parseName]),
      impl: (ctx, [a, b, id]) =>
        withParsed(
          ctx,
          'ops_dbstore_avps',
          [
            ['dbsrc', str(a), parseSource],
            ['dbname', str(b), parseName],
          ],
          ([src, name]) => dbStore(ctx, src as DbSource, name as DbName, id?.given ? id.int : undefined),
        ),
    },
    avp_db_delete: {
      returns: [1, -1],
      fixup: fixupOf([parseSource, parseName]),
      impl: (ctx, [a, b, id]) =>
        withParsed(
          ctx,
          'ops_dbdelete_avps',
          [
            ['dbsrc', str(a), parseSource],
            ['dbname', str(b), parseName],
          ],
          ([src, name]) => dbDelete(ctx, src as DbSource, name as DbName, id?.given ? id.int : undefined),
        ),
    },
    avp_db_query: {
      returns: [1, -1, -2],
      fixup: fixupOf([undefined, destList]),
      impl: (ctx, [q, d, id]) => {
        const dest = d?.given && d.str ? parsed(ctx.runtime, 'dest', d.str, destList) : undefined;
        if (typeof dest === 'string') {
          ctx.runtime.logger.log(-1, 'avpops', 'ops_dbquery_avps', dest);
          return -1;
        }
        return dbQuery(ctx, str(q), dest, id?.given ? id.int : undefined, ctx.runtime.dbDefaultUrl);
      },
    },
  },
};

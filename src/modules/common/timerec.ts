// Time recurrences as OpenSIPS 3.3 reads them (its core time_rec.c, used by
// cfgutils' check_time_rec and by drouting): "[tz|]dtstart|dtend|duration|
// freq|until|interval|byday|bymday|byyday|byweekno|bymonth", RFC 2445 fields,
// combined with & (and), / (or), ! (not) and parentheses.
//
// The quirks of 3.3 are kept on purpose, since a cfg's routing depends on
// them: INTERVAL adds its digits instead of reading a number ("10" is 1),
// a BYDAY entry for WE ignores its ordinal, a BYDAY list that fails to parse
// is ignored, weeks start on Monday, and interval arithmetic is done on
// midnights computed without daylight saving time.
import { localTime, makeTime, type BrokenDown } from './timezone.js';

const NOVAL = -1;
const SEC_DAILY = 86400;
const SEC_WEEKLY = 7 * SEC_DAILY;
const SEC_MONTHLY_MAX = 31 * SEC_DAILY;
const SEC_YEARLY_MAX = 366 * SEC_DAILY;

enum Freq {
  None = 0,
  Yearly = 1,
  Monthly = 2,
  Weekly = 3,
  Daily = 4,
}

/** A BYxxx list: values and their sign (or, for BYDAY, the ordinal). */
interface ByList {
  xxx: number[];
  req: number[];
}

export interface TimeRec {
  tz: string | undefined;
  dtstart: number;
  /** dtstart broken down in the recurrence's time zone. */
  ts: BrokenDown | undefined;
  dtend: number;
  duration: number;
  freq: number;
  until: number;
  interval: number;
  byday: ByList | undefined;
  bymday: ByList | undefined;
  byyday: ByList | undefined;
  byweekno: ByList | undefined;
  bymonth: ByList | undefined;
  hasByxxx: boolean;
}

class ParseError extends Error {}

/** "YYYYMMDDTHHMMSS" as a local time in `tz`; NOVAL when malformed (as ic_parse_datetime). */
function parseDateTime(text: string, tz: string | undefined): { t: number; tm: BrokenDown } | undefined {
  if (text.length !== 15) return undefined;
  const d = (i: number) => text.charCodeAt(i) - 48;
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  if (year < 1970) return undefined;
  const mon = d(4) * 10 + d(5) - 1;
  const mday = d(6) * 10 + d(7);
  if (mon === -1 || mday === 0) return undefined;
  const t = makeTime(
    { year, mon, mday, hour: d(9) * 10 + d(10), min: d(11) * 10 + d(12), sec: d(13) * 10 + d(14) },
    tz,
    -1,
  );
  return { t, tm: localTime(t, tz) };
}

/** RFC 2445 durations: P[nW][nD][T[nH][nM][nS]], or H/M/S without the P. 0 on a bad character, as 3.3. */
function parseDuration(text: string): number {
  if (text.length < 2) return NOVAL;
  let dateMode = text[0] === 'P' || text[0] === 'p';
  let total = 0;
  let n = 0;
  for (const c of (dateMode ? text.slice(1) : text).toUpperCase()) {
    if (c >= '0' && c <= '9') {
      n = n * 10 + Number(c);
      continue;
    }
    const unit = { W: 7 * SEC_DAILY, D: SEC_DAILY, H: 3600, M: 60, S: 1 }[c as 'W'];
    if (c === 'T') {
      if (!dateMode) return 0;
      dateMode = false;
      continue;
    }
    if (unit === undefined || (c === 'W' || c === 'D') !== dateMode) return 0;
    total += n * unit;
    n = 0;
  }
  return total;
}

const WEEKDAYS: Record<string, number> = { SU: 0, MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6 };

/** BYDAY: "MO,-1FR,2TU"; undefined when a day name is bad (3.3 then ignores the list). */
function parseByDay(text: string): ByList | undefined {
  const size = text.split(',').length;
  const out: ByList = { xxx: new Array(size).fill(0), req: new Array(size).fill(0) };
  let nr = 0,
    sign = 1,
    v = 0;
  for (let i = 0; i < text.length && nr < size; i++) {
    const c = text[i]!;
    if (c >= '0' && c <= '9') {
      v = v * 10 + Number(c);
      continue;
    }
    if (c === '-') {
      sign = -1;
      continue;
    }
    if (c === '+' || c === ' ' || c === '\t') continue;
    if (c === ',') {
      nr++;
      continue;
    }
    const day = WEEKDAYS[(c + (text[i + 1] ?? '')).toUpperCase()];
    if (day === undefined) return undefined;
    i++;
    out.xxx[nr] = day;
    // 3.3 resets the ordinal before storing it for WE only.
    if (day === WEEKDAYS.WE) {
      sign = 1;
      v = 0;
    }
    const req = sign * v;
    out.req[nr] = req > 0 ? req - 1 : req;
    sign = 1;
    v = 0;
  }
  return out;
}

/** BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH: signed numbers. */
function parseByList(text: string): ByList | undefined {
  const out: ByList = { xxx: [], req: [] };
  let sign = 1,
    v = 0;
  for (const c of text) {
    if (c >= '0' && c <= '9') v = v * 10 + Number(c);
    else if (c === '-') sign = -1;
    else if (c === '+' || c === ' ' || c === '\t') continue;
    else if (c === ',') {
      out.xxx.push(v);
      out.req.push(sign);
      sign = 1;
      v = 0;
    } else return undefined;
  }
  out.xxx.push(v);
  out.req.push(sign);
  return out;
}

function parseFreq(text: string): number {
  if (text.length < 5) return Freq.None;
  return (
    ({ daily: Freq.Daily, weekly: Freq.Weekly, monthly: Freq.Monthly, yearly: Freq.Yearly } as Record<string, number>)[
      text.toLowerCase()
    ] ?? Freq.None
  );
}

function minInterval(r: TimeRec): Freq {
  if (r.freq === Freq.Daily || r.byday || r.bymday || r.byyday) return Freq.Daily;
  if (r.freq === Freq.Weekly || r.byweekno) return Freq.Weekly;
  if (r.freq === Freq.Monthly || r.bymonth) return Freq.Monthly;
  if (r.freq === Freq.Yearly) return Freq.Yearly;
  return Freq.None;
}

type FieldParser = (r: TimeRec, text: string) => number;

// Each field parser returns 0 (consumed), 1 (not consumed: the timezone is optional) or throws.
const FIELDS: FieldParser[] = [
  (r, t) => {
    if (t[0]! < 'A' || t[0]! > 'Z') return 1;
    r.tz = t;
    return 0;
  },
  (r, t) => {
    const p = parseDateTime(t, r.tz);
    if (!p) throw new ParseError('dtstart');
    r.dtstart = p.t;
    r.ts = p.tm;
    return 0;
  },
  (r, t) => {
    const p = parseDateTime(t, r.tz);
    if (!p) throw new ParseError('dtend');
    r.dtend = p.t;
    return 0;
  },
  (r, t) => {
    r.duration = parseDuration(t);
    if (r.duration === NOVAL) throw new ParseError('duration');
    return 0;
  },
  (r, t) => {
    r.freq = parseFreq(t);
    return 0;
  },
  (r, t) => {
    const p = parseDateTime(t, r.tz);
    if (!p) throw new ParseError('until');
    r.until = p.t;
    return 0;
  },
  // strz2int in 3.3 adds the digits up.
  (r, t) => {
    let v = 0;
    for (const c of t) {
      if (c < '0' || c > '9') break;
      v += Number(c);
    }
    r.interval = v;
    return 0;
  },
  (r, t) => {
    r.byday = parseByDay(t);
    r.hasByxxx = true;
    return 0;
  },
  (r, t) => {
    r.bymday = parseByList(t);
    r.hasByxxx = true;
    return 0;
  },
  (r, t) => {
    r.byyday = parseByList(t);
    r.hasByxxx = true;
    return 0;
  },
  (r, t) => {
    r.byweekno = parseByList(t);
    r.hasByxxx = true;
    return 0;
  },
  (r, t) => {
    r.bymonth = parseByList(t);
    r.hasByxxx = true;
    return 0;
  },
];

/** One recurrence; undefined on a parse error (3.3's -2). */
export function parseTimeRec(text: string): TimeRec | undefined {
  const r: TimeRec = {
    tz: undefined,
    dtstart: NOVAL,
    ts: undefined,
    dtend: NOVAL,
    duration: NOVAL,
    freq: NOVAL,
    until: NOVAL,
    interval: NOVAL,
    byday: undefined,
    bymday: undefined,
    byyday: undefined,
    byweekno: undefined,
    bymonth: undefined,
    hasByxxx: false,
  };
  if (text === '') return r;
  let p = 0;
  try {
    for (const parse of FIELDS) {
      const sep = text.indexOf('|', p);
      const end = sep < 0 ? text.length : sep;
      const rc = end !== p ? parse(r, text.slice(p, end)) : 0;
      if (sep >= 0) {
        if (rc === 0) p = sep + 1;
        if (p >= text.length) break;
      } else if (rc === 0) break;
    }
  } catch (err) {
    if (err instanceof ParseError) return undefined;
    throw err;
  }
  finishTimeRec(r);
  if (r.freq === NOVAL && (r.until !== NOVAL || r.interval !== NOVAL || r.hasByxxx)) return undefined;
  return r;
}

/** Defaults 3.3 fills in after parsing: dtstart 0, dtend from the duration or the end of the smallest unit. */
function finishTimeRec(r: TimeRec): void {
  if (r.dtstart === NOVAL) r.dtstart = 0;
  const ts = r.ts ?? { year: 0, mon: 0, mday: 0, hour: 0, min: 0, sec: 0, wday: 0, yday: 0 };
  const dayPart = ts.hour * 3600 + ts.min * 60 + ts.sec;
  if (r.duration === NOVAL) {
    if (r.dtend === NOVAL) {
      switch (minInterval(r)) {
        case Freq.Daily:
          r.dtend = r.dtstart + SEC_DAILY - dayPart;
          break;
        case Freq.Weekly:
          r.dtend = r.dtstart + SEC_WEEKLY - (ts.wday * SEC_DAILY + dayPart);
          break;
        case Freq.Monthly:
          r.dtend = r.dtstart + SEC_MONTHLY_MAX - (ts.mday * SEC_DAILY + dayPart);
          break;
        case Freq.Yearly:
          r.dtend = r.dtstart + SEC_YEARLY_MAX - (ts.yday * SEC_DAILY + dayPart);
          break;
        default:
          r.dtend = 4294967295;
      }
    }
    r.duration = r.dtend - r.dtstart;
  } else {
    r.dtend = r.dtstart + r.duration;
  }
}

/** Week of the year, Monday first (strftime's %W). */
function monWeek(t: BrokenDown): number {
  return Math.trunc((t.yday + 7 - (t.wday ? t.wday - 1 : 6)) / 7);
}

function isLeap(y: number): boolean {
  return y % 400 === 0 || (y % 100 !== 0 && y % 4 === 0);
}

function secOfDay(t: BrokenDown): number {
  return t.hour * 3600 + t.min * 60 + t.sec;
}

/** Does x fall into the recurring [bgn, end) interval, by the unit `freq` (check_recur_itv)? */
function inRecurringInterval(x: BrokenDown, bgn: BrokenDown, end: BrokenDown, dur: number, freq: Freq): boolean {
  let d1: number, d2: number, dx: number;
  if (freq === Freq.Yearly) [d1, d2, dx] = [bgn.yday, end.yday, x.yday];
  else if (freq === Freq.Monthly) [d1, d2, dx] = [bgn.mday, end.mday, x.mday];
  else if (freq === Freq.Weekly) [d1, d2, dx] = [bgn.wday, end.wday, x.wday];
  else {
    if (bgn.mday === end.mday) return secOfDay(x) - secOfDay(bgn) >= 0 && secOfDay(end) - secOfDay(x) > 0;
    return secOfDay(bgn) - secOfDay(x) <= 0 || secOfDay(x) - secOfDay(end) < 0;
  }
  if (d1 < d2) {
    if (dx < d1 || dx > d2) return false;
    if (dx > d1 && dx < d2) return true;
  } else if (d2 < d1) {
    if (dx > d2 && dx < d1) return false;
    if (dx < d2 || dx > d1) return true;
  } else if (dx !== d1) {
    return dur > SEC_DAILY;
  } else {
    return secOfDay(x) - secOfDay(bgn) >= 0 && secOfDay(end) - secOfDay(x) > 0;
  }
  return (dx === d1 ? secOfDay(x) - secOfDay(bgn) : secOfDay(end) - secOfDay(x)) > 0;
}

function freqInterval(r: TimeRec, x: BrokenDown): boolean {
  if (r.freq === NOVAL) return false;
  if (r.interval === NOVAL || r.interval === 1) return true;
  const ts = r.ts ?? localTime(r.dtstart, r.tz);
  // 0 % 0 is NaN in JS; in C an interval of 0 is a division by zero OpenSIPS never survives: treat it as no match.
  if (r.interval === 0) return false;
  switch (r.freq) {
    case Freq.Daily:
    case Freq.Weekly: {
      // Midnights with tm_isdst = 0, as 3.3 computes them.
      let t0 = makeTime({ year: ts.year, mon: ts.mon, mday: ts.mday, hour: 0, min: 0, sec: 0 }, r.tz, 0);
      let t1 = makeTime({ year: x.year, mon: x.mon, mday: x.mday, hour: 0, min: 0, sec: 0 }, r.tz, 0);
      if (r.freq === Freq.Daily) return Math.trunc((t1 - t0) / SEC_DAILY) % r.interval === 0;
      t0 -= ((ts.wday + 6) % 7) * SEC_DAILY;
      t1 -= ((x.wday + 6) % 7) * SEC_DAILY;
      return Math.trunc((t1 - t0) / SEC_WEEKLY) % r.interval === 0;
    }
    case Freq.Monthly:
      return ((x.year - ts.year) * 12 + x.mon - ts.mon) % r.interval === 0;
    case Freq.Yearly:
      return (x.year - ts.year) % r.interval === 0;
  }
  return false;
}

function minUnit(r: TimeRec, x: BrokenDown): boolean {
  const unit = minInterval(r);
  const whole = {
    [Freq.Daily]: SEC_DAILY,
    [Freq.Weekly]: SEC_WEEKLY,
    [Freq.Monthly]: SEC_MONTHLY_MAX,
    [Freq.Yearly]: SEC_YEARLY_MAX,
  }[unit as Freq.Daily];
  if (whole === undefined) return false;
  if (r.duration >= whole) return true;
  return inRecurringInterval(x, r.ts ?? localTime(r.dtstart, r.tz), localTime(r.dtend, r.tz), r.duration, unit);
}

function matchesByxxx(r: TimeRec, x: BrokenDown): boolean {
  if (!r.hasByxxx) return true;
  const yday = 365 + (isLeap(x.year) ? 1 : 0);
  const mday = x.mon === 1 ? (yday === 366 ? 29 : 28) : [3, 5, 8, 10].includes(x.mon) ? 30 : 31;
  const dec31 = localTime(makeTime({ year: x.year, mon: 11, mday: 31, hour: 0, min: 0, sec: 0 }, r.tz, 0), r.tz);
  const v = x.wday > dec31.wday ? x.wday - dec31.wday + 1 : dec31.wday - x.wday;
  const maxYwday = Math.trunc((dec31.yday - v) / 7) + 1;
  const maxYweek = monWeek(dec31) + 1;
  const maxMwday = Math.trunc((mday - 1 - ((mday - x.mday) % 7)) / 7) + 1;
  const any = (l: ByList | undefined, ok: (xxx: number, req: number) => boolean) =>
    !l || l.xxx.some((v, i) => ok(v, l.req[i]!));
  const mod = (a: number, m: number) => a % m; // C's remainder, sign of the dividend
  if (!any(r.bymonth, (v, s) => x.mon === mod((v - 1) * s + 12, 12))) return false;
  if (r.freq === Freq.Yearly && !any(r.byweekno, (v, s) => monWeek(x) === mod((v - 1) * s + maxYweek, maxYweek)))
    return false;
  if (!any(r.byyday, (v, s) => x.yday === mod((v - 1) * s + yday, yday))) return false;
  if (!any(r.bymday, (v, s) => x.mday === mod(v * s + mday, mday) + (s < 0 ? 1 : 0))) return false;
  return any(r.byday, (day, req) => {
    if (x.wday !== day) return false;
    if (r.freq === Freq.Yearly) return Math.trunc(x.yday / 7) === mod(req + maxYwday, maxYwday);
    if (r.freq === Freq.Monthly) return Math.trunc((x.mday - 1) / 7) === mod(req + maxMwday, maxMwday);
    return true;
  });
}

/** Does `time` (Unix seconds) fall in the recurrence (check_tmrec)? */
export function timeRecMatches(r: TimeRec, time: number): boolean {
  if (r.dtstart === NOVAL) return true;
  const x = localTime(time, r.tz);
  if (time < r.dtstart || (r.freq === NOVAL && time >= r.dtend)) return false;
  if (r.freq === NOVAL) return true;
  if (!freqInterval(r, x) || !minUnit(r, x) || !matchesByxxx(r, x)) return false;
  return r.until === NOVAL || time <= r.until;
}

/** One recurrence checked at `time`: 1 match, -1 no match, -2 parse error (_tmrec_check_str). */
export function checkTimeRec(text: string, time: number): number {
  const r = parseTimeRec(text);
  if (!r) return -2;
  return timeRecMatches(r, time) ? 1 : -1;
}

const isWs = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/**
 * A recurrence expression (&, /, !, parentheses) checked at `time`:
 * 1 match, -1 no match, -2 parse error (_tmrec_expr_check_str). Results are
 * carried as 0/2 internally, as 3.3 does, so that ! is (rc + 2) % 4.
 */
export function checkTimeRecExpr(expr: string, time: number): number {
  let rc = 0,
    tmp = 77,
    op = 0,
    invert = false;
  let needOperand = true;
  for (let p = 0; p < expr.length; p++) {
    const c = expr[p]!;
    if (isWs(c)) continue;
    if (!needOperand) {
      if (c === '&') {
        if (op === 2) return -2;
        if (op === 0) rc = tmp;
        op = 1;
        needOperand = true;
        continue;
      }
      if (c === '/') {
        if (op === 1) return -2;
        op = 2;
        needOperand = true;
        continue;
      }
      return -2;
    }
    if (c === ')' || c === '&' || c === '/') return -2;
    if (c === '!') {
      invert = !invert;
      continue;
    }
    if (c === '(') {
      let depth = 1,
        q = p + 1;
      for (; q < expr.length; q++) {
        if (expr[q] === '(') depth++;
        else if (expr[q] === ')' && --depth === 0) break;
      }
      if (depth) return -2;
      let sub = checkTimeRecExpr(expr.slice(p + 1, q).trim(), time) + 1;
      if (sub < 0) return -2;
      p = q;
      if (invert) {
        invert = false;
        sub = (sub + 2) % 4;
      }
      rc = op === 1 ? rc & sub : op === 2 ? rc | sub : (tmp = sub);
      needOperand = false;
      continue;
    }
    let q = p + 1,
      sawSeparator = false,
      wsEnd = false;
    for (; q < expr.length; q++) {
      const d = expr[q]!;
      if (d === '!' || d === '(' || d === ')') return -2;
      if (d === '|') sawSeparator = true;
      if (isWs(d)) {
        wsEnd = true;
        break;
      }
      if (d === '&' || (d === '/' && sawSeparator)) break;
    }
    let one = checkTimeRec(expr.slice(p, q).trim(), time) + 1;
    if (one < 0) return one - 1;
    if (invert) {
      invert = false;
      one = (one + 2) % 4;
    }
    const next = expr[q];
    if (next === '&') {
      if (op === 2) return -2;
      if (op === 0) rc = one;
      op = 1;
    } else if (next === '/') {
      if (op === 1) return -2;
      op = 2;
    }
    rc = op === 1 ? rc & one : op === 2 ? rc | one : (tmp = one);
    if (q >= expr.length) return rc - 1;
    p = q;
    needOperand = !wsEnd;
  }
  if (needOperand && op !== 0) return -2;
  return invert ? ((rc + 2) % 4) - 1 : rc - 1;
}

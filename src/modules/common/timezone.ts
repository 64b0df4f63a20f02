// localtime_r and mktime in a named time zone (or the process's own), for the
// time recurrences OpenSIPS evaluates with TZ set. Intl does the zone rules;
// an unknown zone name is UTC, as glibc treats an unknown TZ.

/** struct tm's fields: year is the full year, mon 0-11, wday 0 = Sunday, yday 0-365. */
export interface BrokenDown {
  year: number;
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  wday: number;
  yday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string | undefined): Intl.DateTimeFormat {
  const key = tz ?? '';
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = {
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    };
    try {
      f = new Intl.DateTimeFormat('en-US', { ...options, ...(tz ? { timeZone: tz } : {}) });
    } catch {
      f = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
    }
    formatters.set(key, f);
  }
  return f;
}

function dayOfYear(year: number, mon: number, mday: number): number {
  return (Date.UTC(year, mon, mday) - Date.UTC(year, 0, 1)) / 86400000;
}

/** localtime_r(t) in `tz`. */
export function localTime(t: number, tz: string | undefined): BrokenDown {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(t * 1000)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const year = parts.year!,
    mon = parts.month! - 1,
    mday = parts.day!;
  return {
    year,
    mon,
    mday,
    hour: parts.hour!,
    min: parts.minute!,
    sec: parts.second!,
    wday: new Date(Date.UTC(year, mon, mday)).getUTCDay(),
    yday: dayOfYear(year, mon, mday),
  };
}

/** The zone's offset from UTC (seconds east) at the instant t. */
function offsetAt(t: number, tz: string | undefined): number {
  const l = localTime(t, tz);
  return Date.UTC(l.year, l.mon, l.mday, l.hour, l.min, l.sec) / 1000 - t;
}

/**
 * mktime() of local fields in `tz` (fields may overflow, as with mktime).
 * isdst -1: the offset in force at that local time; 0: the zone's standard
 * offset (the smaller of January's and July's), as a tm with tm_isdst = 0.
 */
export function makeTime(f: Omit<BrokenDown, 'wday' | 'yday'>, tz: string | undefined, isdst: -1 | 0): number {
  const asUtc = Date.UTC(f.year, f.mon, f.mday, f.hour, f.min, f.sec) / 1000;
  if (isdst === 0) {
    const jan = offsetAt(Date.UTC(f.year, 0, 1) / 1000, tz);
    const jul = offsetAt(Date.UTC(f.year, 6, 1) / 1000, tz);
    return asUtc - Math.min(jan, jul);
  }
  // Two rounds settle the offset except inside a DST gap, where mktime also moves the time.
  let t = asUtc - offsetAt(asUtc, tz);
  t = asUtc - offsetAt(t, tz);
  return t;
}

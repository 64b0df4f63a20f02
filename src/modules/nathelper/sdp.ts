// fix_nated_sdp(flags[, ip[, lines]]): the SDP of a NATed UA rewritten.
// Flags: 1 adds a=direction:active, 2 puts the source address (or `ip`) in
// every c= line, 4 adds a=nortpproxy:yes, 8 does the same for o= lines, 16
// rewrites null addresses too. A rewritten address is kept as a=oldcip /
// a=oldoip unless oldip_skip names that field. Lines are added where the
// trimmed body ends, in the order OpenSIPS's lumps give: `lines`, then
// nortpproxy, then direction, then the old addresses.
import type { ExecContext } from '../../script/context.js';
import { currentBody, setBodyText } from '../../script/edits.js';
import { isIPv4 } from '../../sip/host.js';

const ADD_ADIRECTION = 0x01;
const FIX_MEDIP = 0x02;
const ADD_ANORTPPROXY = 0x04;
const FIX_ORGIP = 0x08;
const FORCE_NULL_ADDR = 0x10;

/** Every `c=`/`o=` line's IPv4 address replaced; the old addresses, or an error text. */
function replaceAddresses(
  sdp: string,
  line: 'c=' | 'o=',
  ip: string,
  forceNull: boolean,
): { sdp: string; old: string[] } | string {
  const old: string[] = [];
  let found = false;
  let failure: string | undefined;
  const out = sdp.replace(
    new RegExp(`^(${line}.*\\bIN\\s+IP([46])\\s+)(\\S+)`, 'gm'),
    (whole, head: string, family: string, addr: string) => {
      found = true;
      if (family !== '4' || !isIPv4(addr)) {
        failure ??= `not an IPv4 address in '${line}' SDP`;
        return whole;
      }
      if ((addr === '0.0.0.0' && !forceNull) || addr === ip) return whole;
      old.push(addr);
      return `${head}${ip}`;
    },
  );
  if (failure) return failure;
  if (!found) return `can't extract '${line}' IP from the SDP`;
  return { sdp: out, old };
}

export function fixNatedSdp(
  ctx: ExecContext,
  flags: number,
  ipArg: string | undefined,
  lines: string | undefined,
): number {
  const msg = ctx.msg.sip;
  const log = (text: string): number => {
    ctx.runtime.logger.log(-1, 'nathelper', 'fix_nated_sdp_f', text);
    return -1;
  };
  if (!msg || !currentBody(ctx).length) return log('Unable to get bodies from message');
  const type = (msg.header('content-type') ?? 'application/sdp').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/sdp') return 1;
  const text = currentBody(ctx);
  const end = text.replace(/\s+$/, '').length;
  let body = text.slice(0, end);
  const added: string[] = [];
  if (flags & (ADD_ADIRECTION | ADD_ANORTPPROXY)) {
    if (lines) added.push(lines);
    if (flags & ADD_ANORTPPROXY) added.push('\r\na=nortpproxy:yes');
    if (flags & ADD_ADIRECTION) added.push('\r\na=direction:active');
  }
  const ip = ipArg || ctx.src.ip;
  const skip = String(ctx.runtime.param('nathelper', 'oldip_skip') ?? '');
  for (const [flag, line, keep] of [
    [FIX_ORGIP, 'o=', 'a=oldoip:'],
    [FIX_MEDIP, 'c=', 'a=oldcip:'],
  ] as const) {
    if (!(flags & flag)) continue;
    const r = replaceAddresses(body, line, ip, (flags & FORCE_NULL_ADDR) !== 0);
    if (typeof r === 'string') return log(r);
    body = r.sdp;
    if (!skip.includes(line[0]!)) for (const old of r.old) added.push(`\r\n${keep}${old}`);
  }
  setBodyText(ctx, body + added.join('') + text.slice(end));
  return 1;
}

// The Contact list of a registrar's 200 OK (lib/reg's build_contact), shared by
// registrar and mid_registrar, and `;q=` as OpenSIPS prints it (also usrloc's MI).
import { isValid, type Binding } from '../../usrloc/api.js';

/** `;q=` as OpenSIPS prints it: 1, 0, 0.5, 0.25, 0.125 (no trailing zeros). */
export function formatQ(q: number): string {
  return String(Number((q / 1000).toFixed(3)));
}

/** The Contact header value of a 200 OK: every valid binding with its remaining expiry. */
export function contactList(bindings: readonly Binding[], nowSec: number, receivedParam: string): string {
  return bindings
    .filter((b) => isValid(b, nowSec))
    .map((b) => {
      let s = `<${b.uri}>`;
      if (b.q >= 0) s += `;q=${formatQ(b.q)}`;
      s += `;expires=${b.expires === 0 ? 0 : b.expires - nowSec}`;
      if (b.received) s += `;${receivedParam}="${b.received}"`;
      return s;
    })
    .join(', ');
}

// `$si == 10.0.0.0/8`: an address tested for membership in a network.
import { isIP } from 'node:net';

function toBytes(ip: string): number[] | undefined {
  const clean = ip.replace(/^\[|\]$/g, '');
  const fam = isIP(clean);
  if (fam === 4) return clean.split('.').map(Number);
  if (fam !== 6) return undefined;
  const [head = '', tail = ''] = clean.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = clean.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** `net` is `a.b.c.d`, `a.b.c.d/len`, `a.b.c.d/mask` or the IPv6 forms. */
export function ipInNetwork(ip: string, net: string): boolean {
  const [base = '', maskText] = net.split('/');
  const a = toBytes(ip);
  const b = toBytes(base);
  if (!a || !b || a.length !== b.length) return false;
  let mask: number[];
  if (maskText === undefined) mask = b.map(() => 0xff);
  else if (/^\d+$/.test(maskText)) {
    const bits = Number(maskText);
    mask = b.map((_, i) => {
      const left = Math.max(0, Math.min(8, bits - i * 8));
      return (0xff << (8 - left)) & 0xff;
    });
  } else mask = toBytes(maskText) ?? b.map(() => 0xff);
  return a.every((x, i) => (x & mask[i]!) === (b[i]! & mask[i]!));
}

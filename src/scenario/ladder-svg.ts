// The message ladder as SVG (`--ladder out.svg`) and as a Mermaid sequence
// diagram (`--ladder out.mmd`), like the figures of the blog post.
import type { Trace } from './runner.js';
import type { MessageSummary } from './summary.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function ladderSvg(trace: Trace, messages: MessageSummary[]): string {
  const lanes = trace.actors;
  const laneW = 230;
  const left = 80;
  const top = 70;
  const rowH = 34;
  const logRows = trace.logs.length;
  const height = top + (messages.length + logRows + 1) * rowH;
  const width = left + lanes.length * laneW;
  const x = (i: number): number => left + laneW / 2 + i * laneW;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${esc(trace.scenario.name)}</text>`,
  ];
  lanes.forEach((a, i) => {
    out.push(`<text x="${x(i)}" y="40" text-anchor="middle" font-weight="bold">${esc(a.name)}</text>`);
    out.push(`<text x="${x(i)}" y="55" text-anchor="middle" fill="#555">${esc(`${a.title} ${a.addresses[0] ?? ''}`.slice(0, 34))}</text>`);
    out.push(`<line x1="${x(i)}" y1="${top - 8}" x2="${x(i)}" y2="${height - 10}" stroke="#999"/>`);
  });
  let row = 0;
  const y = (): number => top + row * rowH + 16;
  const logs = [...trace.logs];
  const flushLogs = (upTo: number): void => {
    while (logs.length && logs[0]!.after <= upTo) {
      const l = logs.shift()!;
      const i = Math.max(0, lanes.findIndex((a) => a.name === l.actor));
      out.push(`<text x="${x(i) + 6}" y="${y()}" fill="#a05a00" font-style="italic">${esc(l.text.slice(0, 80))}</text>`);
      row++;
    }
  };
  flushLogs(0);
  messages.forEach((m, n) => {
    const a = lanes.findIndex((l) => l.name === m.from);
    const b = lanes.findIndex((l) => l.name === m.to);
    const x1 = x(a);
    const x2 = b >= 0 ? x(b) : x1 + (a < lanes.length - 1 ? laneW / 2 : -laneW / 2);
    const yy = y();
    out.push(`<text x="8" y="${yy}" fill="#333">${m.t}s</text>`);
    out.push(`<line x1="${x1}" y1="${yy}" x2="${x2}" y2="${yy}" stroke="${b >= 0 ? '#1f4e9c' : '#c00'}" marker-end="url(#arrow)"/>`);
    const title = `${m.firstLine}${m.contact ? `\nContact: ${m.contact}` : ''}${m.expires !== undefined ? `\nExpires: ${m.expires}` : ''}`;
    out.push(`<text x="${(x1 + x2) / 2}" y="${yy - 5}" text-anchor="middle"><title>${esc(title)}</title>${esc(m.label)}</text>`);
    row++;
    flushLogs(n + 1);
  });
  out.push('</svg>', '');
  return out.join('\n');
}

export function ladderMermaid(trace: Trace, messages: MessageSummary[]): string {
  const id = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');
  const out = ['sequenceDiagram'];
  for (const a of trace.actors) out.push(`  participant ${id(a.name)} as ${a.name} (${a.title})`);
  const logs = [...trace.logs];
  const flush = (upTo: number): void => {
    while (logs.length && logs[0]!.after <= upTo) {
      const l = logs.shift()!;
      out.push(`  Note over ${id(l.actor)}: ${l.text.replace(/[;#]/g, ' ').slice(0, 100)}`);
    }
  };
  flush(0);
  messages.forEach((m, n) => {
    const to = trace.actors.some((a) => a.name === m.to) ? id(m.to) : undefined;
    const label = `t=${m.t}s ${m.label}`.replace(/[;#]/g, ' ');
    if (to) out.push(`  ${id(m.from)}->>${to}: ${label}`);
    else out.push(`  Note over ${id(m.from)}: ${label} lost (nobody at ${m.toAddr})`);
    flush(n + 1);
  });
  return out.join('\n') + '\n';
}

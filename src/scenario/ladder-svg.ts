// The message ladder as SVG (`--ladder out.svg`) and as a Mermaid sequence
// diagram (`--ladder out.mmd`), like the figures of the blog post. The SVG lays
// itself out from its content: lanes as wide as their longest header or
// message label, notes wrapped to the picture's width, and each registrar's
// location table drawn beside its lifeline at the moments it changed.
import type { TableSnapshot, Trace } from './runner.js';
import type { MessageSummary } from './summary.js';
import { changedTables } from './ladder-text.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Advance of one character of a 12 px monospace font (DejaVu Sans Mono: 0.602 em), rounded up. */
const CHAR_W = 7.3;
const LINE_H = 15;
const MSG_H = 30;
const PAD = 10;
const textW = (s: string): number => Math.ceil(s.length * CHAR_W);

/** Words to lines of at most `max` characters; a longer word is cut where it must be. */
export function wrapText(text: string, max: number): string[] {
  const width = Math.max(8, Math.floor(max));
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || !lines.length) lines.push(line);
  return lines;
}

/** A table snapshot as text lines: its heading, then one line per binding. */
function tableLines(s: TableSnapshot): string[] {
  const head = `${s.actor} location table at ${fmtT(s.t)}`;
  if (!s.rows.length) return [head, '(empty)'];
  const aorW = Math.max(...s.rows.map((r) => r.aor.length));
  return [
    head,
    ...s.rows.map(
      (r) => `${r.aor.padEnd(aorW)}  ${r.contact}  ${r.expiresIn === 0 ? 'permanent' : `${r.expiresIn} s`}`,
    ),
  ];
}

const fmtT = (t: number): string => `${Number.isInteger(t) ? t : t.toFixed(3)}s`;

/** What happens after message n (0 = before the first): log lines, then changed tables. */
interface Block {
  kind: 'note' | 'table';
  t: number;
  actor: string;
  lines: string[];
}

function blocksAfter(trace: Trace, messages: MessageSummary[]): Map<number, Block[]> {
  const out = new Map<number, Block[]>();
  const add = (n: number, b: Block): void => {
    const l = out.get(n) ?? [];
    l.push(b);
    out.set(n, l);
  };
  for (const l of trace.logs) add(l.after, { kind: 'note', t: l.t, actor: l.actor, lines: [`${l.actor}: ${l.text}`] });
  const seen = new Set<string>();
  for (const s of changedTables(trace.tables)) {
    const first = !seen.has(s.actor);
    seen.add(s.actor);
    if (first && !s.rows.length) continue; // every table starts empty: not news
    const n = messages.filter((m) => m.t <= s.t + 1e-6).length;
    add(n, { kind: 'table', t: s.t, actor: s.actor, lines: tableLines(s) });
  }
  for (const list of out.values()) list.sort((a, b) => a.t - b.t); // stable: logs before the tables of their instant
  return out;
}

export function ladderSvg(trace: Trace, messages: MessageSummary[]): string {
  const lanes = trace.actors;
  const laneOf = (name: string): number => lanes.findIndex((a) => a.name === name);
  const blocks = blocksAfter(trace, messages);
  // Widths from the content.
  const left = Math.max(56, ...messages.map((m) => textW(fmtT(m.t)) + 2 * PAD));
  const headers = lanes.map((a) => [a.name, a.title, a.addresses[0] ?? '']);
  let laneW = Math.max(160, ...headers.flat().map((h) => textW(h) + 2 * PAD));
  for (const m of messages) {
    const a = laneOf(m.from);
    const b = laneOf(m.to);
    const span = b >= 0 && b !== a ? Math.abs(b - a) : 0.5;
    laneW = Math.max(laneW, Math.ceil((textW(m.label) + 4 * PAD) / span));
  }
  const tableW = Math.max(
    0,
    ...[...blocks.values()]
      .flat()
      .filter((b) => b.kind === 'table')
      .map((b) => Math.max(...b.lines.map(textW)) + 2 * PAD),
  );
  const width = Math.max(left + lanes.length * laneW, left + tableW + 2 * PAD, 480);
  const x = (i: number): number => left + laneW / 2 + i * laneW;
  const noteChars = (width - left - 3 * PAD) / CHAR_W;
  for (const list of blocks.values())
    for (const b of list) if (b.kind === 'note') b.lines = b.lines.flatMap((l) => wrapText(l, noteChars));
  const titleLines = wrapText(trace.scenario.name, (width - 2 * PAD) / ((CHAR_W * 14) / 12)); // the title is 14 px

  // Rows, top to bottom.
  const body: string[] = [];
  const titleH = titleLines.length * 18;
  const headTop = PAD + titleH + 8;
  let y = headTop + 3 * LINE_H + 14;
  const lifelineTop = y - 6;
  const drawBlock = (b: Block): void => {
    const w = Math.max(...b.lines.map(textW)) + 2 * PAD;
    const h = b.lines.length * LINE_H + PAD;
    const i = Math.max(0, laneOf(b.actor));
    const bx = Math.max(left + 4, Math.min(x(i) + 8, width - w - 4));
    const table = b.kind === 'table';
    if (!table) body.push(`<text x="${PAD}" y="${y + PAD / 2 + LINE_H - 3}" fill="#333">${fmtT(b.t)}</text>`);
    body.push(
      `<rect x="${bx}" y="${y}" width="${w}" height="${h}" rx="3" fill="${table ? '#eef5ff' : '#fff8e6'}" stroke="${table ? '#7a9cc6' : '#e0b860'}"/>`,
    );
    // A dashed tie to the registrar's lifeline when the box sits beside it (not when it covers it).
    const edge = bx > x(i) ? bx : bx + w < x(i) ? bx + w : undefined;
    if (table && edge !== undefined)
      body.push(
        `<line x1="${x(i)}" y1="${y + h / 2}" x2="${edge}" y2="${y + h / 2}" stroke="#7a9cc6" stroke-dasharray="3 2"/>`,
      );
    b.lines.forEach((l, k) => {
      const style = table
        ? k === 0
          ? ' font-weight="bold" fill="#1f3f66"'
          : ' fill="#1f3f66"'
        : ' fill="#7a4a00" font-style="italic"';
      body.push(
        `<text x="${bx + PAD}" y="${y + PAD / 2 + (k + 1) * LINE_H - 3}"${style} xml:space="preserve">${esc(l)}</text>`,
      );
    });
    y += h + 8;
  };
  for (const b of blocks.get(0) ?? []) drawBlock(b);
  messages.forEach((m, n) => {
    const a = Math.max(0, laneOf(m.from));
    const b = laneOf(m.to);
    const x1 = x(a);
    const lost = b < 0;
    const x2 = lost ? x1 + (a < lanes.length - 1 ? laneW / 2 : -laneW / 2) : b === a ? x1 + laneW / 3 : x(b);
    y += MSG_H;
    const yy = y - 8;
    body.push(`<text x="${PAD}" y="${yy + 4}" fill="#333">${fmtT(m.t)}</text>`);
    const detail = `${m.firstLine}${m.contact ? `\nContact: ${m.contact}` : ''}${m.expires !== undefined ? `\nExpires: ${m.expires}` : ''}`;
    body.push(`<g><title>${esc(detail)}</title>`);
    body.push(
      `<line x1="${x1}" y1="${yy}" x2="${x2}" y2="${yy}" stroke="${lost ? '#c00' : '#1f4e9c'}" stroke-width="1.4" marker-end="url(#${lost ? 'lost' : 'arrow'})"/>`,
    );
    const label = lost ? `${m.label} (lost)` : m.label;
    const lw = textW(label);
    const cx = (x1 + x2) / 2;
    body.push(`<rect x="${cx - lw / 2 - 3}" y="${yy - 18}" width="${lw + 6}" height="15" fill="white"/>`);
    body.push(
      `<text x="${cx}" y="${yy - 6}" text-anchor="middle" fill="${lost ? '#c00' : '#000'}" xml:space="preserve">${esc(label)}</text></g>`,
    );
    y += 4;
    for (const blk of blocks.get(n + 1) ?? []) drawBlock(blk);
  });
  const height = y + 2 * PAD;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1f4e9c"/></marker>',
    '<marker id="lost" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="8" markerHeight="8"><path d="M 0 0 L 10 10 M 10 0 L 0 10" stroke="#c00" stroke-width="2"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...titleLines.map(
      (l, k) =>
        `<text x="${PAD}" y="${PAD + 14 + k * 18}" font-size="14" font-weight="bold" xml:space="preserve">${esc(l)}</text>`,
    ),
  ];
  headers.forEach(([name, title, address], i) => {
    out.push(`<text x="${x(i)}" y="${headTop + LINE_H}" text-anchor="middle" font-weight="bold">${esc(name!)}</text>`);
    out.push(`<text x="${x(i)}" y="${headTop + 2 * LINE_H}" text-anchor="middle" fill="#555">${esc(title!)}</text>`);
    out.push(`<text x="${x(i)}" y="${headTop + 3 * LINE_H}" text-anchor="middle" fill="#555">${esc(address!)}</text>`);
    out.push(`<line x1="${x(i)}" y1="${lifelineTop}" x2="${x(i)}" y2="${height - PAD}" stroke="#aaa"/>`);
  });
  out.push(...body, '</svg>', '');
  return out.join('\n');
}

/** Mermaid's entity codes for what its parser would take as syntax or HTML. */
const mer = (s: string): string => s.replace(/[#;<>]/g, (c) => `#${c.charCodeAt(0)};`);

/** A whole note, wrapped at word boundaries with `<br/>`, never cut. */
function mermaidNote(actor: string, lines: string[]): string {
  return `  Note over ${actor}: ${lines
    .flatMap((l) => wrapText(l, 70))
    .map(mer)
    .join('<br/>')}`;
}

export function ladderMermaid(trace: Trace, messages: MessageSummary[]): string {
  const id = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');
  const out = ['sequenceDiagram'];
  for (const a of trace.actors) out.push(`  participant ${id(a.name)} as ${mer(`${a.name} (${a.title})`)}`);
  const blocks = blocksAfter(trace, messages);
  const flush = (n: number): void => {
    for (const b of blocks.get(n) ?? [])
      out.push(mermaidNote(id(b.actor), b.kind === 'note' ? [b.lines.join(' ').replace(/^[^:]+: /, '')] : b.lines));
  };
  flush(0);
  messages.forEach((m, n) => {
    const to = trace.actors.some((a) => a.name === m.to) ? id(m.to) : undefined;
    const label = mer(`t=${fmtT(m.t)} ${m.label}`);
    if (to) out.push(`  ${id(m.from)}->>${to}: ${label}`);
    else out.push(`  Note over ${id(m.from)}: ${label} lost (nobody at ${mer(m.toAddr)})`);
    flush(n + 1);
  });
  return out.join('\n') + '\n';
}

// The ladders a reader would publish: golden SVGs of blog scenarios (regenerate
// with UPDATE_GOLDEN=1 after a deliberate change, then look at them rendered),
// and layout rules checked on every blog scenario: nothing drawn outside the
// picture, header texts of neighbouring lanes never overlap, message labels fit
// between their lanes; Mermaid notes are whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { expectationTimes } from '../../src/scenario/expect.js';
import { ladderMermaid, ladderSvg, wrapText } from '../../src/scenario/ladder-svg.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario, type Trace } from '../../src/scenario/runner.js';
import { summarize, type MessageSummary } from '../../src/scenario/summary.js';
import { BLOG_DIR } from '../helpers/cfg.js';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;
const CHAR_W = 7.3;

async function traced(file: string): Promise<{ trace: Trace; messages: MessageSummary[] }> {
  const s = loadScenario(BLOG_DIR + file);
  if ('errors' in s) throw new Error(JSON.stringify(s.errors));
  const trace = await runScenario(s, expectationTimes(s.expect));
  if ('diagnostics' in trace) throw new Error('scenario does not start');
  return { trace, messages: trace.deliveries.map((d) => summarize(d, s.startMs)) };
}

const unescape = (s: string): string =>
  s
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

interface Drawn {
  x0: number;
  x1: number;
  y: number;
  text: string;
}

/** Every <text> of the SVG with the horizontal extent it takes (monospace). */
function texts(svg: string): Drawn[] {
  return [...svg.matchAll(/<text x="([\d.-]+)" y="([\d.-]+)"([^>]*)>(.*?)<\/text>/g)].map((m) => {
    const text = unescape(m[4]!.replace(/<title>.*?<\/title>/s, ''));
    const w = text.length * CHAR_W * (/font-size="14"/.test(m[3]!) ? 14 / 12 : 1);
    const x = Number(m[1]);
    const x0 = /text-anchor="middle"/.test(m[3]!) ? x - w / 2 : x;
    return { x0, x1: x0 + w, y: Number(m[2]), text };
  });
}

function layoutProblems(svg: string): string[] {
  const [, width, height] = /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg)!.map(Number);
  const problems: string[] = [];
  const drawn = texts(svg);
  for (const t of drawn) {
    if (t.x0 < 0 || t.x1 > width! + 0.5 || t.y > height!)
      problems.push(`outside the picture: ${JSON.stringify(t)} (width ${width})`);
  }
  // Texts on one line must not overlap (lane headers, a label and its neighbours).
  const byY = new Map<number, Drawn[]>();
  for (const t of drawn) byY.set(t.y, [...(byY.get(t.y) ?? []), t]);
  for (const row of byY.values()) {
    const sorted = row.sort((a, b) => a.x0 - b.x0);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i]!.x0 < sorted[i - 1]!.x1 - 0.5)
        problems.push(`overlap: "${sorted[i - 1]!.text}" / "${sorted[i]!.text}"`);
  }
  for (const m of svg.matchAll(/<rect x="([\d.-]+)" y="[\d.-]+" width="([\d.]+)"/g)) {
    if (Number(m[1]) < 0 || Number(m[1]) + Number(m[2]) > width! + 0.5)
      problems.push(`box outside the picture at x=${m[1]}`);
  }
  return problems;
}

for (const file of ['m1-much-larger.yaml', 'm2-two-devices.yaml', 'switch-m1-to-m2.yaml']) {
  test(`ladder SVG of ${file} matches its golden file`, async () => {
    const { trace, messages } = await traced(file);
    const svg = ladderSvg(trace, messages);
    const golden = GOLDEN + file.replace(/\.yaml$/, '.svg');
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, svg);
    assert.equal(svg, readFileSync(golden, 'utf8'));
  });
}

test('every blog scenario lays out: nothing clipped, no overlapping texts, labels in SIP words', async () => {
  for (const file of readdirSync(BLOG_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const { trace, messages } = await traced(file);
    const svg = ladderSvg(trace, messages);
    assert.deepEqual(layoutProblems(svg), [], file);
    assert.doesNotMatch(svg, /REGISTER \(\d+\)/, `${file}: Expires reads like a status code`);
  }
});

test('ladder SVG: `REGISTER Expires: 200` / `200 OK (expires=130)`, and the location tables where they change', async () => {
  const { trace, messages } = await traced('m1-much-larger.yaml');
  const svg = ladderSvg(trace, messages);
  assert.match(svg, />REGISTER Expires: 200</);
  assert.match(svg, />200 OK \(expires=130\)</);
  assert.match(svg, />P location table at 0s</);
  assert.match(svg, />1001  sip:1001@192\.168\.1\.20:5060  130 s</);
  assert.match(svg, />P location table at 420s<\/text>\n<text[^>]*>\(empty\)</, 'the De-REGISTER empties the table');
  assert.doesNotMatch(svg, />P location table at 60s</, 'time passing alone is no change');
});

test('a long log line is wrapped in the SVG and whole in Mermaid (not cut mid-word)', async () => {
  const { trace, messages } = await traced('m1-much-larger.yaml');
  const whole = trace.logs.find((l) => /bumping default_expires/.test(l.text))!.text;
  const svgText = texts(ladderSvg(trace, messages)).map((t) => t.text);
  const start = svgText.findIndex((t) => t.startsWith('P: ERROR:mid_registrar'));
  assert.ok(start >= 0);
  assert.equal(`${svgText[start]} ${svgText[start + 1]}`.replace(/^P: /, ''), whole, 'two wrapped lines, all words');
  const mmd = ladderMermaid(trace, messages);
  const note = mmd.split('\n').find((l) => l.includes('bumping'))!;
  const decoded = note
    .replace(/^ {2}Note over P: /, '')
    .split('<br/>')
    .join(' ')
    .replace(/#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  assert.equal(decoded, whole);
  assert.ok(
    note.split('<br/>').every((l) => !/#\d*$/.test(l)),
    'entity codes are never split',
  );
  assert.match(mmd, /P->>UP: t=0s REGISTER Expires: 3600/);
  assert.match(mmd, /Note over P: P location table at 0s<br\/>1001  sip:1001@192\.168\.1\.20:5060  130 s/);
});

test('wrapText: words kept whole; a word longer than the line is cut', () => {
  assert.deepEqual(wrapText('aaa bbb ccc', 8), ['aaa bbb', 'ccc']);
  assert.deepEqual(wrapText('abcdefghijkl x', 8), ['abcdefgh', 'ijkl x']);
  assert.deepEqual(wrapText('', 10), ['']);
});

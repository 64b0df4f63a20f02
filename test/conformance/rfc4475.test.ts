// The 49 RFC 4475 torture messages sent to the live server (UDP, and TCP for
// the Content-Length stream cases), each expecting what OpenSIPS 3.3.10
// answers with the same cfg: a message its parse_msg refuses (start line,
// header names, every Via/To/CSeq/Content-Length) is dropped unanswered; any
// other request runs the script, which here reads no header, so a broken
// From, Contact or Request-URI does not stop the 404; save() answers the
// REGISTERs as 3.3's registrar does. The expected answers were worked out
// from OpenSIPS 3.3's parser and lib/reg sources (parser/msg_parser.c
// get_hdr_field, parse_fline.c, parse_via.c, parse_cseq.c, parse_to.c,
// parse_content.c, net/proto_tcp/tcp_common.h, lib/reg/sip_msg.c), run on
// these files. The one deliberate difference (escnull) is in
// docs/compatibility.md. Live sockets on 127.0.112.x.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLive, type LiveServer } from '../../src/cli/run.js';
import { rfc4475 } from '../sip/helpers/data.js';

const SERVER = '127.0.112.1';
const CLIENT = '127.0.112.2';

const CFG = `socket=udp:${SERVER}:5060
socket=tcp:${SERVER}:5060
loadmodule "proto_udp.so"
loadmodule "proto_tcp.so"
loadmodule "sl.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
route {
  force_rport();
  if (is_method("REGISTER")) {
    save("location");
    exit;
  }
  sl_send_reply(404, "Not Here");
}
`;

/** null: no answer. Keyed by the file name's prefix (its RFC 4475 section). */
const UDP_EXPECTED: Record<string, { code: number | null; why: string }> = {
  '3.1.1.1_': { code: null, why: 'parse_cseq: the method is on a folded line ("no method found")' },
  '3.1.1.2_': { code: 404, why: 'an unknown method runs the script' },
  '3.1.1.3_': { code: 404, why: 'escapes are not looked at' },
  '3.1.1.4_': { code: 200, why: 'DELIBERATE: 3.3 answers 400 (un_escape refuses %00 in the AoR); we register it' },
  '3.1.1.5_': { code: 404, why: 'RE%47IST%45R is not REGISTER' },
  '3.1.1.6_': { code: 404, why: 'parsed' },
  '3.1.1.7_': { code: 404, why: 'parsed' },
  '3.1.1.8_': { code: 200, why: 'the REGISTER is saved; the trailing bytes are ignored' },
  '3.1.1.9_': { code: 404, why: 'parsed' },
  '3.1.1.10_': { code: 404, why: 'unknown Via transports parse' },
  '3.1.1.11_': { code: 404, why: 'binary body framed by Content-Length' },
  '3.1.1.12_': { code: null, why: 'a reply whose Via is not ours: dropped' },
  '3.1.1.13_': { code: null, why: 'a reply whose Via is not ours: dropped' },
  '3.1.2.1_': { code: null, why: 'parse_via: "null param?" on ;;,;,,' },
  '3.1.2.2_': { code: 404, why: 'UDP: a Content-Length beyond the datagram is not checked' },
  '3.1.2.3_': { code: null, why: 'parse_content_length refuses -999' },
  '3.1.2.4_': { code: 200, why: 'parse_cseq takes any token; str2int wraps the overlarge CSeq and Expires' },
  '3.1.2.5_': { code: null, why: 'a reply whose Via is not ours: dropped' },
  '3.1.2.6_': { code: null, why: 'parse_to: unterminated quoted display name' },
  '3.1.2.7_': { code: 404, why: 'the Request-URI is parsed only when read' },
  '3.1.2.8_': { code: null, why: 'parse_first_line: bad request first line' },
  '3.1.2.9_': { code: null, why: 'parse_first_line: bad request first line' },
  '3.1.2.10_': { code: 404, why: 'trailing SP on the request line is accepted' },
  '3.1.2.11_': { code: 404, why: 'the Request-URI is parsed only when read' },
  '3.1.2.12_': { code: 404, why: 'Date is never parsed' },
  '3.1.2.13_': { code: 200, why: 'parse_contact takes a bare URI with headers' },
  '3.1.2.14_': { code: 404, why: 'parse_to does not parse the URI inside <>' },
  '3.1.2.15_': { code: 404, why: 'From is parsed only when read' },
  '3.1.2.16_': { code: null, why: 'parse_via: SIP/7.0' },
  '3.1.2.17_': { code: 404, why: 'the CSeq method is not compared with the request method' },
  '3.1.2.18_': { code: 404, why: 'the CSeq method is not compared with the request method' },
  '3.1.2.19_': { code: null, why: 'parse_first_line: status code is not three digits' },
  '3.2.1_': { code: 404, why: 'parsed' },
  '3.3.1_': { code: 404, why: 'missing From/To/Call-ID are not checked by the core' },
  '3.3.2_': { code: 404, why: 'the Request-URI scheme is not checked by the core' },
  '3.3.3_': { code: 404, why: 'the Request-URI scheme is not checked by the core' },
  '3.3.4_': { code: 400, why: 'save(): the To URI is not a SIP URI (R_AOR_PARSE)' },
  '3.3.5_': { code: 404, why: 'parsed' },
  '3.3.6_': { code: 404, why: 'parsed' },
  '3.3.7_': { code: 200, why: 'save() without Contact: the bindings are listed' },
  '3.3.8_': { code: 404, why: 'duplicate headers are not counted by the core' },
  '3.3.9_': { code: 404, why: 'each Content-Length parses; the first one counts' },
  '3.3.10_': { code: null, why: 'a reply whose Via is not ours: dropped' },
  '3.3.11_': { code: 404, why: 'the script does not check Max-Forwards' },
  '3.3.12_': { code: 200, why: 'registered' },
  '3.3.13_': { code: 200, why: 'registered' },
  '3.3.14_': { code: 200, why: 'registered' },
  '3.3.15_': { code: 404, why: 'parsed' },
  '3.4.1_': { code: 404, why: 'RFC 2543 syntax parses' },
};

function expectedFor(file: string): { code: number | null; why: string } {
  const key = Object.keys(UDP_EXPECTED).find((k) => file.startsWith(k));
  assert.ok(key, `no expectation for ${file}`);
  return UDP_EXPECTED[key]!;
}

/** A request after which nothing else can be pending: its 404 marks the end of the previous message's answers. */
function probe(port: number, id: string, proto = 'UDP'): string {
  return (
    `OPTIONS sip:probe@${SERVER} SIP/2.0\r\nVia: SIP/2.0/${proto} ${CLIENT}:${port};branch=z9hG4bK-${id}\r\n` +
    `From: <sip:p@${CLIENT}>;tag=1\r\nTo: <sip:probe@${SERVER}>\r\nCall-ID: probe-${id}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`
  );
}

async function startServer(): Promise<LiveServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ots-rfc4475-'));
  const cfg = join(dir, 'rfc4475.cfg');
  writeFileSync(cfg, CFG);
  const errs: string[] = [];
  const live = await startLive(
    cfg,
    { maps: [], strict: false },
    { out: () => undefined, err: (s) => errs.push(s), color: false, cwd: dir },
  );
  assert.notEqual(typeof live, 'number', errs.join('\n'));
  return live as LiveServer;
}

/** The status codes answered to `data`, sent over UDP from a fresh port, up to the probe's answer. */
async function udpAnswers(data: Buffer, id: string): Promise<number[]> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, CLIENT, () => r()));
  const codes: number[] = [];
  try {
    return await new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${id}: no answer to the probe`)), 10_000);
      sock.on('message', (d) => {
        const text = d.toString('latin1');
        if (text.includes(`Call-ID: probe-${id}\r\n`)) {
          clearTimeout(timer);
          resolve(codes);
        } else codes.push(Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0));
      });
      sock.send(data, 5060, SERVER, () => sock.send(probe(sock.address().port, id), 5060, SERVER));
    });
  } finally {
    sock.close();
  }
}

test('RFC 4475 over UDP: every message gets the answer OpenSIPS 3.3.10 gives (or none)', { timeout: 120_000 }, async () => {
  const server = await startServer();
  try {
    const cases = rfc4475();
    assert.equal(cases.length, 49);
    const wrong: string[] = [];
    for (const c of cases) {
      const want = expectedFor(c.file);
      const got = await udpAnswers(c.bytes, c.file.split('_')[0]!);
      const expected = want.code === null ? [] : [want.code];
      if (JSON.stringify(got) !== JSON.stringify(expected))
        wrong.push(`${c.file}: got [${got.join(',')}], want [${expected.join(',')}] (${want.why})`);
    }
    assert.deepEqual(wrong, []);
  } finally {
    await server.stop();
  }
});

function tcpConnect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: SERVER, port: 5060, localAddress: CLIENT }, () => resolve(s));
    s.on('error', reject);
  });
}

/** Sends `data` on a new TCP connection (then the probe, unless `halfClose`): what came back, and whether the server closed. */
async function tcpSession(data: Buffer, id: string, halfClose: boolean): Promise<{ codes: number[]; closed: boolean }> {
  const s = await tcpConnect();
  let text = '';
  const codes = (): number[] => [...text.matchAll(/^SIP\/2\.0 (\d{3})/gm)].map((m) => Number(m[1]));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`${id}: the session did not end (got: ${text.slice(0, 200)})`));
    }, 15_000);
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (text.includes(`Call-ID: probe-${id}\r\n`)) {
        clearTimeout(timer);
        s.destroy();
        resolve({ codes: codes().slice(0, -1), closed: false });
      }
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ codes: codes(), closed: true });
    });
    s.write(data);
    if (halfClose) s.end();
    else s.write(probe(s.localPort!, id, 'TCP'));
  });
}

test('RFC 4475 stream cases over TCP: framed as 3.3 frames them', { timeout: 60_000 }, async () => {
  const server = await startServer();
  const bytes = (prefix: string): Buffer => rfc4475().find((c) => c.file.startsWith(prefix))!.bytes;
  try {
    // mcl01: the first Content-Length (13) frames the message: 404, and the rest of the body is the start
    // of a next message that never completes (so no probe: it would be swallowed as that message's headers).
    const mcl01 = await tcpSession(bytes('3.3.9_'), 'mcl01', true);
    assert.deepEqual(mcl01.codes, [404]);
    // ncl: tcp_read_headers finds no usable Content-Length: the connection is closed unanswered.
    const ncl = await tcpSession(bytes('3.1.2.3_'), 'ncl', false);
    assert.deepEqual(ncl, { codes: [], closed: true });
    // clerr: Content-Length 9999 and 154 bytes: the server waits for the rest; the client gives up.
    const clerr = await tcpSession(bytes('3.1.2.2_'), 'clerr', true);
    assert.deepEqual(clerr.codes, []);
    // mpart01 (binary body with NULs and bare CR/LF) frames by its Content-Length.
    const mpart = await tcpSession(bytes('3.1.1.11_'), 'mpart01', false);
    assert.deepEqual(mpart, { codes: [404], closed: false });
  } finally {
    await server.stop();
  }
});

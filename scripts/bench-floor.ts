// The floor of Node's UDP path for bench:live-path: a bare dgram responder
// that answers every request with a 200 copying Via, From, To (tagged),
// Call-ID, CSeq and Contact, nothing else parsed or stored.
// `node dist/scripts/bench-floor.js IP PORT`
import { createSocket } from 'node:dgram';

const [ip = '127.0.113.3', port = '5060'] = process.argv.slice(2);
const COPIED = /^(via|from|to|call-id|cseq|contact|[vftic]):/i;
const sock = createSocket('udp4');
sock.on('message', (data, rinfo) => {
  const lines = data.toString('latin1').split('\r\n');
  let reply = 'SIP/2.0 200 OK\r\n';
  for (const line of lines) {
    if (!COPIED.test(line)) continue;
    reply += /^(to|t):/i.test(line) ? `${line};tag=floor\r\n` : `${line}\r\n`;
  }
  sock.send(Buffer.from(reply + 'Content-Length: 0\r\n\r\n', 'latin1'), rinfo.port, rinfo.address);
});
sock.bind(Number(port), ip, () => {
  sock.setRecvBufferSize(4 * 1024 * 1024);
  sock.setSendBufferSize(4 * 1024 * 1024);
  console.log(`floor responder listening on udp:${ip}:${port}`);
});

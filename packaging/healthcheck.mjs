// The container's HEALTHCHECK: one SIP OPTIONS over UDP to the server
// (127.0.0.1:5060, or HEALTHCHECK_TARGET=IP:PORT); healthy on any SIP reply
// within 3 s, as an OPTIONS ping from a monitoring system would judge it.
import { createSocket } from 'node:dgram';

const [ip, port] = (process.env.HEALTHCHECK_TARGET ?? '127.0.0.1:5060').split(':');
const s = createSocket('udp4');
const timer = setTimeout(() => {
  console.error(`no SIP reply from ${ip}:${port} in 3 s`);
  process.exit(1);
}, 3000);
s.on('message', (m) => {
  const status = m.toString().split('\r\n')[0];
  console.log(status);
  clearTimeout(timer);
  s.close();
  process.exit(/^SIP\/2\.0 \d{3}/.test(status) ? 0 : 1);
});
s.bind(0, '127.0.0.1', () => {
  const local = s.address().port;
  const branch = `z9hG4bK${Date.now().toString(36)}`;
  s.send(
    `OPTIONS sip:${ip}:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch}\r\n` +
      `Max-Forwards: 70\r\nFrom: <sip:healthcheck@127.0.0.1>;tag=${branch}\r\nTo: <sip:${ip}:${port}>\r\n` +
      `Call-ID: ${branch}@healthcheck\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    Number(port),
    ip,
  );
});

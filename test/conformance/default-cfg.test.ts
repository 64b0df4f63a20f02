// OpenSIPS's own default opensips.cfg (etc/opensips.cfg of 3.3), unchanged,
// live with real SIPp: REGISTERs, a call to a registered user (INVITE, ACK,
// BYE along the Record-Route) and one to a busy one, and the acc records the
// cfg asks for (answered INVITE, answered BYE, missed call) in the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CORPUS_DIR } from '../helpers/cfg.js';
import { logsSettled, runSipp, SIPP, sippSkip, startServer, type Sipp, startUas, stopServers } from '../helpers/sipp.js';

const CFG = `${CORPUS_DIR}OpenSIPS+opensips@3.3__etc__opensips.cfg`;
const P = '127.0.23.1';

function reg(user: string, contact: string, port: number): Sipp {
  return { scenario: 'uac-reg.xml', ip: '127.0.23.2', port, transport: 'u1', target: `${P}:5060`, keys: { user, expires: '600', contact, reg_cseq: '1' }, callId: `${user}-reg` };
}

test('the default opensips.cfg, unchanged: registrations, a call and a busy callee, with the acc log records', { skip: sippSkip(), timeout: 90000 }, async () => {
  assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
  // The cfg listens on 127.0.0.1:5060, which other cases use: moved to an address of its own.
  const server = await startServer({ cfg: CFG, maps: [`127.0.0.1=${P}`], sockets: 1 });
  try {
    for (const [user, contact, port] of [['1001', '127.0.23.3:5070', 5461], ['1003', '127.0.23.5:5072', 5462]] as const) {
      const r = await runSipp(reg(user, contact, port), true);
      assert.equal(r.code, 0, r.out.slice(-1500));
    }
    const uas = (await startUas({ scenario: 'uas-invite.xml', ip: '127.0.23.3', port: 5070, transport: 'u1' })).done;
    const busy = (await startUas({ scenario: 'uas-busy.xml', ip: '127.0.23.5', port: 5072, transport: 'u1' })).done;
    const call = await runSipp({ scenario: 'uac-invite-user.xml', ip: '127.0.23.4', port: 5463, transport: 'u1', target: `${P}:5060`, service: '1001', callId: 'answered-call' }, true);
    assert.equal(call.code, 0, call.out.slice(-2000));
    const missed = await runSipp({ scenario: 'uac-invite-486.xml', ip: '127.0.23.4', port: 5464, transport: 'u1', target: `${P}:5060`, service: '1003', callId: 'missed-call' }, true);
    assert.equal(missed.code, 0, missed.out.slice(-2000));
    assert.equal((await uas).code, 0);
    assert.equal((await busy).code, 0);
    await logsSettled([server]);
    const log = server.log.join('');
    const acc = [...log.matchAll(/ACC: ([a-z ]+): timestamp=\d+;created=0;setuptime=\d+;method=(\w+);from_tag=[^;]+;to_tag=([^;]*);call_id=([^;]+);code=(\d+);reason=([^\n]+)/g)]
      .map((m) => `${m[1]} ${m[2]} ${m[4]} ${m[5]} ${m[6]} ${m[3] ? 'to_tag' : 'no to_tag'}`);
    assert.deepEqual(acc, [
      'transaction answered INVITE answered-call 200 OK to_tag',
      'transaction answered BYE answered-call 200 OK to_tag',
      'call missed INVITE missed-call 486 Busy Here to_tag',
    ], log);
  } finally {
    await stopServers([server]);
  }
});

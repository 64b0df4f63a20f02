// prometheus's page as 3.3 writes it: the named statistics, one # TYPE each,
// prefix/delimiter/group_prefix, group_mode 1 (group in the name) and 2 (in a
// label), names made legal, and `labels` turning names into labelled series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsPage, parseSubst } from '../../src/modules/prometheus/index.js';
import { request, serverFor } from '../helpers/server.js';

const cfg = (params: string): string => `socket=udp:127.0.0.1:5060
loadmodule "sl.so"
loadmodule "statistics.so"
loadmodule "httpd.so"
loadmodule "prometheus.so"
${params}
route {
\tupdate_stat("calls:gw1-answered", 2);
\tupdate_stat("calls:gw2-answered", 5);
\tupdate_stat("calls:odd name!", 1);
\tsl_send_reply(200, "OK");
}
`;

function page(params: string): string {
  const h = serverFor(cfg(params));
  h.receive(request('OPTIONS', 'p1'), '127.0.0.11');
  return metricsPage(h.server.rt);
}

test('the named statistics with a # TYPE each; nothing named, an empty page', () => {
  assert.equal(page(''), '\n');
  assert.equal(
    page('modparam("prometheus", "statistics", "rcv_requests sl:sent_replies core:timestamp")'),
    '# TYPE opensips_timestamp gauge\nopensips_timestamp 0\n' +
      '# TYPE opensips_sent_replies counter\nopensips_sent_replies 1\n' +
      '# TYPE opensips_rcv_requests counter\nopensips_rcv_requests 1\n\n',
  );
});

test('group_mode 1 puts the group in the name, 2 in a label; illegal characters become _', () => {
  assert.equal(
    page(
      'modparam("prometheus", "statistics", "calls:")\nmodparam("prometheus", "group_mode", 1)\nmodparam("prometheus", "prefix", "sip")\nmodparam("prometheus", "group_prefix", "g_")',
    ),
    '# TYPE sip_g_calls_gw1_answered counter\nsip_g_calls_gw1_answered 2\n' +
      '# TYPE sip_g_calls_gw2_answered counter\nsip_g_calls_gw2_answered 5\n' +
      '# TYPE sip_g_calls_odd_name_ counter\nsip_g_calls_odd_name_ 1\n\n',
  );
  assert.match(
    page('modparam("prometheus", "statistics", "sl:sent_replies")\nmodparam("prometheus", "group_mode", 2)'),
    /^opensips_sent_replies\{group="sl"\} 1$/m,
  );
});

test('labels: a substitution giving name:labels makes one series per statistic under one # TYPE', () => {
  assert.equal(
    page(
      'modparam("prometheus", "statistics", "calls:")\nmodparam("prometheus", "labels", "calls: /^(.*)-answered$/answered:gw=\\"\\1\\"/")',
    ),
    '# TYPE opensips_odd_name_ counter\nopensips_odd_name_ 1\n' +
      '# TYPE opensips_answered counter\nopensips_answered{gw="gw1"} 2\nopensips_answered{gw="gw2"} 5\n\n',
  );
  assert.equal(parseSubst('/a(b)/x\\1/')?.replacement, 'x$1');
  assert.equal(parseSubst('/unclosed'), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCfg } from '../../src/cfg/load.js';

function fakeFs(files: Record<string, string>) {
  return {
    profile: { strict: false },
    cwd: '/cfg',
    readFile: (p: string) => {
      if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return files[p]!;
    },
    fileExists: (p: string) => p in files,
  };
}

test('include_file at top level and inside a route, relative to the including file', () => {
  const r = loadCfg(
    '/cfg/main.cfg',
    fakeFs({
      '/cfg/main.cfg': 'include_file "sub/globals.cfg"\nroute {\n\tinclude_file "sub/body.cfg"\n\texit;\n}',
      '/cfg/sub/globals.cfg': 'log_level=3\nimport_file "more.cfg"',
      '/cfg/sub/more.cfg': 'udp_workers=2',
      '/cfg/sub/body.cfg': 'xlog("in body\\n");',
    }),
  );
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual([...r.script.globals.keys()], ['log_level', 'udp_workers']);
  const main = r.script.routes.route.get('0')!;
  assert.deepEqual(
    main.body.map((s) => s.kind),
    ['Call', 'Exit'],
  );
  assert.equal(main.body[0]!.span.file, '/cfg/sub/body.cfg');
});

test('an include cycle is an error, not a hang', () => {
  const r = loadCfg(
    '/cfg/a.cfg',
    fakeFs({ '/cfg/a.cfg': 'include_file "b.cfg"', '/cfg/b.cfg': 'include_file "a.cfg"' }),
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.span.file, d.span.line]),
    [['include-cycle', '/cfg/b.cfg', 1]],
  );
  assert.equal(r.diagnostics[0]!.includeChain!.length, 1);
});

test('a missing include is an error that says where it looked', () => {
  const r = loadCfg('/cfg/a.cfg', fakeFs({ '/cfg/a.cfg': 'include_file "nowhere.cfg"' }));
  assert.equal(r.diagnostics[0]!.rule, 'include-not-found');
  assert.match(r.diagnostics[0]!.hint!, /\/cfg\/nowhere\.cfg/);
});

test('an error inside an included file is reported at its own line, with the include chain', () => {
  const r = loadCfg(
    '/cfg/main.cfg',
    fakeFs({
      '/cfg/main.cfg': 'log_level=1\ninclude_file "inc.cfg"',
      '/cfg/inc.cfg': '\n\nroute {\n\tif ( exit;\n}',
    }),
  );
  const d = r.diagnostics.find((x) => x.rule === 'syntax')!;
  assert.equal(d.span.file, '/cfg/inc.cfg');
  assert.equal(d.span.line, 4);
  assert.deepEqual(
    d.includeChain!.map((s) => [s.file, s.line]),
    [['/cfg/main.cfg', 2]],
  );
});

test('an unreadable top file is a diagnostic, not an exception', () => {
  const r = loadCfg('/cfg/none.cfg', fakeFs({}));
  assert.equal(r.diagnostics[0]!.rule, 'file-unreadable');
});

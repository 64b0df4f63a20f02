// Throw-away certificates for TLS tests, made at test time with `openssl`
// (Debian package openssl): a CA, a server certificate and a client
// certificate it signed, in a fresh temporary directory. Nothing is committed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export const OPENSSL = spawnSync('openssl', ['version']).status === 0;

/** Why TLS tests cannot run here, or false (CI=true turns the skip into a failure by asserting OPENSSL). */
export function opensslSkip(): string | false {
  if (OPENSSL || process.env.CI === 'true') return false;
  const why = 'openssl is not installed (Debian package openssl): TLS tests skipped';
  process.stderr.write(`\n*** ${why} ***\n`);
  return why;
}

export function makeCerts(): TestCerts {
  const dir = mkdtempSync(`${tmpdir()}/opensips-ts-certs-`);
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/O=opensips-ts test/CN=Test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  const leaf = (name: string, cn: string, ext: string): void => {
    writeFileSync(`${dir}/${name}.ext`, ext);
    run([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/O=opensips-ts test/CN=${cn}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    ]);
    run([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ]);
  };
  leaf('server', 'proxy.test', 'subjectAltName=DNS:proxy.test,IP:127.0.60.10,IP:127.0.60.20,IP:127.0.60.210\n');
  leaf('client', 'alice.test', 'subjectAltName=DNS:alice.test,email:alice@alice.test\n');
  return {
    dir,
    ca: `${dir}/ca.pem`,
    serverCert: `${dir}/server.pem`,
    serverKey: `${dir}/server.key`,
    clientCert: `${dir}/client.pem`,
    clientKey: `${dir}/client.key`,
  };
}

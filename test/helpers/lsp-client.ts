// A JSON-RPC client for `opensips-ts lsp` over stdio, as an editor drives it:
// spawn the server, initialize, open and change documents, wait for the
// diagnostics it publishes.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-languageserver/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';

const ROOT = resolve(import.meta.dirname, '../..');

export class LspClient {
  readonly child: ChildProcess;
  readonly rpc: MessageConnection;
  private readonly waiters: Array<{ uri: string; version?: number; resolve: (d: Diagnostic[]) => void }> = [];
  readonly latest = new Map<string, PublishDiagnosticsParams>();
  stderr = '';

  constructor(args: string[] = ['--import', 'tsx', `${ROOT}/src/cli/bin.ts`, 'lsp', '--stdio']) {
    this.child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.rpc = createMessageConnection(
      new StreamMessageReader(this.child.stdout!),
      new StreamMessageWriter(this.child.stdin!),
    );
    this.rpc.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.latest.set(p.uri, p);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i]!;
        if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) {
          this.waiters.splice(i, 1);
          w.resolve(p.diagnostics);
        }
      }
    });
    this.rpc.listen();
  }

  async initialize(options: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const r = await this.rpc.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      initializationOptions: options,
    });
    await this.rpc.sendNotification('initialized', {});
    return r as Record<string, unknown>;
  }

  /** Resolves with the diagnostics of `uri` (of that version, if given) published after this call. */
  diagnostics(uri: string, version?: number, timeoutMs = 20000): Promise<Diagnostic[]> {
    return new Promise((resolveP, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no diagnostics for ${uri} v${version}\n${this.stderr}`)),
        timeoutMs,
      );
      this.waiters.push({
        uri,
        version,
        resolve: (d) => {
          clearTimeout(timer);
          resolveP(d);
        },
      });
    });
  }

  open(uri: string, text: string, version = 1): Promise<Diagnostic[]> {
    const wait = this.diagnostics(uri, version);
    void this.rpc.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'opensips', version, text },
    });
    return wait;
  }

  change(uri: string, version: number, text: string): Promise<Diagnostic[]> {
    const wait = this.diagnostics(uri, version);
    void this.rpc.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return wait;
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.rpc.sendRequest(method, params) as Promise<T>;
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    try {
      await this.rpc.sendRequest('shutdown');
      await this.rpc.sendNotification('exit');
    } catch {
      this.child.kill('SIGKILL');
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const code = await exited;
    clearTimeout(timer);
    this.rpc.dispose();
    return code;
  }
}

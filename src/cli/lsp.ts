// `opensips-ts lsp [--stdio]`: the language server on stdin/stdout. It runs
// until the client sends `exit`; nothing else may write to stdout meanwhile.
import { startLanguageServer } from '../lsp/server.js';

export function runLsp(): Promise<number> {
  startLanguageServer();
  // The connection ends the process on the client's `exit` notification.
  return new Promise(() => undefined);
}

// Starts `opensips-ts lsp --stdio` for OpenSIPS cfg files. The server does
// the work; this file only launches it with the user's settings.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('opensips-ts');
  const command = config.get('path', 'opensips-ts');
  const server = { command, args: ['lsp', '--stdio'] };
  client = new LanguageClient(
    'opensips-ts',
    'OpenSIPS cfg (opensips-ts)',
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: 'file', language: 'opensips' }],
      initializationOptions: {
        strict: config.get('strict', false),
        debounceMs: config.get('debounceMs', 150),
      },
    },
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

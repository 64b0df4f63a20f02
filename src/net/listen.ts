// Binding a stream server (TCP, TLS, WebSocket) to one socket of the cfg: the
// promise settles when the server listens or when binding fails.
import type { Server } from 'node:net';
import type { SocketInfo } from './types.js';

export function listenOn(server: Server, socket: SocketInfo): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: socket.port, host: socket.ip, backlog: 1024 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

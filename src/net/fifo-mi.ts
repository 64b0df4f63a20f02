// mi_fifo: JSON-RPC over a named pipe, as opensips-cli talks to OpenSIPS 3.3.
// A command is written to the FIFO as `:REPLY_NAME:` followed by a JSON-RPC
// request; the answer goes to the FIFO REPLY_NAME in reply_dir, which the
// client made (an empty name: no answer). Node cannot make a FIFO itself:
// `mkfifo` (coreutils) does.
import { spawnSync } from 'node:child_process';
import { constants, lstatSync, openSync, unlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import type { MiExecutor } from '../base/mi.js';
import type { Logger } from '../base/logger.js';

export interface MiFifo {
  close(): void;
}

/**
 * The FIFO's permissions: 0600 (only the server's user may run MI commands)
 * unless the cfg sets fifo_mode. OpenSIPS 3.3's default is 0660; a FIFO any
 * group member can write to is a way to change the server's state.
 */
export function fifoMode(cfgValue: string | number | undefined): number {
  if (cfgValue === undefined || cfgValue === '') return 0o600;
  const n = typeof cfgValue === 'number' ? cfgValue : Number(cfgValue);
  return Number.isInteger(n) && n >= 0 && n <= 0o777 ? n : 0o600;
}

/** A FIFO at `path`, replacing a stale one; an error text when it cannot be made. */
function makeFifo(path: string, mode: number): string | undefined {
  try {
    if (lstatSync(path, { throwIfNoEntry: false })?.isFIFO()) unlinkSync(path);
  } catch (err) {
    return (err as Error).message;
  }
  const r = spawnSync('mkfifo', ['-m', mode.toString(8), path], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || 'mkfifo failed').trim();
}

/** One `:name:{json}` command from the front of `text`: what it asks, and what is left; undefined while incomplete. */
export function nextCommand(text: string): { reply: string; request: unknown; rest: string } | 'bad' | undefined {
  const start = text.search(/\S/);
  if (start < 0) return undefined;
  if (text[start] !== ':') return 'bad';
  const sep = text.indexOf(':', start + 1);
  if (sep < 0) return undefined;
  const open = text.slice(sep + 1).search(/\S/);
  if (open < 0) return undefined;
  const from = sep + 1 + open;
  if (text[from] !== '{') return 'bad';
  // One pass to the brace that closes the object (strings and their escapes skipped), then one JSON.parse:
  // linear in the command's size (trying JSON.parse at every '}' was quadratic).
  const end = objectEnd(text, from);
  if (end < 0) return undefined;
  let request: unknown;
  try {
    request = JSON.parse(text.slice(from, end));
  } catch {
    return 'bad';
  }
  return { reply: text.slice(start + 1, sep), request, rest: text.slice(end) };
}

/** Just past the '}' closing the object that opens at `from`; -1 when the text ends first. */
function objectEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: up to its unescaped closing quote
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

export function startMiFifo(
  mi: MiExecutor,
  logger: Logger,
  opts: { path: string; mode: number; replyDir: string },
): MiFifo | string {
  const failure = makeFifo(opts.path, opts.mode);
  if (failure) return `cannot create the FIFO ${opts.path}: ${failure}`;
  // Opened read-write so that the pipe never reports end-of-file between clients.
  const fd = openSync(opts.path, constants.O_RDWR | constants.O_NONBLOCK);
  const pipe = new net.Socket({ fd, readable: true, writable: false });
  let pending = '';
  pipe.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    for (let cmd = nextCommand(pending); cmd !== undefined; cmd = nextCommand(pending)) {
      if (cmd === 'bad') {
        logger.log(-1, 'mi_fifo', 'mi_fifo_callback', "command must be ':REPLY_NAME:' and a JSON object");
        pending = '';
        return;
      }
      pending = cmd.rest;
      const answer = mi.execute(cmd.request);
      if (cmd.reply && answer) {
        writeFile(join(opts.replyDir, cmd.reply.replace(/[/\\]/g, '')), JSON.stringify(answer)).catch((err: Error) =>
          logger.log(-1, 'mi_fifo', 'mi_fifo_reply', `cannot answer on ${cmd.reply}: ${err.message}`),
        );
      }
    }
    if (pending.length > 1 << 20) pending = '';
  });
  pipe.on('error', (err) => logger.log(-1, 'mi_fifo', 'mi_fifo_callback', err.message));
  return {
    close: () => {
      pipe.destroy();
      try {
        unlinkSync(opts.path);
      } catch {
        /* gone */
      }
    },
  };
}

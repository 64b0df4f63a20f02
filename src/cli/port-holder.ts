// When a socket cannot be bound because its port is taken: which process
// holds it (Linux: the socket's inode from /proc/net/{udp,tcp}[6], then the
// process whose /proc/PID/fd links to it; other processes' descriptors are
// visible to root or to their owner only) and a --map that moves the cfg's
// socket to a free port.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isIPv4 } from 'node:net';

export interface PortHolder {
  pid: number;
  command: string;
}

/** `0100007F:13C4` (little-endian IPv4, hex port) for 127.0.0.1:5060. */
function procAddress(ip: string, port: number): string | undefined {
  if (!isIPv4(ip)) return undefined;
  const hex = ip
    .split('.')
    .map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0'))
    .reverse()
    .join('');
  return `${hex}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(1);
  } catch {
    return [];
  }
}

/** The inodes of the sockets bound to ip:port (or to the wildcard address on that port). */
function socketInodes(proto: 'udp' | 'tcp', ip: string, port: number): string[] {
  const exact = procAddress(ip, port);
  const any = procAddress('0.0.0.0', port);
  const out: string[] = [];
  for (const line of readLines(`/proc/net/${proto}`)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    // TCP: only the listening socket (state 0A) holds the port for a new listener.
    if (proto === 'tcp' && f[3] !== '0A') continue;
    if (f[1] === exact || f[1] === any) out.push(f[9]!);
  }
  return out;
}

/** Whether some socket of `proto` is bound to ip:port (for choosing a free port to suggest). */
export function portInUse(proto: 'udp' | 'tcp', ip: string, port: number): boolean {
  return socketInodes(proto, ip, port).length > 0;
}

export function portHolder(proto: 'udp' | 'tcp', ip: string, port: number): PortHolder | undefined {
  const inodes = new Set(socketInodes(proto, ip, port).map((i) => `socket:[${i}]`));
  if (!inodes.size) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!inodes.has(link)) continue;
      let command = '';
      try {
        command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      } catch {
        // gone meanwhile
      }
      return { pid: Number(pid), command: command || '?' };
    }
  }
  return undefined;
}

/** What `run` prints when ip:port is taken: who holds it when that can be seen, and the --map that moves it. */
export function portTakenAdvice(
  proto: string,
  socket: { ip: string; port: number; cfgIp?: string; cfgPort?: number },
): string {
  const p = proto === 'udp' ? 'udp' : 'tcp';
  const holder = portHolder(p, socket.ip, socket.port);
  const who = holder
    ? `${socket.ip}:${socket.port} (${proto}) is held by process ${holder.pid}: ${holder.command}`
    : `${socket.ip}:${socket.port} (${proto}) is taken by another socket (its process is not visible to this user)`;
  let free = socket.port + 1;
  while (free < 65535 && (portInUse('udp', socket.ip, free) || portInUse('tcp', socket.ip, free))) free++;
  const from = socket.cfgIp ?? socket.ip;
  return `${who}\n  hint: stop it, or move this socket: --map ${from}=${socket.ip}:${free}`;
}

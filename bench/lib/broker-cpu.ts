import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

// CPU time of the local MQTT broker, read from /proc: over MQTT the broker carries every frame twice (in and out),
// so its share of the machine belongs in the figures. The broker is the process listening on the broker URL's
// port (several brokers may run on one machine). It may also serve other programs here; what it does for them
// counts too.

const CLOCK_TICKS_PER_S = 100;

/** Socket inodes listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth field.
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port) inodes.add(f[9]!);
    }
  }
  return inodes;
}

function listenerPid(port: number): number | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) return Number(pid);
      } catch {
        // The fd closed while we looked.
      }
    }
  }
  return undefined;
}

/** A reader of the broker's CPU time so far (ms), or undefined when the broker is not a process on this machine. */
export function brokerCpuReader(brokerUrl: string): (() => number | undefined) | undefined {
  const url = new URL(brokerUrl);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)) return undefined;
  const pid = listenerPid(Number(url.port || (url.protocol === 'mqtts:' ? 8883 : 1883)));
  if (pid === undefined) return undefined;
  return () => {
    try {
      // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S) * 1000;
    } catch {
      return undefined;
    }
  };
}

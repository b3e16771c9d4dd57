import { readdirSync, readFileSync } from 'node:fs';

// CPU time of the local MQTT broker (Mosquitto), read from /proc: over MQTT the broker carries every frame twice
// (in and out), so its share of the machine belongs in the figures. The broker may also serve other programs on
// this machine; what it does for them counts too.

const CLOCK_TICKS_PER_S = 100;

function brokerPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'mosquitto') return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

/** Returns a reader of the broker's CPU time so far (ms), or undefined when no local broker process is found. */
export function brokerCpuReader(): (() => number | undefined) | undefined {
  const pid = brokerPid();
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

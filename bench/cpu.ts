/**
 * Where the CPU of a benchmark run went, from /proc (Linux only; elsewhere every figure is null): the Next
 * server, PostgreSQL, this process (autocannon is the load generator, in-process), and everything else on
 * the machine — other people's builds and tests skew a run, and this says by how much.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface TCpuSnapshot {
  at: number;
  /** CPU seconds used so far, per group of our processes. */
  next: number;
  postgres: number;
  bench: number;
  /** Busy CPU seconds of the whole machine (all processes, interrupts). */
  machineBusy: number;
}

export interface TCpuUse {
  /** Length of the interval. */
  seconds: number;
  /** CPU seconds per group during the interval. */
  next: number;
  postgres: number;
  bench: number;
  /** Cores kept busy by anything that is not ours (other processes, interrupts), on average. */
  otherCores: number;
}

let ticksPerSecond: number | undefined;
function hz(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface TProc {
  ppid: number;
  comm: string;
  ticks: number;
}

function readProcesses(): Map<number, TProc> {
  const procs = new Map<number, TProc>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      // After "pid (comm)": state ppid … utime is field 14 and stime field 15 of the whole line.
      const fields = stat.slice(close + 2).split(' ');
      procs.set(Number(entry), { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited while we read
    }
  }
  return procs;
}

function machineBusyTicks(): number {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
  return user + nice + system + irq + softirq + (steal ?? 0);
}

export const cpuAccountingAvailable = (): boolean => existsSync('/proc/stat') && existsSync(`/proc/${process.pid}/stat`);

/** CPU used so far by the server tree (`serverPid`), PostgreSQL and the rest of this process's tree. */
export function snapshotCpu(serverPid: number | undefined): TCpuSnapshot | null {
  if (!cpuAccountingAvailable()) return null;
  const procs = readProcesses();
  const groupOf = (pid: number): 'next' | 'postgres' | 'bench' | null => {
    const comm = procs.get(pid)?.comm ?? '';
    for (let p: number | undefined = pid, depth = 0; p && depth < 64; p = procs.get(p)?.ppid, depth++) {
      if (p === serverPid) return 'next';
      if (p === process.pid) return comm.startsWith('postgres') ? 'postgres' : 'bench';
    }
    return null;
  };
  const sums = { next: 0, postgres: 0, bench: 0 };
  for (const [pid, proc] of procs) {
    const group = groupOf(pid);
    if (group) sums[group] += proc.ticks;
  }
  const perSecond = hz();
  return {
    at: performance.now(),
    next: sums.next / perSecond,
    postgres: sums.postgres / perSecond,
    bench: sums.bench / perSecond,
    machineBusy: machineBusyTicks() / perSecond,
  };
}

export function cpuBetween(before: TCpuSnapshot | null, after: TCpuSnapshot | null): TCpuUse | null {
  if (!before || !after) return null;
  const seconds = (after.at - before.at) / 1000;
  // A process that exits in between (an idle pool connection's backend) takes its CPU time with it.
  const next = Math.max(0, after.next - before.next);
  const postgres = Math.max(0, after.postgres - before.postgres);
  const bench = Math.max(0, after.bench - before.bench);
  const other = after.machineBusy - before.machineBusy - next - postgres - bench;
  return { seconds, next, postgres, bench, otherCores: seconds > 0 ? Math.max(0, other) / seconds : 0 };
}

/**
 * Milliseconds this process takes for a fixed piece of JavaScript work (JSON round trips of a small
 * response-like object), best of three: a speed index of the machine at that moment. A VM whose host is busy
 * gets slower without any process here showing it; a rising figure across rounds says so.
 */
export function cpuSpeedIndex(): number {
  const sample = {
    tenant: { id: '00000000-0000-4000-8000-000000000000', slug: 'acme', name: 'Acme Construction', plan: 'professional' },
    settings: { maxFileSizeBytes: 104857600, allowedFileTypes: ['pdf', 'dwg', 'ifc', 'png', 'jpg'], webhookEvents: [] },
    permissions: Array.from({ length: 12 }, (_, i) => `permission:${i}`),
  };
  let best = Infinity;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = performance.now();
    let size = 0;
    for (let i = 0; i < 20_000; i++) size += (JSON.parse(JSON.stringify(sample)) as typeof sample).permissions.length;
    if (size < 0) throw new Error('unreachable');
    best = Math.min(best, performance.now() - started);
  }
  return Math.round(best * 10) / 10;
}

/** Resident memory of a process in MiB (null when unknown). */
export function residentMiB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Math.round(Number(kb[1]) / 1024) : null;
  } catch {
    return null;
  }
}

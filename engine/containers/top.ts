// containers.top (docker top): the processes of a running container. Its processes are found through /proc
// (every host pid in the pid namespace of the container's init); the host's `ps ARGS` formats them and
// only their rows are kept, which is moby's way, so any ps option a user knows works here.
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { EngineError, invalid, unavailable } from '../api/errors';

export interface TopResult {
  titles: string[];
  processes: string[][];
}

const readLink = (file: string) => {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '';
  }
};

/** Host pids sharing the pid namespace of `initPid` (the container's processes), init first. */
export function containerPids(initPid: number): number[] {
  const ns = readLink(`/proc/${initPid}/ns/pid`);
  if (!ns) return [];
  // The host's own namespace would list every process on the machine: a container never has it here.
  if (ns === readLink('/proc/1/ns/pid')) return [initPid];
  const pids = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => readLink(`/proc/${pid}/ns/pid`) === ns);
  return [initPid, ...pids.filter((p) => p !== initPid).sort((a, b) => a - b)];
}

/** Splits `ps` output into titles and rows; the last column (the command) keeps its spaces. */
export function parsePs(output: string, pids: number[]): TopResult {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw invalid(`Couldn't find PID field in ps output: give ps options that show PID (e.g. -ef or aux)`);
  const wanted = new Set(pids);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    const row = [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
    while (row.length < titles.length) row.push('');
    if (wanted.has(Number(row[pidIndex]))) processes.push(row);
  }
  return { titles, processes };
}

function runPs(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') reject(unavailable('ps is not installed on the engine host: install the Debian package "procps"'));
      else if (err) reject(invalid(`ps ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

export async function containerTop(name: string, status: string, initPid: number, psArgs: string): Promise<TopResult> {
  if (status !== 'running' && status !== 'paused') throw new EngineError('conflict', `Container ${name} is not running`);
  const pids = containerPids(initPid);
  if (!pids.length) throw new EngineError('conflict', `Container ${name} is not running`);
  const args = psArgs.trim() ? psArgs.trim().split(/\s+/) : ['-ef'];
  return parsePs(await runPs(args), pids);
}

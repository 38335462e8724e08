// Signal names and numbers as users type them: `SIGTERM`, `TERM`, `15`.
import os from 'node:os';
import { invalid } from '../api/errors';

export function signalNumber(signal: string | number): number {
  if (typeof signal === 'number') return signal;
  if (/^\d+$/.test(signal)) return Number(signal);
  const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  const n = (os.constants.signals as Record<string, number>)[name];
  if (!n) throw invalid(`invalid signal: ${signal}`);
  return n;
}

// How docker-style container flags become contract requests (no engine needed).
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { buildCreateInput, containerFlags, parseMemory, parseRestart } from './create';
import { parsePsFilters } from './ps';
import { renderFormat } from './inspect';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const { flags, args } = parseArgs(argv, containerFlags, { interspersed: false });
  return buildCreateInput(flags, args, env);
};

describe('container flags', () => {
  it('maps run/create flags onto a create request', () => {
    const input = parse(['--name', 'web', '-e', 'A=1', '-e', 'FROM_HOST', '-w', '/srv', '-u', 'app:staff', '-l', 'tier=front', '-l', 'flag', '--restart', 'on-failure:3', '--hostname', 'h', '--stop-signal', 'SIGINT', '--stop-timeout', '5', '-m', '512m', '--cpus', '1.5', '--pids-limit', '64', '-it', '--rm', 'busybox', 'sh', '-c', 'echo -e hi'], { FROM_HOST: 'x' });
    expect(input).toEqual({
      image: 'busybox',
      cmd: ['sh', '-c', 'echo -e hi'],
      name: 'web',
      env: ['A=1', 'FROM_HOST=x'],
      workingDir: '/srv',
      user: 'app:staff',
      labels: { tier: 'front', flag: '' },
      restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
      hostname: 'h',
      stopSignal: 'SIGINT',
      stopTimeout: 5,
      resources: { memory: 512 * 1024 * 1024, cpus: 1.5, pidsLimit: 64 },
      tty: true,
      openStdin: true,
      autoRemove: true,
    });
  });

  it('with --rootfs every positional is the command; --entrypoint "" clears it', () => {
    expect(parse(['--rootfs', '/r', '--entrypoint', '', 'ls', '-l'])).toMatchObject({ rootfs: '/r', cmd: ['ls', '-l'], entrypoint: [] });
    expect(() => parse([])).toThrow(UsageError);
  });

  it('rejects bad values with the fix in the message', () => {
    expect(parseMemory('1g')).toBe(1024 ** 3);
    expect(parseMemory('100')).toBe(100);
    expect(() => parseMemory('lots')).toThrow(/512m/);
    expect(parseRestart('unless-stopped')).toEqual({ name: 'unless-stopped', maximumRetryCount: 0 });
    expect(() => parseRestart('always:3')).toThrow(/on-failure\[:N\]/);
    expect(() => parse(['--rootfs', '/r', '--cpus', '-1', 'true'])).toThrow(/--cpus/);
  });

  it('ps filters and inspect templates', () => {
    expect(parsePsFilters(['status=exited', 'label=a=b', 'name=web', 'id=abc'])).toEqual({ status: ['exited'], label: ['a=b'], name: ['web'], id: ['abc'] });
    expect(() => parsePsFilters(['status=sleeping'])).toThrow(/status=sleeping/);
    const c = { name: 'web', state: { exitCode: 3 }, config: { labels: { a: 'b' } } };
    expect(renderFormat('{{.State.ExitCode}} {{ .Name }} {{json .Config.Labels}} {{.Missing}}', c)).toBe('3 web {"a":"b"} <no value>');
  });
});

import { describe, expect, it } from 'vitest';
import { splitCommand } from './RunDialog';

describe('the Run dialog command line', () => {
  it('splits words like a shell: quotes group, backslash escapes', () => {
    expect(splitCommand('sleep 1000')).toEqual(['sleep', '1000']);
    expect(splitCommand(`sh -c 'echo "hi there"; sleep 1'`)).toEqual(['sh', '-c', 'echo "hi there"; sleep 1']);
    expect(splitCommand('echo "a \\"b\\"" c\\ d \'\'')).toEqual(['echo', 'a "b"', 'c d', '']);
    expect(splitCommand('  ')).toEqual([]);
  });

  it('refuses an unterminated quote', () => {
    expect(() => splitCommand("sh -c 'echo")).toThrow(/unterminated ' quote/);
  });
});

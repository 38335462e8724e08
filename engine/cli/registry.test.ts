import { describe, expect, it } from 'vitest';
import { commands } from './registry';

describe('command registry', () => {
  it('names each command once, with the name and summary its module gives it (fd --help prints these without loading it)', async () => {
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
    for (const entry of commands) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
    }
  });
});

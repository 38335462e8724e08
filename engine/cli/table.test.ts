// The column layout every list command (ps, images, compose ps, stats, top, volume ls, ...) prints through.
import { describe, expect, it } from 'vitest';
import { table, trimmedTable } from './table';

describe('table', () => {
  it('pads every column but the last to its widest cell plus three spaces, docker style', () => {
    const rows = [
      ['CONTAINER ID', 'NAME', 'STATUS'],
      ['abc', 'a-long-name', 'Up 2 seconds'],
      ['0123456789ab', 'x', ''],
    ];
    expect(table(rows)).toBe(['CONTAINER ID   NAME          STATUS', 'abc            a-long-name   Up 2 seconds', '0123456789ab   x             '].join('\n'));
  });

  it('takes another gap; trimmedTable drops trailing blanks and ends with a newline', () => {
    const rows = [
      ['DRIVER', 'VOLUME NAME'],
      ['local', ''],
    ];
    expect(table(rows, 1)).toBe('DRIVER VOLUME NAME\nlocal  ');
    expect(trimmedTable(rows)).toBe('DRIVER   VOLUME NAME\nlocal\n');
  });
});

// Docker-style column output: every column but the last padded to its widest cell plus a gap.

/** Rows joined by '\n' (no final newline); the first row is the header and sets the column count. */
export function table(rows: string[][], gap = 3): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + gap))).join('')).join('\n');
}

/** The same table with each line's trailing blanks trimmed (an empty last cell) and a final newline. */
export function trimmedTable(rows: string[][], gap = 3): string {
  return `${table(rows, gap)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

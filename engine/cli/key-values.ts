/** `--label K=V` / `--opt K=V` values as a record; a bare `K` maps to '' (docker's rule). */
export function parseKeyValues(values: string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((v) => {
      const eq = v.indexOf('=');
      return eq < 0 ? [v, ''] : [v.slice(0, eq), v.slice(eq + 1)];
    }),
  );
}

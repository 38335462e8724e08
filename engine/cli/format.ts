// Sizes and ages the way docker's tables print them, in a module of their own so that a command printing a
// table does not load another command (and what that one imports) for them.

export function formatBytes(n: number): string {
  if (n < 1000) return `${n}B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v)}${units[u]}`;
}

export function ago(ms: number, now = Date.now()): string {
  if (!ms) return 'N/A';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.round(s / 60)} minutes ago`;
  if (s < 172800) return `${Math.round(s / 3600)} hours ago`;
  if (s < 60 * 86400) return `${Math.round(s / 86400)} days ago`;
  if (s < 730 * 86400) return `${Math.round(s / (30 * 86400))} months ago`;
  return `${Math.round(s / (365 * 86400))} years ago`;
}

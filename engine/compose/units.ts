// Value syntaxes compose borrows from Go and the shell: durations (`1m30s`), byte sizes (`512m`, `1.5g`) and
// shell-word splitting for `command: echo "hello world"`.

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go duration → milliseconds; null with a reason when it does not parse. */
export function parseDuration(raw: unknown): { ms: number } | { error: string } {
  if (typeof raw === 'number') return { error: `invalid duration ${raw}: add a unit, e.g. "${raw}s"` };
  if (typeof raw !== 'string') return { error: 'a duration must be a string like "30s" or "1m30s"' };
  const s = raw.trim();
  if (s === '0') return { ms: 0 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let ms = 0;
  let i = 0;
  if (!s) return { error: 'invalid duration "": use a value like "30s" or "1m30s"' };
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return { error: `invalid duration "${raw}": use a value like "30s", "1m30s" or "500ms"` };
    ms += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    i = re.lastIndex;
  }
  return { ms };
}

/** Milliseconds → the Go duration string docker compose prints (`1m30s`, `500ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let rest = ms / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const sec = Math.round(rest * 1000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${sec}s`;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** `512m`, `1.5GB`, `1024` → bytes (binary multiples, like docker's RAMInBytes). */
export function parseBytes(raw: unknown): { bytes: number } | { error: string } {
  if (typeof raw === 'number') {
    return Number.isFinite(raw) && raw >= 0 ? { bytes: Math.floor(raw) } : { error: `invalid size ${raw}` };
  }
  if (typeof raw !== 'string') return { error: 'a size must be a number of bytes or a string like "512m"' };
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(raw);
  if (!m) return { error: `invalid size "${raw}": use bytes or a unit, e.g. "512m" or "2g"` };
  return { bytes: Math.floor(Number(m[1]) * BYTE_UNITS[m[2]!.toLowerCase()]!) };
}

/** Splits a command string like a POSIX shell would (quotes and backslashes), without expansions. */
export function splitShellWords(s: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return { error: `unterminated single quote in "${s}"` };
      word += s.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`\n'.includes(s[j + 1]!)) j++;
        word += s[j];
      }
      if (j >= s.length) return { error: `unterminated double quote in "${s}"` };
      i = j;
    } else if (c === '\\') {
      if (i + 1 < s.length) word += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return { words };
}

// Loads a compose project: finds the files, reads `.env`, parses and interpolates every file, resolves
// `extends`, merges the files in order, validates the result against the schema and normalises it into the
// model. Every problem comes back as a ComposeError whose issues name file, line, column and key path.
import fs from 'node:fs';
import path from 'node:path';
import { ComposeError, IssueList, formatPath, type ComposeIssue, type KeyPath, type Locator } from './errors';
import { parseDotenv } from './dotenv';
import { resolveExtends, type Origin } from './extends';
import { interpolateTree } from './interpolate';
import { mergeProjectValues } from './merge';
import { finishService } from './model';
import { normalizeProject } from './normalize';
import { setOwn, type Mapping } from './obj';
import { pickProjectName } from './project-name';
import { ProjectSchema, zodToIssues } from './schema';
import { hasPosition, parseSource, pathKey, positionOf, type SourceFile } from './source';
import type { ComposeProject } from '../api/compose';

export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const OVERRIDE_FILES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

export interface LoadOptions {
  /** Absolute: default files are looked up here (and in its parents), relative paths resolve against it. */
  workingDir: string;
  /** `-f` files in order; `content` skips reading (a dropped file). Empty: COMPOSE_FILE or the defaults. */
  files?: { path: string; content?: string }[];
  projectDirectory?: string;
  /** `--env-file`: replaces the default `.env`. */
  envFiles?: string[];
  /** The caller's shell environment. */
  env?: Record<string, string | undefined>;
  profiles?: string[];
  /** Services named on the command line (`up web`): enabled even when their profiles are not active. */
  services?: string[];
  projectName?: string;
  /** Build hook: when given, a service with `build:` is refused unless its image exists. */
  imageExists?: (ref: string) => boolean;
  /** File access (tests and the UI may supply their own); returns null when the file does not exist. */
  readFile?: (absPath: string) => string | null;
}

export interface LoadedProject {
  project: ComposeProject;
  warnings: string[];
  /** Places key paths of the merged project in the files, for checks made after loading. */
  locator: Locator;
}

const fail = (message: string, file: string | null = null): never => {
  throw new ComposeError([{ file, line: null, column: null, path: '', message }]);
};

/** Compose and env files are small; a bigger file is a mistake (a disk image passed as -f), not a project. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

function defaultRead(absPath: string): string | null {
  try {
    const size = fs.statSync(absPath).size;
    if (size > MAX_FILE_BYTES) fail(`file is ${Math.round(size / 1024 / 1024)} MiB: too large for a compose or env file`, absPath);
    return fs.readFileSync(absPath, 'utf8');
  } catch (err) {
    if (err instanceof ComposeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'EISDIR') throw new ComposeError([{ file: absPath, line: null, column: null, path: '', message: 'is a directory, not a compose file' }]);
    throw new ComposeError([{ file: absPath, line: null, column: null, path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
}

/** Default files: the first name found in the working dir or its parents, plus its override file. */
function findDefaultFiles(workingDir: string, read: (p: string) => string | null): { path: string; content: string }[] {
  for (let dir = workingDir; ; dir = path.dirname(dir)) {
    for (const name of DEFAULT_FILES) {
      const p = path.join(dir, name);
      const content = read(p);
      if (content === null) continue;
      const out = [{ path: p, content }];
      for (const o of OVERRIDE_FILES) {
        const op = path.join(dir, o);
        const oc = read(op);
        if (oc !== null) {
          out.push({ path: op, content: oc });
          break;
        }
      }
      return out;
    }
    if (path.dirname(dir) === dir) break;
  }
  return fail(`no configuration file provided: none of ${DEFAULT_FILES.join(', ')} in ${workingDir} or its parents (use -f FILE)`);
}

export function loadProject(options: LoadOptions): LoadedProject {
  const read = options.readFile ?? defaultRead;
  const cwd = path.resolve(options.workingDir);
  const shellEnv = new Map(Object.entries(options.env ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
  const display = (abs: string) => {
    const rel = path.relative(cwd, abs);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
  };

  // 1. Which files.
  let inputs = (options.files ?? []).map((f) => ({ path: path.resolve(cwd, f.path), content: f.content }));
  if (!inputs.length && shellEnv.get('COMPOSE_FILE')) {
    const sep = shellEnv.get('COMPOSE_PATH_SEPARATOR') ?? ':';
    inputs = shellEnv.get('COMPOSE_FILE')!.split(sep).filter(Boolean).map((p) => ({ path: path.resolve(cwd, p), content: undefined }));
  }
  const files = inputs.length
    ? inputs.map((f) => {
        const content = f.content ?? read(f.path);
        if (content === null) fail(`open ${f.path}: no such file`, display(f.path));
        return { path: f.path, content: content! };
      })
    : findDefaultFiles(cwd, read);
  const projectDir = path.resolve(cwd, options.projectDirectory ?? path.dirname(files[0]!.path));

  // 2. Environment: `--env-file` (or `.env` in the project dir) under the shell's own variables.
  const issues = new IssueList();
  const env = new Map<string, string>();
  const envFiles = options.envFiles?.length ? options.envFiles.map((f) => path.resolve(cwd, f)) : [path.join(projectDir, '.env')];
  for (const f of envFiles) {
    const text = read(f);
    if (text === null) {
      if (options.envFiles?.length) issues.addAt({ file: display(f), line: null, column: null, path: '', message: 'env file not found' });
      continue;
    }
    const parsed = parseDotenv(text, (k) => shellEnv.get(k) ?? env.get(k));
    for (const i of parsed.issues) issues.addAt({ file: display(f), line: i.line, column: 1, path: '', message: i.message });
    for (const [k, v] of parsed.values) env.set(k, v);
  }
  for (const [k, v] of shellEnv) env.set(k, v);
  issues.throwIfAny();

  // 3. Parse and interpolate each file (extended files too, cached by path).
  const warnings: string[] = [];
  const missing = new Set<string>();
  const interpolationEnv = {
    get: (name: string) => env.get(name),
    missing: (name: string) => {
      if (!missing.has(name)) warnings.push(`The "${name}" variable is not set. Defaulting to a blank string.`);
      missing.add(name);
    },
  };
  const cache = new Map<string, SourceFile | null>();
  const loadSource = (abs: string, content: string | null, dir: string): SourceFile | null => {
    if (cache.has(abs)) return cache.get(abs)!;
    cache.set(abs, null);
    if (content === null) return null;
    const parsed = parseSource(content, { display: display(abs), path: abs, dir });
    if (!parsed.ok) {
      for (const i of parsed.issues) issues.addAt(i);
      return null;
    }
    const file = parsed.file;
    file.value = interpolateTree(file.value, interpolationEnv, (p, message) => issues.addAt(at(file, p, message))) as Mapping;
    cache.set(abs, file);
    return file;
  };
  const at = (file: SourceFile, p: KeyPath, message: string): ComposeIssue => {
    const pos = positionOf(file, p);
    return { file: file.display, line: pos?.line ?? null, column: pos?.column ?? null, path: formatPath(p), message };
  };
  // `-f` files resolve relative paths against the project directory; extended files against their own.
  const sources = files.map((f) => loadSource(f.path, f.content, projectDir));
  issues.throwIfAny();

  // 4. extends, then merge.
  const origins = new Map<string, Origin[]>();
  for (const file of sources as SourceFile[]) {
    resolveExtends(file, {
      load: (abs, ref) => {
        const content = read(abs);
        if (content === null) {
          issues.addAt(at(ref.file, ref.path, `cannot extend from ${abs}: no such file`));
          return null;
        }
        return loadSource(abs, content, path.dirname(abs));
      },
      issue: (f, p, message) => issues.addAt(at(f, p, message)),
      origins,
    });
  }
  issues.throwIfAny();
  let merged: Mapping = {};
  for (const file of sources as SourceFile[]) merged = mergeProjectValues(merged, file.value, (p) => file.tags.get(pathKey(p)));

  const locator = composeLocator(sources as SourceFile[], origins);
  issues.setLocator(locator);

  // 5. Validate.
  const checked = ProjectSchema.safeParse(merged);
  if (!checked.success) throw new ComposeError(zodToIssues(checked.error, merged, locator));
  const raw = checked.data;
  if (raw.version !== undefined) warnings.push('the top-level "version" is obsolete and ignored');

  // 6. Name and profiles.
  const picked = pickProjectName({ flag: options.projectName, env: env.get('COMPOSE_PROJECT_NAME'), topLevel: raw.name, directory: path.basename(projectDir) });
  if ('error' in picked) {
    if (picked.source === 'name:') issues.add(['name'], picked.error);
    else issues.addAt({ file: null, line: null, column: null, path: '', message: picked.error });
    issues.throwIfAny();
  }
  const projectName = (picked as { name: string }).name;
  const profiles = options.profiles?.length
    ? options.profiles
    : (env.get('COMPOSE_PROFILES') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

  // 7. Normalise.
  const normalized = normalizeProject(raw, {
    projectName,
    projectDir,
    env,
    profiles,
    targets: options.services ?? [],
    issues,
    warnings,
    readFile: read,
    envFileIssue: (file, line, message) => issues.addAt({ file: display(file), line, column: 1, path: '', message }),
    imageExists: options.imageExists ?? null,
  });
  issues.throwIfAny();

  const configFiles = files.map((f) => f.path);
  const services: ComposeProject['services'] = {};
  for (const name of Object.keys(normalized.services)) {
    setOwn(services, name, finishService(normalized.services[name]!, { name: projectName, workingDir: projectDir, configFiles }));
  }
  return {
    project: {
      name: projectName,
      working_dir: projectDir,
      config_files: configFiles,
      services,
      disabled_services: normalized.disabled,
      networks: normalized.networks,
      volumes: normalized.volumes,
      order: normalized.order,
      warnings,
    },
    warnings,
    locator,
  };
}

/** The build hook as a separate step (for callers whose image lookup is async): refuses `build:` services whose image is not local. */
export function checkBuildImages(loaded: LoadedProject, imageExists: (ref: string) => boolean): void {
  const issues = new IssueList(loaded.locator);
  for (const svc of Object.values(loaded.project.services)) {
    if (svc.build && !(svc.image && imageExists(svc.image))) {
      issues.add(['services', svc.name, 'build'], `build: is not supported yet; pull or tag the image first (the service uses image "${svc.image}")`);
    }
  }
  issues.throwIfAny();
}

/**
 * Positions for paths of the merged project: the last file that has the exact path wins (it set the value);
 * services built by `extends` also look in the files they extend; otherwise the nearest ancestor.
 */
export function composeLocator(files: SourceFile[], origins: Map<string, Origin[]>): Locator {
  const candidates = (p: KeyPath): { file: SourceFile; path: KeyPath }[] => {
    const out: { file: SourceFile; path: KeyPath }[] = [];
    for (const file of [...files].reverse()) {
      out.push({ file, path: p });
      if (p[0] === 'services' && typeof p[1] === 'string') {
        for (const o of origins.get(`${file.path}\u0000${p[1]}`) ?? []) out.push({ file: o.file, path: [...o.to, ...p.slice(2)] });
      }
    }
    return out;
  };
  return {
    locate(p) {
      const all = candidates(p);
      const exact = all.find((c) => hasPosition(c.file, c.path));
      const best =
        exact ??
        all
          .map((c) => ({ c, depth: depthOf(c.file, c.path) }))
          .sort((a, b) => b.depth - a.depth)[0]?.c;
      if (!best) return { file: null, line: null, column: null };
      const pos = positionOf(best.file, best.path);
      return { file: best.file.display, line: pos?.line ?? null, column: pos?.column ?? null };
    },
  };
}

function depthOf(file: SourceFile, p: KeyPath): number {
  for (let n = p.length; n >= 0; n--) if (hasPosition(file, p.slice(0, n))) return n;
  return -1;
}


// Test helper: writes a project's files into a fresh temp dir and loads it from disk, like the CLI does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ComposeError, type ComposeIssue } from './errors';
import { loadProject, type LoadOptions, type LoadedProject } from './load';

export function writeTree(files: Record<string, string>, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-compose-'))): string {
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return dir;
}

export function loadTree(files: Record<string, string>, options: Partial<LoadOptions> & { cwd?: string } = {}): LoadedProject & { dir: string } {
  const dir = writeTree(files);
  try {
    return { ...loadProject({ workingDir: path.join(dir, options.cwd ?? ''), env: {}, ...options }), dir };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Loads and expects failure; returns the issues. */
export function loadErrors(files: Record<string, string>, options: Partial<LoadOptions> = {}): ComposeIssue[] {
  try {
    loadTree(files, options);
  } catch (err) {
    if (err instanceof ComposeError) return err.issues;
    throw err;
  }
  throw new Error('expected the project to be refused');
}

#!/usr/bin/env node
// Installs what `npm start` / `npm test` need on a fresh machine: npm packages when node_modules is missing
// or older than the lockfile, and, when running as root, the Debian packages the engine and tests drive.
// Uses only Node built-ins: it runs before anything is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'test';

// The engine's runtime parts, and what the tests drive for real (registry, compose, browser).
const enginePackages = ['runc', 'conmon', 'netavark', 'aardvark-dns', 'iptables', 'uidmap', 'zstd', 'passt', 'fuse-overlayfs'];
const testPackages = ['busybox-static', 'docker-registry', 'docker-compose', 'chromium'];
// Xvfb: a display for the Electron e2e where Electron's binary exists but no desktop runs (electron/testing/display.ts).
testPackages.push('xvfb');
const wanted = purpose === 'test' ? [...enginePackages, ...testPackages] : [...enginePackages, 'chromium'];

function log(message) {
  process.stderr.write(`[ensure] ${message}\n`);
}

function ensureNpm() {
  const lock = path.join(top, 'package-lock.json');
  const marker = path.join(top, 'node_modules', '.package-lock.json');
  const stale = !fs.existsSync(marker) || (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  log(fs.existsSync(lock) ? 'installing npm packages (npm ci)' : 'installing npm packages (npm install)');
  const r = spawnSync('npm', [fs.existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], { cwd: top, stdio: 'inherit' });
  if (r.status !== 0) {
    log('npm install failed; see the output above');
    process.exit(r.status ?? 1);
  }
}

function missingDebianPackages() {
  return wanted.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureDebian() {
  if (!fs.existsSync('/usr/bin/dpkg-query')) {
    log(`not a Debian system: install ${wanted.join(' ')} with your package manager`);
    return;
  }
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    log(`missing Debian packages: ${missing.join(' ')}`);
    log(`install them with: sudo apt-get install -y ${missing.join(' ')}`);
    if (purpose === 'test') process.exit(1);
    return;
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

ensureNpm();
ensureDebian();

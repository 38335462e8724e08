// Image references as docker spells them (distribution/reference grammar), normalised to the full form:
// `busybox` → `docker.io/library/busybox:latest`. Pure: no I/O, so it is property-tested on its own.
import { invalid } from '../api/errors';

export const DOCKER_HUB = 'docker.io';
/** Where docker.io's API actually lives. */
export const DOCKER_HUB_API = 'registry-1.docker.io';
/** The key docker keeps Docker Hub credentials under in ~/.docker/config.json. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

export interface ImageRef {
  /** Registry host with optional port: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  domain: string;
  /** Repository path inside the registry: `library/busybox`. */
  path: string;
  tag?: string;
  /** `sha256:<64 hex>` when pinned. */
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const HEX64 = /^[a-f0-9]{64}$/;
const MAX_NAME = 255;

export function isDigest(value: string): boolean {
  return SHA256.test(value);
}

/** Parses and normalises; throws `invalid` naming what is wrong. */
export function parseReference(input: string): ImageRef {
  const bad = (why: string) => invalid(`invalid reference format "${input}": ${why}`);
  if (input.length === 0) throw bad('empty');
  if (/\s/.test(input)) throw bad('contains whitespace');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`"${digest}" is not a digest (expected sha256:<64 hex>)`);
    if (digest.startsWith('sha256:') && !SHA256.test(digest)) throw bad('a sha256 digest has 64 lowercase hex characters');
    if (!digest.startsWith('sha256:')) throw bad(`digest algorithm "${digest.split(':')[0]}" is not supported (use sha256)`);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw bad(`"${tag}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  if (rest.length === 0) throw bad('missing repository name');
  if (HEX64.test(rest) && tag === undefined && digest === undefined) {
    throw bad('a 64-character hex string is an image id, not a repository name');
  }
  let domain = DOCKER_HUB;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    // docker's rule: the first component is a registry when it looks like a host.
    if (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (!DOMAIN.test(domain)) throw bad(`"${domain}" is not a valid registry host`);
  if (domain === 'index.docker.io') domain = DOCKER_HUB;
  if (path.length === 0) throw bad('missing repository name');
  if (path !== path.toLowerCase()) throw bad('repository name must be lowercase');
  for (const component of path.split('/')) {
    if (!COMPONENT.test(component)) {
      throw bad(component === '' ? 'empty path component' : `"${component}" is not a valid path component (lowercase letters, digits and single separators . _ __ -)`);
    }
  }
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (domain.length + 1 + path.length > MAX_NAME) throw bad(`repository name longer than ${MAX_NAME} characters`);
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `docker.io/library/busybox` */
export function repositoryName(ref: ImageRef): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full normalised form: `docker.io/library/busybox:latest`, `host:5000/a/b@sha256:…`. */
export function formatReference(ref: ImageRef): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short form docker prints: `busybox:latest`, `user/app:1`, `localhost:5000/x:y`. */
export function familiarName(ref: ImageRef): string {
  let name = repositoryName(ref);
  if (ref.domain === DOCKER_HUB) name = ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The host to talk HTTP to for this registry. */
export function registryApiHost(domain: string): string {
  return domain === DOCKER_HUB ? DOCKER_HUB_API : domain;
}

/** The key credentials for this registry live under in ~/.docker/config.json. */
export function credentialKey(domain: string): string {
  return domain === DOCKER_HUB || domain === DOCKER_HUB_API || domain === 'index.docker.io' ? DOCKER_HUB_CONFIG_KEY : domain;
}

/** `localhost`, 127.0.0.0/8 and ::1 may use plain HTTP without being listed as insecure. */
export function isLoopbackHost(domain: string): boolean {
  const host = domain.startsWith('[') ? domain.slice(1, domain.indexOf(']')) : domain.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

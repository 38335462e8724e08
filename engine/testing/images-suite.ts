// The set-up images tests share: one loopback docker-registry for the test file, and images services over
// throwaway roots that are closed after the test that opened them. Call at the top level of a test file.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { imagesHarness, type ImagesHarness } from '../images/testkit';
import { startRegistry, type TestRegistry } from './registry';

export interface ImagesSuite {
  /** The file's registry (started in beforeAll). */
  readonly registry: TestRegistry;
  /** An images service over a fresh root (settings applied), closed after the current test. */
  harness(settings?: Record<string, unknown>): Promise<ImagesHarness>;
}

export function imagesSuite(): ImagesSuite {
  let registry: TestRegistry | undefined;
  const open: ImagesHarness[] = [];
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });
  return {
    get registry() {
      if (!registry) throw new Error('imagesSuite: the registry starts in beforeAll; use it inside a test or hook');
      return registry;
    },
    async harness(settings) {
      const h = await imagesHarness(settings);
      open.push(h);
      return h;
    },
  };
}

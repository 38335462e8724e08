import { describe, expect, it } from 'vitest';
import { dirOf, useCompose } from './compose';

describe('compose drafts', () => {
  it('resolves a shell-given path against its own directory', () => {
    expect(dirOf('/home/me/app/compose.yaml')).toBe('/home/me/app');
    expect(dirOf('/compose.yaml')).toBe('/');
    expect(dirOf('compose.yaml')).toBe('/');
  });

  it('re-plans when the same file arrives again', () => {
    useCompose.getState().open({ path: 'compose.yaml', content: 'services: {}', workingDir: '/' });
    const first = useCompose.getState().draft!.seq;
    useCompose.getState().open({ path: 'compose.yaml', content: 'services: {}', workingDir: '/' });
    expect(useCompose.getState().draft!.seq).toBeGreaterThan(first);
    useCompose.getState().clear();
    expect(useCompose.getState().draft).toBeNull();
  });
});

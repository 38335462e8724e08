// Docker endpoints the engine has no contract method for yet. They answer plainly (501 naming what is
// missing) instead of "page not found", except where a client's flow needs a NotFound to carry on.
import { EngineError } from '../../api/errors';
import type { Router } from '../router';

const unsupported = (what: string) => () => {
  throw new EngineError('unsupported', `${what} is not supported by this engine yet`);
};

export function unsupportedRoutes(router: Router) {
  router.add('POST', '/containers/prune', unsupported('container prune'));
  router.add('POST', '/containers/{id}/update', unsupported('updating container resources'));
  router.add('GET', '/containers/{id}/export', unsupported('exporting containers'));
  router.add('POST', '/commit', unsupported('committing containers to images'));
  router.add('POST', '/build', unsupported('building images'));
  router.add('GET', '/images/search', unsupported('searching registries'));
  router.add('GET', '/images/{name:.+}/history', unsupported('image history'));
  router.add('POST', '/images/{name:.+}/push', unsupported('pushing images'));
}

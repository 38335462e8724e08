// Docker endpoints the engine has no contract method for yet. They answer plainly (501 naming what is
// missing) instead of "page not found", except where a client's flow needs a NotFound to carry on.
import { EngineError } from '../../api/errors';
import type { Router } from '../router';
import { sendJson } from '../http';

const unsupported = (what: string) => () => {
  throw new EngineError('unsupported', `${what} is not supported by this engine yet`);
};

export function unsupportedRoutes(router: Router) {
  // Volumes: none exist until the volumes subsystem lands. `docker inspect NAME` walks containers, images,
  // networks, then volumes, and moves on only after a NotFound, so lookups answer 404 like an unknown volume.
  router.add('GET', '/volumes', ({ res }) => sendJson(res, 200, { Volumes: [], Warnings: null }));
  router.add('GET', '/volumes/{name}', ({ params }) => {
    throw new EngineError('not_found', `get ${params.name}: no such volume`);
  });
  router.add('DELETE', '/volumes/{name}', ({ params }) => {
    throw new EngineError('not_found', `get ${params.name}: no such volume`);
  });
  router.add('POST', '/volumes/create', unsupported('creating volumes'));
  router.add('POST', '/volumes/prune', ({ res }) => sendJson(res, 200, { VolumesDeleted: [], SpaceReclaimed: 0 }));

  router.add('POST', '/containers/prune', unsupported('container prune'));
  router.add('POST', '/containers/{id}/rename', unsupported('renaming containers'));
  router.add('POST', '/containers/{id}/update', unsupported('updating container resources'));
  router.add('GET', '/containers/{id}/stats', unsupported('container stats'));
  router.add('GET', '/containers/{id}/top', unsupported('listing container processes (top)'));
  router.add('GET', '/containers/{id}/changes', unsupported('container filesystem changes'));
  router.add('GET', '/containers/{id}/export', unsupported('exporting containers'));
  router.add('HEAD,GET,PUT', '/containers/{id}/archive', unsupported('copying files to and from containers (docker cp)'));
  router.add('POST', '/commit', unsupported('committing containers to images'));
  router.add('POST', '/build', unsupported('building images'));
  router.add('GET', '/images/search', unsupported('searching registries'));
  router.add('GET', '/images/get', unsupported('saving images to a tarball'));
  router.add('POST', '/images/load', unsupported('loading images from a tarball'));
  router.add('GET', '/images/{name:.+}/history', unsupported('image history'));
  router.add('POST', '/images/{name:.+}/push', unsupported('pushing images'));
}

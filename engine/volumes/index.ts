// The volumes subsystem's public face. The container lifecycle reaches it through `ctx.volumes` (see
// engine/containers/mounts.ts); the Docker API and the CLI through the `volumes.*` contract methods.
export { VolumeManager } from './manager';
export { createVolumesService } from './service';
export { volumeNameProblem, anonymousVolumeName } from './names';
export type { PlannedMount } from './types';

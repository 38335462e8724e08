// A container's mount after create resolved it: volume sources are real volume names (anonymous ones
// included), bind sources are checked absolute host paths. Stored per container in container_mounts.
import type { Mount } from '../api/containers';

export interface PlannedMount extends Mount {
  /** A volume the engine made for this container (`-v /path`, image VOLUME): `rm -v` removes it. */
  anonymous?: boolean;
  /** Came from the image's VOLUME list, not from the user. */
  fromImage?: boolean;
}

// Container filesystem access: stat, list, read, tar archives in and out (docker cp), changes against the
// image (docker diff) and a host path for a file manager. Paths are container paths: resolved inside the
// container's root with chroot semantics, so nothing here reaches the host's files. Bytes travel as base64.
import { z } from 'zod';
import { call, stream } from './kit';

const ContainerRef = z.string().min(1).describe('id, id prefix or name');
const ContainerPath = z.string().min(1, 'a path inside the container is required');

export const FileType = z.enum(['file', 'directory', 'symlink', 'fifo', 'socket', 'char-device', 'block-device']);
export type FileType = z.infer<typeof FileType>;

export const FileStat = z.object({
  /** Base name of the requested path ('/' for the root). */
  name: z.string(),
  type: FileType,
  size: z.number().int().nonnegative(),
  /** Permission bits with setuid/setgid/sticky (0o7777), without the type. */
  mode: z.number().int().nonnegative(),
  /** Modification time, ms since the epoch. */
  mtime: z.number(),
  uid: z.number().int(),
  gid: z.number().int(),
  /** For a symlink: the raw link text. */
  link: z.string().optional(),
  /** For a symlink: the absolute container path it finally resolves to (docker's LinkTarget). */
  linkTarget: z.string().optional(),
});
export type FileStat = z.infer<typeof FileStat>;

export const DirEntry = FileStat.omit({ linkTarget: true });
export type DirEntry = z.infer<typeof DirEntry>;

/** Bytes per readFile call at most. */
export const MAX_READ_BYTES = 4 * 1024 * 1024;
/** Decoded bytes per archivePut chunk at most. */
export const MAX_UPLOAD_CHUNK = 4 * 1024 * 1024;

export const ChangeKind = z.enum(['C', 'A', 'D']);
export const FileChange = z.object({ path: z.string(), kind: ChangeKind });
export type FileChange = z.infer<typeof FileChange>;

export const containerFilesContract = {
  'containers.stat': call(
    'Stat a path in a container without following a final symlink (running or stopped)',
    z.object({ id: ContainerRef, path: ContainerPath }).strict(),
    FileStat,
  ),
  'containers.listDir': call(
    'List a directory in a container (symlinks to directories are followed)',
    z.object({ id: ContainerRef, path: ContainerPath }).strict(),
    z.object({ path: z.string(), entries: z.array(DirEntry) }),
  ),
  'containers.readFile': call(
    'Read up to `length` bytes of a regular file in a container from `offset`',
    z
      .object({
        id: ContainerRef,
        path: ContainerPath,
        offset: z.number().int().nonnegative().default(0),
        length: z.number().int().positive().max(MAX_READ_BYTES).default(MAX_READ_BYTES),
      })
      .strict(),
    z.object({ data: z.string().describe('base64'), size: z.number().int(), eof: z.boolean() }),
  ),
  'containers.archiveGet': stream(
    "A tar of a path in a container, docker's way: the path's base name is the top entry ('.' for DIR/.)",
    z.object({ id: ContainerRef, path: ContainerPath }).strict(),
    z.object({ data: z.string().describe('base64 tar bytes') }),
  ),
  'containers.archivePut': call(
    'Extract a tar into a directory of a container. Bytes come in chunks under one uploadId; each call returns ' +
      'once its chunk is consumed, the call with eof returns once everything is written (or the first error).',
    z
      .object({
        id: ContainerRef,
        /** The directory to extract into; it must exist. */
        path: ContainerPath,
        /** Chosen by the caller (a random UUID); a new id starts a new upload. */
        uploadId: z.string().min(8).max(64),
        data: z.string().default('').describe('base64 tar bytes'),
        eof: z.boolean().default(false),
        /** Refuse to replace a directory with a non-directory or the other way round (docker's default). */
        noOverwriteDirNonDir: z.boolean().default(true),
        /** Keep the tar's owners (docker cp -a); otherwise files belong to the container's root. */
        copyUIDGID: z.boolean().default(false),
      })
      .strict(),
    z.object({ done: z.boolean(), entries: z.number().int() }),
  ),
  'containers.diff': call(
    "Paths changed in a container's filesystem since it was created from its image: C changed, A added, D deleted",
    z.object({ id: ContainerRef }).strict(),
    z.array(FileChange),
  ),
  'containers.hostPath': call(
    "A host directory showing a running container's root filesystem, for a file manager",
    z.object({ id: ContainerRef }).strict(),
    z.object({ path: z.string() }),
  ),
};

export type ContainerFileMethod = keyof typeof containerFilesContract;

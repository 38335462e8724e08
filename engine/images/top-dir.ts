// Snapshots are unrelated trees: ext4's Orlov allocator spreads the children of a directory marked "top of a
// hierarchy" (chattr +T, FS_TOPDIR_FL) over block groups, instead of packing every layer next to the snapshots
// directory. That matters on ext4 without a journal, where each new inode is looked for past every recently
// deleted one of its group (ext4 find_inode_bit/recently_deleted): in a group where trees were just removed
// that scan is the largest cost of an unpack (perf on the bench pull; `tar -x` of the bench's largest layer
// under a +T parent: 0.13-0.27 s of system time instead of 0.26-0.50 s). A hint only: where the flag is not
// supported (other file systems, no chattr), nothing changes.
import { execFile } from 'node:child_process';

const marked = new Map<string, Promise<void>>();

/** Marks `dir` as a top directory once per process; never fails. */
export function markTopDir(dir: string): Promise<void> {
  let done = marked.get(dir);
  if (!done) {
    done = new Promise<void>((resolve) => execFile('chattr', ['+T', dir], { timeout: 5000 }, () => resolve()));
    marked.set(dir, done);
  }
  return done;
}

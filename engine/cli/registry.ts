// Every `fd` command, one line each. Only the command being run is loaded: `fd ps` never builds what `fd run`
// or `fd engine` need (schemas, tar, the engine). Names and summaries stay here for `fd --help`; a test keeps
// them equal to each command's own.
import type { Command } from './command';

export interface CommandEntry {
  name: string;
  /** One line for `fd --help`. */
  summary: string;
  load(): Promise<Command>;
}

const entry = (name: string, summary: string, load: () => Promise<Command>): CommandEntry => ({ name, summary, load });

export const commands: CommandEntry[] = [
  entry('engine', 'Run the engine in the foreground (headless host)', async () => (await import('./commands/engine')).engineCommand),
  entry('version', 'Show the fd client and engine versions', async () => (await import('./commands/version')).versionCommand),
  entry('info', 'Show the engine root, sockets, runtime and counts', async () => (await import('./commands/info')).infoCommand),
  entry('events', 'Show engine events: history with --since, then live', async () => (await import('./commands/events')).eventsCommand),
  entry('network', 'Manage networks: create, ls, inspect, rm, connect, disconnect, prune', async () => (await import('./commands/network')).networkCommand),
  entry('volume', 'Manage volumes: create, ls, inspect, rm, prune', async () => (await import('./commands/volume')).volumeCommand),
  entry('compose', 'Define and run multi-container projects', async () => (await import('./commands/compose')).composeCommand),
  entry('pull', 'Download an image from a registry', async () => (await import('./commands/pull')).pullCommand),
  entry('images', 'List images', async () => (await import('./commands/images')).imagesCommand),
  entry('image', 'Manage images (inspect, prune, ls, rm, pull, tag, save, load)', async () => (await import('./commands/images')).imageCommand),
  entry('save', 'Save one or more images to a tar archive (streamed to STDOUT by default)', async () => (await import('./commands/save')).saveCommand),
  entry('load', 'Load images from a tar archive (docker save format or an OCI layout) or STDIN', async () => (await import('./commands/load')).loadCommand),
  entry('rmi', 'Remove one or more images', async () => (await import('./commands/rmi')).rmiCommand),
  entry('tag', 'Give an image another name', async () => (await import('./commands/tag')).tagCommand),
  entry('login', 'Log in to a registry (credentials are checked, then kept in ~/.docker/config.json)', async () => (await import('./commands/login')).loginCommand),
  entry('logout', 'Forget the credentials of a registry', async () => (await import('./commands/logout')).logoutCommand),
  entry('system', 'Disk use (df) and cleanup (prune) of the image cache', async () => (await import('./commands/system')).systemCommand),
  entry('run', 'Create and run a new container', async () => (await import('./commands/run')).runCommand),
  entry('create', 'Create a new container', async () => (await import('./commands/create')).createCommand),
  entry('start', 'Start one or more stopped containers', async () => (await import('./commands/start')).startCommand),
  entry('stop', 'Stop one or more running containers', async () => (await import('./commands/stop')).stopCommand),
  entry('kill', 'Kill one or more running containers', async () => (await import('./commands/kill')).killCommand),
  entry('restart', 'Restart one or more containers', async () => (await import('./commands/restart')).restartCommand),
  entry('rm', 'Remove one or more containers', async () => (await import('./commands/rm')).rmCommand),
  entry('ps', 'List containers', async () => (await import('./commands/ps')).psCommand),
  entry('inspect', 'Return low-level information on containers as JSON', async () => (await import('./commands/inspect')).inspectCommand),
  entry('wait', 'Block until one or more containers stop, then print their exit codes', async () => (await import('./commands/wait')).waitCommand),
  entry('exec', 'Execute a command in a running container', async () => (await import('./commands/exec')).execCommand),
  entry('logs', 'Fetch the logs of a container', async () => (await import('./commands/logs')).logsCommand),
  entry('pause', 'Pause all processes within one or more containers', async () => (await import('./commands/pause')).pauseCommand),
  entry('unpause', 'Unpause all processes within one or more containers', async () => (await import('./commands/unpause')).unpauseCommand),
  entry('cp', 'Copy files/folders between a container and the local filesystem', async () => (await import('./commands/cp')).cpCommand),
  entry('diff', "Inspect changes to files or directories on a container's filesystem", async () => (await import('./commands/diff')).diffCommand),
  entry('port', 'List port mappings or a specific mapping for the container', async () => (await import('./commands/port')).portCommand),
  entry('rename', 'Rename a container', async () => (await import('./commands/rename')).renameCommand),
  entry('stats', 'Display a live stream of container resource usage', async () => (await import('./commands/stats')).statsCommand),
  entry('top', 'Display the running processes of a container', async () => (await import('./commands/top')).topCommand),
  entry('unshare', "Run a command in the rootless engine's user namespace (uid 0 there)", async () => (await import('../rootless/unshare-command')).unshareCommand),
];

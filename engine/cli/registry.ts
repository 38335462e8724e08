// Every `fd` command, one line each.
import type { Command } from './command';
import { engineCommand } from './commands/engine';
import { versionCommand } from './commands/version';
import { infoCommand } from './commands/info';
import { eventsCommand } from './commands/events';

export const commands: Command[] = [engineCommand, versionCommand, infoCommand, eventsCommand];

// Every `fd` command, one line each.
import type { Command } from './command';
import { engineCommand } from './commands/engine';
import { versionCommand } from './commands/version';
import { infoCommand } from './commands/info';
import { eventsCommand } from './commands/events';
import { networkCommand } from './commands/network';
import { composeCommand } from './commands/compose';

export const commands: Command[] = [engineCommand, versionCommand, infoCommand, eventsCommand, networkCommand, composeCommand];

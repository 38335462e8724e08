import { cliEntry } from './main';

cliEntry();

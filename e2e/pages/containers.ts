// Page object: the Containers screen.
import type { Page } from 'playwright-core';

export class ContainersPage {
  constructor(readonly page: Page) {}

  get filter() {
    return this.page.getByLabel('Filter containers');
  }

  row(name: string) {
    return this.page.getByRole('row').filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  state(name: string) {
    return this.row(name).locator('.state');
  }

  button(action: 'Start' | 'Stop' | 'Restart' | 'Remove', name: string) {
    return this.page.getByRole('button', { name: `${action} ${name}`, exact: true });
  }

  open(name: string) {
    return this.row(name).getByRole('link', { name, exact: true }).click();
  }

  tab(name: 'Logs' | 'Terminal' | 'Inspect' | 'Files' | 'Stats') {
    return this.page.getByRole('tab', { name, exact: true });
  }

  get logView() {
    return this.page.getByRole('log');
  }

  get logLines() {
    return this.logView.locator('.log-line');
  }

  get logSearch() {
    return this.page.getByLabel('Search logs');
  }

  get timestamps() {
    return this.page.getByLabel('Timestamps');
  }

  get logStatus() {
    return this.page.getByRole('toolbar', { name: 'Log controls' }).getByRole('status');
  }

  get terminal() {
    return this.page.getByRole('group', { name: 'Terminal' });
  }

  /** The text on the terminal's screen, row by row. */
  terminalText() {
    return this.terminal.locator('.xterm-rows').innerText();
  }

  get terminalStatus() {
    return this.page.getByRole('toolbar', { name: 'Terminal controls' }).getByRole('status');
  }

  async waitForState(name: string, state: string, timeout = 15_000) {
    await this.row(name).locator(`.state-${state}`).waitFor({ timeout });
  }
}

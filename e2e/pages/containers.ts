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

  async waitForState(name: string, state: string, timeout = 15_000) {
    await this.row(name).locator(`.state-${state}`).waitFor({ timeout });
  }
}

// Page object: the header's task list and the Pull dialog.
import type { Page } from 'playwright-core';

export class TasksPage {
  constructor(readonly page: Page) {}

  get trayButton() {
    return this.page.getByRole('banner').getByRole('button', { name: /^Tasks/ });
  }

  get panel() {
    return this.page.getByRole('region', { name: 'Tasks' });
  }

  task(title: string) {
    return this.panel.getByRole('listitem', { name: title, exact: true });
  }

  async openPanel() {
    if ((await this.trayButton.getAttribute('aria-expanded')) !== 'true') await this.trayButton.click();
    await this.panel.waitFor();
  }
}

export class PullDialog {
  constructor(readonly page: Page) {}

  get dialog() {
    return this.page.getByRole('dialog', { name: 'Pull an image' });
  }

  async open() {
    await this.page.getByRole('button', { name: 'Pull image…' }).click();
    await this.dialog.waitFor();
  }

  async pull(ref: string) {
    await this.dialog.getByLabel('Image reference').fill(ref);
    await this.dialog.getByRole('button', { name: 'Pull', exact: true }).click();
  }

  get layerBars() {
    return this.dialog.getByRole('progressbar');
  }

  get summary() {
    return this.dialog.locator('.task-summary');
  }

  get error() {
    return this.dialog.getByRole('alert');
  }

  close() {
    return this.dialog.getByRole('button', { name: 'Close' }).click();
  }
}

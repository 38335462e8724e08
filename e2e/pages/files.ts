// Page objects: a container's Files and Stats tabs.
import type { Page } from 'playwright-core';

export class FilesPage {
  constructor(readonly page: Page) {}

  listing(dir: string) {
    return this.page.getByRole('table', { name: `Files in ${dir}`, exact: true });
  }

  entry(dir: string, name: string) {
    return this.listing(dir).getByRole('rowheader', { name, exact: true }).getByRole('button', { name, exact: true });
  }

  crumb(path: string) {
    return this.page.getByRole('navigation', { name: 'Path' }).getByRole('button', { name: path === '/' ? 'Root directory' : `Go to ${path}`, exact: true });
  }

  content(path: string) {
    return this.page.getByLabel(`Content of ${path}`, { exact: true });
  }

  download(dir: string, name: string) {
    return this.listing(dir).getByRole('button', { name: `Download ${name}`, exact: true });
  }

  get uploadInput() {
    return this.page.getByLabel('Files to upload');
  }

  get status() {
    return this.page.getByRole('status', { name: 'File status' });
  }
}

export class StatsPage {
  constructor(readonly page: Page) {}

  value(metric: 'CPU' | 'Memory' | 'Network I/O' | 'Block I/O' | 'PIDs') {
    return this.page.getByRole('group', { name: metric, exact: true }).locator('.metric-value');
  }

  sparkline(metric: string) {
    return this.page.getByRole('group', { name: metric, exact: true }).getByRole('img');
  }
}

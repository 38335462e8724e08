// Page object: the Events screen.
import type { Page } from 'playwright-core';

export class EventsPage {
  constructor(readonly page: Page) {}

  get table() {
    return this.page.getByRole('table', { name: 'Events' });
  }

  get typeFilter() {
    return this.page.getByLabel('Type', { exact: true });
  }

  get actionFilter() {
    return this.page.getByLabel('Action', { exact: true });
  }

  get rangeFilter() {
    return this.page.getByLabel('Time range', { exact: true });
  }

  /** The row for an event's object link (actor id or name). */
  rowFor(objectLabel: string) {
    return this.table.locator('tbody tr').filter({ has: this.page.getByRole('link', { name: new RegExp(` ${escape(objectLabel)}$`) }) });
  }

  async waitForRow(objectLabel: string, timeout = 10_000) {
    await this.rowFor(objectLabel).first().waitFor({ timeout });
  }

  /** Sequence numbers of the rows shown, top to bottom. */
  async seqs(): Promise<number[]> {
    return (await this.table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq')))));
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * DB-API's one implicit cursor over a buffered result: the rows of the last
 * statement, read with `fetchall` / `fetchone`, and its `columns`,
 * `rowcount` and `lastRowId`. The drivers' connections extend it; a
 * `Transaction` keeps one. Internal.
 *
 * @module
 */

import type { ArrayRow, Row } from "./driver.ts";

/** The last statement's result, buffered. */
export class ResultBuffer<R extends Row = ArrayRow> {
  #rows: R[] = [];
  #next = 0;
  #columns: readonly string[] | null = null;
  #rowcount = -1;
  #lastRowId: number | bigint | null = null;

  /** The column names of the last statement's result, or `null` for a statement with none. */
  get columns(): readonly string[] | null {
    return this.#columns;
  }

  /** Rows the last statement changed or returned, or -1 when unknown. */
  get rowcount(): number {
    return this.#rowcount;
  }

  /** The row id of the last inserted row where the database has one, else `null`. */
  get lastRowId(): number | bigint | null {
    return this.#lastRowId;
  }

  /** The rows not fetched yet. */
  fetchall(): R[] {
    const rest = this.#next === 0 ? this.#rows : this.#rows.slice(this.#next);
    this.#rows = [];
    this.#next = 0;
    return rest;
  }

  /** The next row, or `null` when there is none. */
  fetchone(): R | null {
    if (this.#next >= this.#rows.length) return null;
    return this.#rows[this.#next++];
  }

  /** Keep a statement's result (empty, `null`, -1: forget the last one). */
  keep(
    rows: R[],
    columns: readonly string[] | null,
    rowcount: number,
    lastRowId: number | bigint | null = null,
  ): void {
    this.#rows = rows;
    this.#next = 0;
    this.#columns = columns;
    this.#rowcount = rowcount;
    this.#lastRowId = lastRowId;
  }
}

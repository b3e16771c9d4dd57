// Distance tables per goal, kept least-recently-used first: goals come and go, memory does not grow with them.
export class LruTables {
  private readonly tables = new Map<number, Uint16Array>();

  constructor(private capacity: number) {}

  /** The table for goal, marked recently used; undefined if not cached. */
  get(goal: number): Uint16Array | undefined {
    const table = this.tables.get(goal);
    if (table) {
      this.tables.delete(goal);
      this.tables.set(goal, table);
    }
    return table;
  }

  set(goal: number, table: Uint16Array): void {
    this.tables.set(goal, table);
    this.evict();
  }

  /** Changes the capacity, evicting the least recently used tables if it shrinks. */
  resize(capacity: number): void {
    this.capacity = capacity;
    this.evict();
  }

  get size(): number {
    return this.tables.size;
  }

  private evict(): void {
    while (this.tables.size > this.capacity) this.tables.delete(this.tables.keys().next().value!);
  }
}

// Which generated matrices the CPU engine keeps, under a byte budget. The rows themselves live in
// the executors (each keeps its own row blocks); the ledger decides, per request, which matrices
// are stored and which are generated for that use only, and which stored ones to drop.
//
// Policy: a request lists the matrices it will use in priority order (network weights, which
// every direction and panel shares, before dense directions, which one direction uses). Matrices
// already stored stay; a new one is stored if it fits once matrices the request does not use are
// evicted, least recently used first; otherwise it is generated on each use.

export interface WantedMatrix {
  key: string;
  bytes: number;
}

interface Entry {
  bytes: number;
  lastUsed: number;
}

export class StoreLedger {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;
  private held = 0;

  constructor(readonly budgetBytes: number) {}

  get bytes(): number {
    return this.held;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Decides storage for one request's matrices; returns the keys to evict from the executors. */
  plan(wanted: WantedMatrix[]): { evict: string[] } {
    const now = ++this.clock;
    for (const w of wanted) {
      const entry = this.entries.get(w.key);
      if (entry) entry.lastUsed = now;
    }
    const evict: string[] = [];
    for (const w of wanted) {
      if (this.entries.has(w.key) || w.bytes > this.budgetBytes) continue;
      while (this.held + w.bytes > this.budgetBytes) {
        const victim = this.leastRecentlyUsedBefore(now);
        if (!victim) break;
        evict.push(victim);
        this.drop(victim);
      }
      if (this.held + w.bytes <= this.budgetBytes) {
        this.entries.set(w.key, { bytes: w.bytes, lastUsed: now });
        this.held += w.bytes;
      }
    }
    return { evict };
  }

  /** Forgets everything (the executors lost their rows, or the caller cleared them). */
  clear(): string[] {
    const keys = [...this.entries.keys()];
    this.entries.clear();
    this.held = 0;
    return keys;
  }

  private leastRecentlyUsedBefore(now: number): string | null {
    let best: string | null = null;
    let bestTime = now;
    for (const [key, entry] of this.entries) {
      if (entry.lastUsed < bestTime) {
        best = key;
        bestTime = entry.lastUsed;
      }
    }
    return best;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.held -= entry.bytes;
    this.entries.delete(key);
  }
}

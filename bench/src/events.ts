// Events across instances: a task changed through API instance A, timed to the arrival of its
// event on a stream open on instance B (the typed client's subscription, as a frontend holds it).
// The change reaches B only through PostgreSQL's NOTIFY and B's read of the change log.
import { createClient, type TodoClient } from "@todo/client";
import type { LiveEvent } from "@todo/contract";

/**
 * Milliseconds from sending a change to A until its event arrived on B (`sent*`: the write's own
 * round trip included), and from A's answer until then (`answered*`: what a second device waits
 * after the first one saw its write saved; 0 when the event came first).
 */
export interface EventLatencyResult {
  readonly trials: number;
  readonly sentP50Ms: number;
  readonly sentP99Ms: number;
  readonly answeredP50Ms: number;
  readonly answeredP99Ms: number;
  readonly answeredMaxMs: number;
}

/**
 * Logs `email` in on A, subscribes on B, then changes one task `trials` times through A, one at a
 * time, each timed to its event on B.
 * @throws {Error} when a request fails or an event arrives out of order.
 */
export async function measureEventLatency(options: {
  aUrl: string;
  bUrl: string;
  email: string;
  password: string;
  trials: number;
}): Promise<EventLatencyResult> {
  const login = await createClient({ baseUrl: options.aUrl }).login({
    email: options.email,
    password: options.password,
  });
  const session = { accessToken: login.accessToken };
  const a: TodoClient = createClient({ baseUrl: options.aUrl, session });
  const b: TodoClient = createClient({ baseUrl: options.bUrl, session });
  const task = await a.createTask({ title: "event latency" });

  const waiting = new Map<number, (at: number) => void>();
  const stop = new AbortController();
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const subscription = b.subscribe(
    (event: LiveEvent) => {
      if (event.type !== "task.updated" || !("version" in event.data)) return;
      waiting.get(event.data.version)?.(performance.now());
    },
    { signal: stop.signal, onOpen: () => opened() },
  );
  await open;

  const sent: number[] = [];
  const answered: number[] = [];
  try {
    for (let trial = 0; trial < options.trials; trial++) {
      const version = task.version + trial + 1;
      const arrived = new Promise<number>((resolve) => waiting.set(version, resolve));
      const start = performance.now();
      await a.updateTask(task.id, { title: `event latency ${trial}` });
      const answeredAt = performance.now();
      const at = await arrived;
      waiting.delete(version);
      sent.push(at - start);
      answered.push(Math.max(0, at - answeredAt));
    }
  } finally {
    stop.abort();
    await subscription;
  }
  return {
    trials: options.trials,
    sentP50Ms: quantile(sent, 0.5),
    sentP99Ms: quantile(sent, 0.99),
    answeredP50Ms: quantile(answered, 0.5),
    answeredP99Ms: quantile(answered, 0.99),
    answeredMaxMs: quantile(answered, 1),
  };
}

/** The `q` quantile of `values` (nearest rank), rounded to 0.01 ms; NaN when empty. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return value === undefined ? NaN : Math.round(value * 100) / 100;
}

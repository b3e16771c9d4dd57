/**
 * Runs a generator over several turns of the event loop: steps until `budgetMs` of wall time is spent, then goes on
 * after the loop has had its turn (setImmediate), so frames, acks and timers that arrived meanwhile are handled in
 * between. A pass over thousands of AGVs done in one piece holds every frame behind it for its whole length (at
 * 5,000 AGVs: 80–200 ms for the alarm pass, which then set the fleet's command latency).
 * The first `minSteps` steps of each slice run whatever the time, so a small pass (a site of a few dozen AGVs) ends
 * within the call, as if it ran in one piece.
 * Resolves with the generator's return value once it is done; rejects if a step throws. `settled` is called in the
 * same turn as the last step (a promise would only tell a turn later): a timer loop that schedules its next pass
 * there keeps its rhythm under a manual clock too.
 */
export function runInSlices<T>(steps: Generator<unknown, T>, budgetMs: number, minSteps = 256, settled?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const slice = (): void => {
      const started = performance.now();
      try {
        for (let n = 1; ; n++) {
          const step = steps.next();
          if (step.done === true) {
            settled?.();
            resolve(step.value);
            return;
          }
          if (n >= minSteps && performance.now() - started >= budgetMs) break;
        }
      } catch (err) {
        settled?.();
        reject(err);
        return;
      }
      setImmediate(slice);
    };
    slice();
  });
}

/** Runs a generator to its end at once (what runInSlices does without pausing). */
export function runToEnd<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

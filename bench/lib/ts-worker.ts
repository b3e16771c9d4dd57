// Worker threads do not inherit tsx's loader, so a TypeScript worker entry is imported after registering it.
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function tsWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

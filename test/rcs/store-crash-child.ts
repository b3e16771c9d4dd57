// Child process for the kill -9 test: writes tasks and registry rows as fast as it can and prints each id only
// after the write returned (i.e. was acknowledged), until its parent kills it.

import { systemClock } from '../../src/core/clock.ts';
import { openStore } from '../../src/rcs/store/index.ts';
import { TaskService } from '../../src/rcs/tasks/index.ts';
import { loadSiteMap } from '../../src/rcs/site/index.ts';
import { readFileSync } from 'node:fs';

const [dbPath, sitePath] = process.argv.slice(2) as [string, string];
const site = loadSiteMap(JSON.parse(readFileSync(sitePath, 'utf8')));
const store = openStore({ path: dbPath });
const tasks = new TaskService({ store, site, clock: systemClock });

for (let i = 0; ; i++) {
  const agvId = `agv-${i % 7}`;
  await store.agvs.upsertSeen({ id: agvId, at: Date.now(), vendor: 'acme', lastNode: `n${i}` });
  const { task } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-01', priority: i % 10 }, `key-${i}`);
  await tasks.assign(task.id, agvId);
  process.stdout.write(`ack ${task.id} ${agvId} n${i}\n`);
}

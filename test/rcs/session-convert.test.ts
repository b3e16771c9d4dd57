import { describe, expect, it } from 'vitest';
import { SPECIAL } from '../../src/protocol/index.ts';
import { EXAMPLE_STATUS } from '../../src/protocol/examples.ts';
import { statusFromReport } from '../../src/rcs/session/convert.ts';
import { SiteNumbering } from '../../src/rcs/session/site-numbering.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../../src/rcs/site/index.ts';

describe('status conversion at the session boundary', () => {
  it('turns wire units into platform units, including the localisation score the alarms watch', async () => {
    const numbering = new SiteNumbering(await readSiteMapFile(DEMO_WAREHOUSE_PATH));
    const status = statusFromReport({ ...EXAMPLE_STATUS, lastNodeId: 1 }, numbering, 5000);
    expect(status.x).toBeCloseTo(12.5);
    expect(status.battery).toBeCloseTo(87.3);
    expect(status.localisationScore).toBeCloseTo(0.97);
    expect(status.lastNodeId).toBe(numbering.site.nodes[0]!.id);
  });

  it('keeps an unknown localisation score unknown rather than zero', async () => {
    const numbering = new SiteNumbering(await readSiteMapFile(DEMO_WAREHOUSE_PATH));
    const status = statusFromReport({ ...EXAMPLE_STATUS, localisationScore: SPECIAL.UNKNOWN_U8 }, numbering, 5000);
    expect(status.localisationScore).toBeUndefined();
  });
});

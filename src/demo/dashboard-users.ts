import type { Role } from '../rcs/auth/roles.ts';

/** Dashboard users for demos and local runs: print them with the URL, never use them on a real site. */
export const DEMO_DASHBOARD_USERS: { username: string; password: string; role: Role }[] = [
  { username: 'admin', password: 'unifleet-admin', role: 'admin' },
  { username: 'operator', password: 'unifleet-operator', role: 'operator' },
  { username: 'viewer', password: 'unifleet-viewer', role: 'viewer' },
];

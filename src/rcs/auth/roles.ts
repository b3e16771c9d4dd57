import type { Role } from '../store/types.ts';

export type { Role };
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Roles are ordered: an admin may do what an operator may, an operator what a viewer may. */
export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

/** Who made a request. API keys produce one today; dashboard logins will produce them too. */
export interface Principal {
  kind: string;
  id: string;
  name: string;
  role: Role;
}

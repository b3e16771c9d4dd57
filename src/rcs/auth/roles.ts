import type { Role } from '../store/types.ts';

export type { Role };
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Roles are ordered: an admin may do what an operator may, an operator what a viewer may. */
export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

/**
 * Who made a request: an API key (upper systems, scripts) or a dashboard user logged in with a password. Both carry
 * one of the same roles, so every route checks them alike.
 */
export interface Principal {
  kind: 'api-key' | 'user';
  id: string;
  name: string;
  role: Role;
}

export { ROLES, roleAllows, type Principal, type Role } from './roles.ts';
export { ApiKeyAuth, ensureDemoKey, type IssuedKey } from './api-keys.ts';

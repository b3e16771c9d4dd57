export { ROLES, roleAllows, type Principal, type Role } from './roles.ts';
export { ApiKeyAuth, ensureDemoKey, type IssuedKey } from './api-keys.ts';
export { UserStore, AuthError, type User } from './users.ts';
export { Logins, type LoginResult } from './logins.ts';
export { hashPassword, verifyPassword } from './passwords.ts';

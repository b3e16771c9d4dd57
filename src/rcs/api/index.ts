export { buildApi, API_PREFIX, type ApiDeps } from './server.ts';
export { ApiError } from './errors.ts';
export { requireRole, apiKeyAuthenticator, type Authenticator } from './auth-hooks.ts';
export { emptyFleetView, type AgvView, type AgvPose, type FleetView, type FleetFilter, type AgvConnection, type AgvSecurityMode } from './fleet-view.ts';

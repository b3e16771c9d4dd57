export { GatewayPool, type GatewayPoolOptions } from './gateway-pool.ts';

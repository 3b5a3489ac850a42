import { parseConfig, type GatewayConfig } from './config.schema';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** The only place the gateway reads process.env. */
export function loadConfigFromEnv(overrides: Partial<Record<string, string>> = {}): GatewayConfig {
  return parseConfig({ ...process.env, ...overrides });
}

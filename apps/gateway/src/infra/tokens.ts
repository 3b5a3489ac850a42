/** Injection tokens for the process-wide clients. */
export const DB = Symbol('DB');
export const REDIS = Symbol('REDIS');
export const LOGGER = Symbol('LOGGER');

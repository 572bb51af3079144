// @ts-check
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** @typedef {'silent' | 'error' | 'info' | 'debug'} LogLevel */

/**
 * @typedef {object} ServerConfig
 * @property {number} port 0 picks a free port (tests).
 * @property {string} host
 * @property {string} root Absolute path of the built app (dist/).
 * @property {LogLevel} logLevel
 * @property {number} headersTimeoutMs A client must finish sending its headers within this; cuts off slowloris.
 * @property {number} requestTimeoutMs
 * @property {number} keepAliveTimeoutMs
 * @property {number} shutdownTimeoutMs How long SIGTERM waits for in-flight responses before cutting them.
 * @property {string[]} [pacsOrigins] DICOMweb servers on other origins the page may connect to (CSP connect-src).
 */

/** The server package directory (server/). */
export const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** `npm run build` writes the app here; the server serves it unless ROOT says otherwise. */
export const DEFAULT_ROOT = path.resolve(SERVER_DIR, '..', 'dist');

/** @type {readonly LogLevel[]} */
export const LOG_LEVELS = ['silent', 'error', 'info', 'debug'];

export class ConfigError extends Error {
  /** @param {string} variable @param {string} problem */
  constructor(variable, problem) {
    super(`environment variable ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 */
function intFrom(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

/**
 * PACS_ORIGINS: the DICOMweb servers ("Open from PACS") on another origin than the app, space- or
 * comma-separated origins (scheme, host, port; no path). Only these are added to connect-src: the page
 * stays unable to send anything anywhere else.
 * @param {NodeJS.ProcessEnv} env
 * @returns {string[]}
 */
function originsFrom(env) {
  const raw = env.PACS_ORIGINS ?? '';
  return raw.split(/[\s,]+/).filter(Boolean).map((o) => {
    let url;
    try {
      url = new URL(o);
    } catch {
      throw new ConfigError('PACS_ORIGINS', `must list origins like https://pacs.example.org:8042, got ${JSON.stringify(o)}`);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== o.replace(/\/$/, ''))
      throw new ConfigError('PACS_ORIGINS', `must list origins (http or https, host, optional port, no path), got ${JSON.stringify(o)}`);
    return url.origin;
  });
}

/**
 * Reads the server's settings from the environment, failing with the variable's name on bad input.
 * @param {NodeJS.ProcessEnv} env
 * @returns {ServerConfig}
 */
export function readConfig(env) {
  const level = env.LOG_LEVEL === undefined || env.LOG_LEVEL === '' ? 'info' : env.LOG_LEVEL;
  if (!LOG_LEVELS.includes(/** @type {LogLevel} */ (level)))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  const headersTimeoutMs = intFrom(env, 'HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  // Node insists headersTimeout <= requestTimeout.
  const requestTimeoutMs = intFrom(env, 'REQUEST_TIMEOUT_MS', Math.max(30_000, headersTimeoutMs), headersTimeoutMs, 3_600_000);
  return {
    port: intFrom(env, 'PORT', 8080, 0, 65_535),
    host: env.HOST || '0.0.0.0',
    root: path.resolve(env.ROOT || DEFAULT_ROOT),
    logLevel: /** @type {LogLevel} */ (level),
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: intFrom(env, 'KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    // Docker sends SIGKILL 10 s after SIGTERM; finish (or give up) before that.
    shutdownTimeoutMs: intFrom(env, 'SHUTDOWN_TIMEOUT_MS', 8_000, 100, 600_000),
    pacsOrigins: originsFrom(env),
  };
}

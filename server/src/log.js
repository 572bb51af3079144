// @ts-check

/** @typedef {import('./config.js').LogLevel} LogLevel */
/** @typedef {(msg: string, fields?: Record<string, unknown>) => void} LogFn */
/** @typedef {{ error: LogFn, info: LogFn, debug: LogFn, enabled: (level: Exclude<LogLevel, 'silent'>) => boolean }} Logger */

const RANK = { silent: 0, error: 1, info: 2, debug: 3 };

/**
 * One JSON object per line, so log shippers (CloudWatch, docker logs | jq) need no parsing rules.
 * @param {LogLevel} level
 * @param {(line: string) => void} [write]
 * @returns {Logger}
 */
export function createLogger(level, write = (line) => void process.stdout.write(line)) {
  const max = RANK[level];
  /** @param {Exclude<LogLevel, 'silent'>} lvl @returns {LogFn} */
  const at = (lvl) => (msg, fields) => {
    if (RANK[lvl] <= max) write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
  };
  return { error: at('error'), info: at('info'), debug: at('debug'), enabled: (lvl) => RANK[lvl] <= max };
}

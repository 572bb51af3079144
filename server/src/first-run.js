// @ts-check
// What `npm start` tells a person at start-up: where the app is, and which model it serves or how to get one.
import fs from 'node:fs';
import path from 'node:path';
import { checkReadiness, MODEL_DIR } from './health.js';

/** @typedef {{ ways: { command: string, what: string }[], then: string, localModel: string }} GetAModel */

/** @type {GetAModel} */
export const GET_A_MODEL = JSON.parse(fs.readFileSync(new URL('./get-a-model.json', import.meta.url), 'utf8'));

/**
 * The address to open: a wildcard host is reachable as localhost.
 * @param {string} host
 * @param {number} port
 */
export function browserUrl(host, port) {
  const name = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}/`;
}

/**
 * @param {{ host: string, port: number, root: string }} where
 * @returns {Promise<string>}
 */
export async function startupMessage(where) {
  const url = browserUrl(where.host, where.port);
  const readiness = await checkReadiness(where.root);
  if (readiness.ready) return `RespiDetect: open ${url} (model ${readiness.modelId ?? 'without an id'})\n`;
  const width = Math.max(...GET_A_MODEL.ways.map((w) => w.command.length));
  return [
    // Nothing there at all is the usual first run; anything else (a broken export) is worth its detail.
    /^no model deployed/.test(readiness.reason)
      ? `RespiDetect: open ${url} (no model deployed: nothing in ${path.join(where.root, MODEL_DIR)}${path.sep})`
      : `RespiDetect: open ${url} (no model deployed: ${readiness.reason}${readiness.missing ? `: ${readiness.missing.join(', ')}` : ''})`,
    'To get a model, run one of these in the project folder, then npm start again:',
    ...GET_A_MODEL.ways.map((w) => `  ${w.command.padEnd(width)}   ${w.what}`),
    `or, in the page, "${GET_A_MODEL.localModel}" with a model.json, its .bin shards and metadata.json.`,
    '',
  ].join('\n');
}

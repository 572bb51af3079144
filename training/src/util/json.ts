import { readFileSync } from 'node:fs';

/** Reads a JSON file a previous stage wrote; a missing or broken file says which stage to run. */
export function readJsonFile<T>(path: string, hint: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`${path} is missing: ${hint}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}): ${hint}`, { cause: err });
  }
}

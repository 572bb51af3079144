// @ts-check
// Entry point: `npm run start -w server` (or the Docker image's CMD). Everything else lives in app.js.
import { readConfig } from './config.js';
import { startServer } from './app.js';

try {
  const running = await startServer(readConfig(process.env));
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
    process.once(signal, () => {
      void running.shutdown(signal).then(({ clean }) => process.exit(clean ? 0 : 1));
    });
  }
} catch (err) {
  process.stderr.write(`respidetect server: ${/** @type {Error} */ (err).message}\n`);
  process.exit(2);
}

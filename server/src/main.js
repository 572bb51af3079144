// @ts-check
// Entry point: `npm run start -w server` (or the Docker image's CMD). Everything else lives in app.js.
import { readConfig } from './config.js';
import { startServer } from './app.js';
import { startupMessage } from './first-run.js';

try {
  const config = readConfig(process.env);
  const running = await startServer(config);
  // For the person who ran `npm start`: stderr, so stdout stays one JSON log line per event.
  process.stderr.write(await startupMessage({ host: config.host, port: running.port, root: config.root }));
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
    process.once(signal, () => {
      void running.shutdown(signal).then(({ clean }) => process.exit(clean ? 0 : 1));
    });
  }
} catch (err) {
  process.stderr.write(`respidetect server: ${/** @type {Error} */ (err).message}\n`);
  process.exit(2);
}

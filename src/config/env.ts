/**
 * The only environment the app reads: Vite's build-time values (import.meta.env), in one place.
 * The app has no runtime environment variables; the server's are read in server/src/config.js.
 */

/** The app's base path ('/' unless built with --base). */
export const BASE_URL: string = import.meta.env.BASE_URL;
/** A production build (the dev server has no service worker). */
export const IS_PRODUCTION_BUILD: boolean = import.meta.env.PROD;

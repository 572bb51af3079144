/**
 * Where a site serves its model: the folder under the site root (dist/model/ in the build and the
 * image, /model/ over HTTP). The app's loader, the image bake, the test kit and the benches take it
 * from here; the server (plain JS, no build step) keeps a copy that a server test pins to this one.
 * Where training writes the model is params.yaml's export.out_dir (public/model, which Vite copies).
 */
export const MODEL_DIR = 'model';

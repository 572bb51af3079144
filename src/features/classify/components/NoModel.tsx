/**
 * The first page when no model is deployed: a model from this computer right here, and the three
 * ways to put one behind the site. The commands come from server/src/get-a-model.json, which the
 * server's start-up line prints too, so the page, `npm start` and README say the same.
 */
import getAModel from '../../../../server/src/get-a-model.json';
import { LocalModelLoader } from './LocalModelLoader';

export function NoModel({ detail, onLoadModel }: { detail?: string; onLoadModel: (files: File[]) => Promise<string> }) {
  return (
    <section className="notice" data-testid="no-model" role="alert">
      <h2>No model is deployed</h2>
      <p>
        This site has no trained model yet (<code>model/model.json</code> and <code>model/metadata.json</code> were not found). You can still classify
        images here with a model you have on this computer:
      </p>
      <LocalModelLoader onFiles={onLoadModel} disabled={false} open />
      <p>To put a model behind this site, run one of these in the project folder:</p>
      <ul data-testid="get-a-model">
        {getAModel.ways.map((w) => (
          <li key={w.command}>
            <code>{w.command}</code> — {w.what}
          </li>
        ))}
      </ul>
      <p>
        Then rebuild and restart the app (<code>{getAModel.then}</code>).
      </p>
      {detail ? <p className="muted">{detail}</p> : null}
    </section>
  );
}

export function NoModel({ detail }: { detail?: string }) {
  return (
    <section className="notice" data-testid="no-model" role="alert">
      <h2>No model is deployed</h2>
      <p>
        This site has no trained model yet (<code>model/model.json</code> and <code>model/metadata.json</code> were not found), so it
        cannot classify images.
      </p>
      <p>To train one and deploy it into <code>public/model/</code>, run from the project folder:</p>
      <ul>
        <li>
          <code>npm run pipeline</code> — the full pipeline (dataset, VGG16 transfer learning, evaluation, export), or
        </li>
        <li>
          <code>npm run train -- --data &lt;folder&gt;</code> — a quick model from a folder with one sub-folder of images per class.
        </li>
      </ul>
      <p>Then rebuild and restart the app (<code>npm start</code>).</p>
      {detail ? <p className="muted">{detail}</p> : null}
    </section>
  );
}

/**
 * Every environment variable training reads, in one place. Each is read when asked, not at import,
 * so a parent process (pipeline, tests, benches) can set it before a stage runs. Parsers that tests
 * drive with their own variables (Kaggle credentials, MLflow HTTP options, source endpoints) take an
 * `env` object whose default is `processEnv()`.
 *
 *   RESPIDETECT_QUIET=1           no progress bars            RESPIDETECT_DEBUG      stack traces on errors
 *   RESPIDETECT_WEIGHTS_DIR       VGG16 weights cache         RESPIDETECT_FEATURES_DIR  feature cache
 *   TFJS_BACKEND                  wasm | cpu | tensorflow      CHEST_CT_DIR, IQ_OTHNCCD_DIR  shared data sets
 *   MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME, MLFLOW_HTTP_REQUEST_*, MLFLOW_TRACKING_{USERNAME,PASSWORD,TOKEN,INSECURE_TLS}
 *   DVC_STAGE, DVC_EXP_NAME       tags on the MLflow run       USER   the run's user when the OS cannot say
 *   KAGGLE_USERNAME, KAGGLE_KEY, KAGGLE_CONFIG_DIR; RESPIDETECT_GDRIVE_URL, RESPIDETECT_KAGGLE_API (test endpoints)
 */
export type Env = NodeJS.ProcessEnv;

/** This process's environment: the default for parsers that take an `env`. */
export const processEnv = (): Env => process.env;

const get = (name: string): string | undefined => process.env[name];

export const env = {
  quiet: (): boolean => get('RESPIDETECT_QUIET') === '1',
  debug: (): boolean => Boolean(get('RESPIDETECT_DEBUG')),
  weightsDir: (): string | undefined => get('RESPIDETECT_WEIGHTS_DIR'),
  featuresDir: (): string | undefined => get('RESPIDETECT_FEATURES_DIR'),
  tfjsBackend: (): string | undefined => get('TFJS_BACKEND'),
  chestCtDir: (): string | undefined => get('CHEST_CT_DIR'),
  iqOthnccdDir: (): string | undefined => get('IQ_OTHNCCD_DIR'),
  mlflowTrackingUri: (): string | undefined => get('MLFLOW_TRACKING_URI'),
  /** Empty counts as unset. */
  mlflowExperimentName: (): string | undefined => get('MLFLOW_EXPERIMENT_NAME') || undefined,
  user: (): string | undefined => get('USER'),
  dvcStage: (): string | undefined => get('DVC_STAGE'),
  dvcExpName: (): string | undefined => get('DVC_EXP_NAME'),
};

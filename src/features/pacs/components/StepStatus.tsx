/** The step running (with its progress) and the last step's failure, with the parser's details folded away. */
import { progressText } from '../logic/format';
import type { Problem, Progress } from '../logic/session-types';

export function StepStatus({ busy, progress, problem }: { busy: string | null; progress: Progress | null; problem: Problem | null }) {
  return (
    <>
      {busy ? (
        <p role="status" data-testid="pacs-busy">
          {busy}
          {progressText(progress)}
        </p>
      ) : null}
      {problem ? (
        <div role="alert" className="error-text" data-testid="pacs-error" data-kind={problem.kind}>
          <p>{problem.message}</p>
          {problem.details ? (
            <details>
              <summary>Details</summary>
              <code>{problem.details}</code>
            </details>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

/** How the adaptation split the picked images: per part and class, by content group (the contract's split rule). Test ids: adapt-split, adapt-refusal. */
import { classLabel, PART_NAMES, type Split } from '@respidetect/contract';
import type { AdaptSplitMessage } from '../../../lib/worker-protocol/adapt';

export function SplitTable({ s, classNames }: { s: AdaptSplitMessage; classNames: string[] }) {
  const parts: Split[] = ['train', 'val', 'test'];
  return (
    <div data-testid="adapt-split">
      <table>
        <thead>
          <tr>
            <th>Part</th>
            {classNames.map((c) => (
              <th key={c}>{classLabel(c)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {parts.map((p) => (
            <tr key={p} data-part={PART_NAMES[p]}>
              <td>{PART_NAMES[p]}</td>
              {classNames.map((c) => (
                <td key={c}>{s.counts[p][c] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Split as training splits: by content group ({s.groups} groups; {s.exactRedundantCopies} exact copies counted once; {s.nearGroups} groups of near copies kept on one side
        {s.labelConflicts ? `; ${s.labelConflicts} groups filed under two classes left out` : ''}).
      </p>
      {s.refusal ? (
        <p role="alert" className="error-text" data-testid="adapt-refusal">
          {s.refusal}
        </p>
      ) : null}
    </div>
  );
}

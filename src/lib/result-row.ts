/**
 * A classified file as one row: what the results table shows (features/classify's Row adds its
 * own state) and what an export writes (features/exports), named once for both.
 */
export interface ResultRow {
  name: string;
  /** Predicted class id, when there is a prediction. */
  className: string | null;
  probability: number | null;
  uncertain: boolean;
  probabilities: number[] | null;
  oodScore: number | null;
  /** "Chest CT unlike this model's training data: OOD score … > threshold …", beside the prediction. */
  warning: string | null;
  message: string | null;
  sha256: string | null;
}

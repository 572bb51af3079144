/**
 * The default data.source: the public Google Drive zip of the 2-class "Chest-CT-Scan-data" set
 * (adenocarcinoma/ + normal/, the Kaggle chest CT set's train folders), which needs no account.
 * Its expected content is in data/sources/known.ts. Kept here so every stage's params can name
 * it without depending on the data code.
 */
export const CHEST_CT_2CLASS_GDRIVE = 'gdrive:1z0mreUtRmR-P-magILsDR3T7M6IkGXtY';

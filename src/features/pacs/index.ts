/**
 * Open from PACS: a DICOMweb server searched, a CT series retrieved into this page and classified in
 * the page's queue, the report (DICOM SR) sent back by STOW-RS or saved. What src/app wires:
 *
 *   <PacsPage meta ready classify={(files) => Promise<ClassifiedFile[]>} software />
 *
 * The protocol parts are the contract's (`dicomweb/`, `dicom/sr.ts`), so the CLI can reuse them;
 * logic/client.ts is the page's fetch around them.
 */
export { PacsPage, type PacsPageProps } from './components/PacsPage';
export type { ClassifiedFile } from './logic/report';

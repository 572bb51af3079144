/**
 * What a PACS on another origin must send for this page to read it: the one place the header lines
 * are spelled out for the page (README and deploy/pacs/nginx-cors.conf show the same lines).
 */
export const CORS_ALLOW_HEADERS = 'Authorization, Accept, Content-Type';
export const CORS_ALLOW_METHODS = 'GET, POST, OPTIONS';

export function corsHelp(pageOrigin: string, pacsOrigin: string): string {
  return (
    `Either nothing answers there (check the address, the port and that the PACS is running), or the PACS answered without permission for this page: ` +
    `on every answer it must send "Access-Control-Allow-Origin: ${pageOrigin}", and answer the browser's OPTIONS preflight with ` +
    `"Access-Control-Allow-Methods: ${CORS_ALLOW_METHODS}" and "Access-Control-Allow-Headers: ${CORS_ALLOW_HEADERS}". ` +
    `Orthanc sends none of these itself: put nginx in front of it (README, "Open from PACS"), or serve ${pacsOrigin}'s DICOMweb under this site's address.`
  );
}

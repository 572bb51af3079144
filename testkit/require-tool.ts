/**
 * The CI rule for anything a test needs from the machine (a binary, a data set, a CLI): present, the
 * test runs; missing, it is a visible skip on a workstation and a failure under CI=true, where CI
 * installs everything (.ci/run, .github/workflows/ci.yml). One place, so no test invents its own skip.
 */
export const IN_CI = process.env.CI === 'true';

/**
 * @param what the tests that need it (for the message)
 * @param name the tool or file that is missing
 * @param present whether it is there
 * @param install how to get it
 * @returns `present`; throws instead of returning false under CI=true
 */
export function requireTool(what: string, name: string, present: boolean, install: string): boolean {
  if (present) return true;
  const message = `${what}: ${name} is missing (${install})`;
  if (IN_CI) throw new Error(`CI=true: ${message}`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

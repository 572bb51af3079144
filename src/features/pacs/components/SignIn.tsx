/** The PACS sign-in: none, user name and password, or a bearer token; remembered only when asked. */
import { emptyAuth } from '../logic/format';
import type { PacsSession } from '../logic/use-pacs-session';

export function SignIn({ connection }: { connection: PacsSession['connection'] }) {
  const { auth, setAuth, keepAuth, setKeepAuth } = connection;
  return (
    <fieldset>
      <legend>Sign-in</legend>
      <select data-testid="pacs-auth-kind" aria-label="Sign-in" value={auth.kind} onChange={(e) => setAuth(emptyAuth(e.target.value))}>
        <option value="none">None</option>
        <option value="basic">User name and password</option>
        <option value="bearer">Bearer token</option>
      </select>
      {auth.kind === 'basic' ? (
        <>
          <input data-testid="pacs-user" aria-label="User name" autoComplete="username" value={auth.user} onChange={(e) => setAuth({ ...auth, user: e.target.value })} />
          <input data-testid="pacs-password" aria-label="Password" type="password" autoComplete="current-password" value={auth.password} onChange={(e) => setAuth({ ...auth, password: e.target.value })} />
        </>
      ) : null}
      {auth.kind === 'bearer' ? <input data-testid="pacs-token" aria-label="Bearer token" type="password" value={auth.token} onChange={(e) => setAuth({ ...auth, token: e.target.value })} /> : null}
      {auth.kind !== 'none' ? (
        <label>
          <input data-testid="pacs-remember" type="checkbox" checked={keepAuth} onChange={(e) => setKeepAuth(e.target.checked)} /> Remember on this computer (stored in this
          browser, unencrypted)
        </label>
      ) : null}
    </fieldset>
  );
}

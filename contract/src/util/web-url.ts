/**
 * URL and URLSearchParams exist in every runtime the contract runs in (browsers, workers, Node ≥ 10),
 * but their types come from the DOM or Node libraries, which the contract may not see; so they are
 * reached through globalThis with the members used (as utf8.ts does for TextDecoder).
 */
export interface WebUrl {
  readonly protocol: string;
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  readonly username: string;
  readonly password: string;
}
export interface WebSearchParams {
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  toString(): string;
}
const g = globalThis as unknown as { URL: new (text: string) => WebUrl; URLSearchParams: new () => WebSearchParams };
export const parseUrl = (text: string): WebUrl => new g.URL(text);
export const searchParams = (): WebSearchParams => new g.URLSearchParams();

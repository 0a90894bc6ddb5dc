/**
 * The store as the async ports see it (issue #16: every repository method returns a promise of
 * what it returns today, `close()` a promise too). Derived from `Store`, so it follows the ports'
 * names and arguments; once the ports themselves are async it is `Store` itself, and this file
 * shrinks to the SQLite wrapper or goes.
 */
import type { Store } from '../core/ports.ts';

/** The same methods, each returning a promise of its result (already-async ones unchanged). */
export type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

type Repositories = Omit<Store, 'close'>;

export type AsyncStore = { readonly [K in keyof Repositories]: Async<Repositories[K]> } & { close(): Promise<void> };

const REPOSITORIES = [
  'datasets',
  'models',
  'segments',
  'explanations',
  'retention',
  'audit',
  'subscribers',
  'digests',
  'campaigns',
  'contacts',
  'updateClaims',
] as const satisfies readonly (keyof Repositories)[];

// Compile-time check that the list names every repository of the Store.
type Missing = Exclude<keyof Repositories, (typeof REPOSITORIES)[number]>;
const everyRepository: [Missing] extends [never] ? true : Missing = true;
void everyRepository;

/** A repository whose methods answer through promises: a rejected promise instead of a throw. */
function promised<T extends object>(repo: T): Async<T> {
  return new Proxy(repo, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? async (...args: unknown[]) => value.apply(target, args) : value;
    },
  }) as Async<T>;
}

/** The synchronous SQLite store behind the async ports (until its repositories are async themselves). */
export function asyncStore(store: Store): AsyncStore {
  const repos = Object.fromEntries(REPOSITORIES.map((k) => [k, promised(store[k])]));
  return { ...repos, close: async () => store.close() } as AsyncStore;
}

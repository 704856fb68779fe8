// Compiled by tests/typecheck.test.ts (tests/typecheck/tsconfig.json) after `npm run build`: the AppRouter the client
// package declares (generated from the router's zod schemas) against the server's own, for every procedure, as a
// client sees them. A path named in an error below is a procedure on which the two disagree.
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter as Server } from '../../server/root-router.ts';
import type { AppRouter as Package } from '../../shared/dist/app-router.d.ts';

/** Each assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** A router's own record (a built router's procedures are under `_def.record`). */
type RecordOf<R> = R extends { _def: { record: infer Record } } ? Record : R;
/** Every procedure's dotted path. */
type Paths<R, Prefix extends string = ''> = {
  [K in keyof RecordOf<R> & string]: RecordOf<R>[K] extends { _def: { procedure: true } } ? `${Prefix}${K}` : Paths<RecordOf<R>[K], `${Prefix}${K}.`>;
}[keyof RecordOf<R> & string];
/** The value at a dotted path. */
type At<T, Path extends string> = Path extends `${infer Head}.${infer Rest}` ? At<T[Head & keyof T], Rest> : T[Path & keyof T];
type Procedure<R, Path extends string> = At<RecordOf<R>, Path>;
type Kind<R, Path extends string> = Procedure<R, Path> extends { _def: { type: infer T } } ? T : never;

type All = Paths<Server>;
type KindDrift = { [P in All]: Same<Kind<Server, P>, Kind<Package, P>> extends true ? never : P }[All];
type InputDrift = { [P in All]: Same<At<inferRouterInputs<Server>, P>, At<inferRouterInputs<Package>, P>> extends true ? never : P }[All];
/** Outputs the package still types `unknown` (a procedure without `.output`; the build fails on those unless allowed) are skipped. */
type OutputDrift = {
  [P in All]: unknown extends At<inferRouterOutputs<Package>, P> ? never : Same<At<inferRouterOutputs<Server>, P>, At<inferRouterOutputs<Package>, P>> extends true ? never : P;
}[All];

/** Compiles only for `never`: otherwise the error lists the paths. */
function none<_Drift extends never>(): void {}

none<Exclude<Paths<Package>, All> | Exclude<All, Paths<Package>>>();
none<KindDrift>();
none<InputDrift>();
none<OutputDrift>();
export const sameErrors: Same<inferRouterError<Server>, inferRouterError<Package>> = true;

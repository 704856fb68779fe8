import { readFileSync } from 'node:fs';
import path from 'node:path';
import { init, parse } from 'es-module-lexer';

export type RuntimeImports = {
  /** Every source file the entry points load, transitively (absolute paths). */
  files: Set<string>;
  /** Each bare specifier (package or builtin) with the files that import it, relative to root. */
  bare: Map<string, Set<string>>;
  /** Imports whose target cannot be known without running the code (a computed `import(x)`). */
  unresolved: string[];
};

/**
 * The modules Node loads from the given entry points, read as Node's type stripping reads them: es-module-lexer lexes the
 * TypeScript, and type-only imports (erased at run time) are left out. Relative imports are followed; bare ones collected.
 */
export async function runtimeImports(root: string, entries: readonly string[]): Promise<RuntimeImports> {
  await init();
  const result: RuntimeImports = { files: new Set(), bare: new Map(), unresolved: [] };
  const queue = entries.map((e) => path.resolve(root, e));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (result.files.has(file)) continue;
    result.files.add(file);
    if (!file.endsWith('.ts')) continue;
    const [imports] = parse(readFileSync(file, 'utf8'), file);
    for (const i of imports) {
      if (i.type === 'import-meta' || (i.type === 'dynamic' ? i.probablyTypeOnly : i.typeOnly)) continue;
      const from = path.relative(root, file);
      if (typeof i.specifier !== 'string' || (i.type === 'dynamic' && i.glob)) result.unresolved.push(`${from}: import(${i.specifier ?? '…'})`);
      else if (i.specifier.startsWith('.')) queue.push(path.resolve(path.dirname(file), i.specifier));
      else (result.bare.get(i.specifier) ?? result.bare.set(i.specifier, new Set()).get(i.specifier)!).add(from);
    }
  }
  return result;
}

/** The package a bare specifier names: `hono/cors` → `hono`, `@trpc/server/http` → `@trpc/server`. */
export const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

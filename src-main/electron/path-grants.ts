/**
 * The paths the user handed the app: files and folders dropped on the window (the preload
 * reports them as Electron turns the dropped File objects into paths) and folders picked in the
 * system dialog. Main imports from, and exports to, these only: a renderer that was made to run
 * someone else's script can call the API, but it cannot drop files or click through a dialog,
 * so it cannot make main read or write any other path.
 */
import path from 'node:path';

export type GrantKind = 'dropped' | 'chosen-folder';

export class PathGrants {
  readonly #granted = new Map<GrantKind, Set<string>>([
    ['dropped', new Set()],
    ['chosen-folder', new Set()],
  ]);

  grant(kind: GrantKind, paths: readonly string[]): void {
    for (const p of paths)
      if (typeof p === 'string' && path.isAbsolute(p)) this.#granted.get(kind)!.add(path.resolve(p));
  }

  /** Whether `p` is exactly a path the user gave for this purpose (not one inside or beside it). */
  allows(kind: GrantKind, p: unknown): boolean {
    return typeof p === 'string' && path.isAbsolute(p) && this.#granted.get(kind)!.has(path.resolve(p));
  }
}

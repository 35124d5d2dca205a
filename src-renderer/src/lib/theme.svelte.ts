/** Dark or light: remembered in localStorage, else following prefers-color-scheme. */
export type ThemeName = 'dark' | 'light';
const KEY = 'gmvae.theme';

class Theme {
  name = $state<ThemeName>('light');
  /** Bumped on every change, so canvases (charts) can redraw with the new colours. */
  revision = $state(0);

  constructor() {
    const saved = localStorage.getItem(KEY);
    const prefersDark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
    this.name = saved === 'dark' || saved === 'light' ? saved : prefersDark ? 'dark' : 'light';
    this.#apply();
  }

  set(name: ThemeName): void {
    this.name = name;
    localStorage.setItem(KEY, name);
    this.#apply();
  }

  toggle(): void {
    this.set(this.name === 'dark' ? 'light' : 'dark');
  }

  #apply(): void {
    document.documentElement.dataset.theme = this.name;
    document.documentElement.style.colorScheme = this.name;
    this.revision++;
  }
}

export const theme = new Theme();

/** A CSS custom property of the current theme, for canvas drawing. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

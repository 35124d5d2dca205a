/** Examples fetched for hovering, cached (a pointer sweeping over a scatter asks for many). */
import { api } from './api.svelte.ts';

export interface Example {
  values: number[];
  label: number | null;
  shape: number[];
}

const cache = new Map<string, Promise<Example>>();

export function fetchExample(dataset: string, split: 'train' | 'test', index: number): Promise<Example> {
  const key = `${dataset}|${split}|${index}`;
  let p = cache.get(key);
  if (!p) {
    p = api.example({ dataset, split, index });
    p.catch(() => cache.delete(key));
    cache.set(key, p);
    if (cache.size > 2000) cache.delete(cache.keys().next().value!);
  }
  return p;
}

export function isImageShape(shape: readonly number[]): boolean {
  return shape.length === 3 || (shape.length === 2 && shape[0]! > 2);
}

export function labelName(label: number | null | undefined, names?: string[]): string {
  if (label === null || label === undefined) return '—';
  return names?.[label] ?? String(label);
}

/**
 * Colours for compared runs that stay with the run: each run takes the palette colour its id
 * points to, so adding or removing a run from the selection leaves the others' colours alone;
 * when two ids point to one colour, the later run takes the next free one. Pure, unit-tested.
 */
import { PALETTE } from '../charts/palette.ts';

export function runColours(ids: readonly number[]): Map<number, string> {
  const taken = new Set<number>();
  const out = new Map<number, string>();
  for (const id of [...ids].sort((a, b) => a - b)) {
    let slot = (((id - 1) % PALETTE.length) + PALETTE.length) % PALETTE.length;
    for (let tries = 0; taken.has(slot) && tries < PALETTE.length; tries++)
      slot = (slot + 1) % PALETTE.length;
    taken.add(slot);
    out.set(id, PALETTE[slot]!);
  }
  return out;
}

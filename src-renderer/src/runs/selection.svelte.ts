/**
 * The runs ticked for comparison, kept while the app runs: the Compare screen's "Change
 * selection" returns to the runs table with its runs still ticked.
 */
export const comparison = $state<{ ids: number[] }>({ ids: [] });

/** The hash routes of the app; pure, so the parser is unit-tested. */
export type Route =
  | { name: 'runs'; sweep?: number }
  | { name: 'sweeps' }
  | { name: 'run'; id: number }
  | { name: 'new'; from: number | null; dataset: string | null; epochs: number | null }
  | { name: 'compare'; ids: number[] }
  | { name: 'datasets'; selected: string | null }
  | { name: 'bench-scatter'; n: number }
  | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/runs';
  const [path = '', query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  const intParam = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : null);
  switch (parts[0]) {
    case undefined:
    case 'runs':
      if (parts.length === 1 || parts.length === 0) {
        const sweep = intParam(params.get('sweep'));
        return sweep === null ? { name: 'runs' } : { name: 'runs', sweep };
      }
      if (parts.length === 2 && /^\d+$/.test(parts[1]!)) return { name: 'run', id: Number(parts[1]) };
      break;
    case 'new':
      return {
        name: 'new',
        from: intParam(params.get('from')),
        dataset: params.get('dataset'),
        epochs: intParam(params.get('epochs')),
      };
    case 'compare': {
      const ids = (params.get('ids') ?? '')
        .split(',')
        .filter((s) => /^\d+$/.test(s))
        .map(Number);
      return { name: 'compare', ids: [...new Set(ids)] };
    }
    case 'sweeps':
      if (parts.length === 1) return { name: 'sweeps' };
      break;
    case 'datasets':
      return { name: 'datasets', selected: parts[1] ? decodeURIComponent(parts[1]) : null };
    case '_bench':
      if (parts[1] === 'scatter') return { name: 'bench-scatter', n: intParam(params.get('n')) ?? 10_000 };
      break;
  }
  return { name: 'not-found', path };
}

export const href = {
  runs: (opts: { sweep?: number } = {}) =>
    opts.sweep !== undefined ? `#/runs?sweep=${opts.sweep}` : '#/runs',
  sweeps: () => '#/sweeps',
  run: (id: number) => `#/runs/${id}`,
  /** `epochs`: a shorter run than the dataset's default (the empty state's first run). */
  newRun: (opts: { from?: number; dataset?: string; epochs?: number } = {}) => {
    const q = new URLSearchParams();
    if (opts.from !== undefined) q.set('from', String(opts.from));
    if (opts.dataset !== undefined) q.set('dataset', opts.dataset);
    if (opts.epochs !== undefined) q.set('epochs', String(opts.epochs));
    const s = q.toString();
    return s ? `#/new?${s}` : '#/new';
  },
  compare: (ids: number[]) => `#/compare?ids=${ids.join(',')}`,
  datasets: (selected?: string) => (selected ? `#/datasets/${encodeURIComponent(selected)}` : '#/datasets'),
};

/**
 * The mixture prior's Gaussian terms, one value per row and component: the K components
 * N(mu_k(w), s2_k(w)) of p(x|w,z) against the row's sample x (Bayes' rule for p(z|x,w)) or
 * against its posterior q(x|y) (the conditional prior's KL). x, mu_x, logvar_x: [B, Dx];
 * muK, logvarK: [B, K, Dx] -> [B, K].
 *
 * These are the step's largest elementwise work ([B, K, Dx] is 320,000 values for the MNIST
 * model): as tfjs ops each is about ten kernels forward and twenty backward. On a backend with
 * the fused kernels ('blas', backend/blas/component-kernel.ts) each runs as one kernel forward
 * and one backward, through tf.customGrad; elsewhere as the ops below, which define the values.
 */
import {
  COMPONENT_GAUSSIAN,
  COMPONENT_GAUSSIAN_GRAD,
  type ComponentAttrs,
  type ComponentMode,
} from '../backend/blas/component-kernel.ts';
import { tf, type Tensor2D, type Tensor3D } from '../tf.ts';
import { gaussianKl, logNormal } from './gaussian.ts';

const fusedAvailable = () =>
  tf.getKernel(COMPONENT_GAUSSIAN, tf.getBackend()) !== undefined &&
  tf.getKernel(COMPONENT_GAUSSIAN_GRAD, tf.getBackend()) !== undefined;

type CustomGradFunc = Parameters<typeof tf.customGrad>[0];

/** The fused kernel of `mode` as a differentiable op of a, la (mode 'kl' only), muK, logvarK. */
function fused(
  mode: ComponentMode,
  a: Tensor2D,
  la: Tensor2D | null,
  muK: Tensor3D,
  logvarK: Tensor3D,
): Tensor2D {
  const attrs = { mode } satisfies ComponentAttrs as unknown as tf.NamedAttrMap;
  const run = (inputs: tf.Tensor[], dy?: tf.Tensor) => {
    const [pa, pla, pmk, plk] = la === null ? [inputs[0]!, inputs[0]!, inputs[1]!, inputs[2]!] : inputs;
    const named = { a: pa!, la: pla!, muK: pmk!, logvarK: plk!, ...(dy ? { dy } : {}) };
    return tf.engine().runKernel(dy ? COMPONENT_GAUSSIAN_GRAD : COMPONENT_GAUSSIAN, named, attrs);
  };
  // customGrad passes the inputs, then `save`; its typing takes them as one union.
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const inputs = args as tf.Tensor[];
    save(inputs);
    return {
      value: run(inputs) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [da, dla, dmk, dlk] = run(saved, dy) as tf.Tensor[];
        if (la !== null) return [da!, dla!, dmk!, dlk!];
        dla!.dispose(); // zero: mode 'logDensity' has no la
        return [da!, dmk!, dlk!];
      },
    };
  }) as unknown as CustomGradFunc) as unknown as (...inputs: tf.Tensor[]) => tf.Tensor;
  return (la === null ? op(a, muK, logvarK) : op(a, la, muK, logvarK)) as Tensor2D;
}

/** log N(x | mu_k, diag exp(logvar_k)) for every component: [B, K]. */
export function componentLogDensity(x: Tensor2D, muK: Tensor3D, logvarK: Tensor3D): Tensor2D {
  if (fusedAvailable()) return fused('logDensity', x, null, muK, logvarK);
  return tf.tidy(() => logNormal<Tensor2D>(tf.expandDims(x, 1), muK, logvarK));
}

/** KL( N(mu_x, s2_x) || N(mu_k, s2_k) ) for every component, summed over Dx: [B, K]. */
export function componentKl(muX: Tensor2D, logvarX: Tensor2D, muK: Tensor3D, logvarK: Tensor3D): Tensor2D {
  if (fusedAvailable()) return fused('kl', muX, logvarX, muK, logvarK);
  return tf.tidy(
    () => tf.sum(gaussianKl(tf.expandDims(muX, 1), tf.expandDims(logvarX, 1), muK, logvarK), 2) as Tensor2D,
  );
}

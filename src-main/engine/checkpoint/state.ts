/**
 * Moving model and optimizer state in and out of StoredTensor lists, the form the store
 * keeps in a checkpoint. Order is the contract: weights are saved and restored in the fixed
 * order of the networks' layers (networkList), and Adam's slots in the order of the trainable
 * variables.
 */
import type { StoredTensor } from '../../common/run.ts';
import type { Gmvae } from '../model/gmvae.ts';
import { networkList } from '../model/networks.ts';
import { tf } from '../tf.ts';

const allWeights = (model: Gmvae) =>
  networkList(model.networks).flatMap((m) => m.weights.map((w) => ({ net: m.name, w })));

export async function captureWeights(model: Gmvae): Promise<StoredTensor[]> {
  return Promise.all(
    allWeights(model).map(async ({ net, w }) => ({
      name: `${net}/${w.originalName}`,
      shape: w.shape.slice() as number[],
      data: (await w.read().data()) as Float32Array,
    })),
  );
}

/**
 * Why a checkpoint lacks a network, for the messages of whoever restores it. Until 2026-12-02
 * checkpoints kept only the encoder, prior network and decoder, so a Shu run's q(x|y,z) network
 * was never saved; it comes last in networkList, so those checkpoints are the others' prefix.
 */
export const MISSING_POSTERIOR_NETWORK =
  "this checkpoint was written before Shu's posterior network q(x|y,z) was saved in checkpoints (fixed 2026-12-02)";

/**
 * Writes a checkpoint's weights into the model. Returns the networks the checkpoint lacks
 * (see MISSING_POSTERIOR_NETWORK), left as initialised; empty for a complete checkpoint. Any
 * other mismatch is an error.
 */
export function restoreWeights(model: Gmvae, stored: StoredTensor[]): string[] {
  let targets = allWeights(model);
  const posterior = model.networks.posteriorNetwork;
  const missing: string[] = [];
  if (posterior && stored.length === targets.length - posterior.weights.length) {
    targets = targets.filter(({ net }) => net !== posterior.name);
    missing.push(posterior.name);
  }
  if (targets.length !== stored.length)
    throw new Error(`checkpoint holds ${stored.length} weight tensors, the model has ${targets.length}`);
  targets.forEach(({ net, w }, i) => {
    const s = stored[i]!;
    if (s.shape.join('x') !== w.shape.join('x'))
      throw new Error(
        `checkpoint tensor ${s.name} has shape ${s.shape}, model ${net}/${w.originalName} wants ${w.shape}`,
      );
    // write() makes the variable share the new tensor's data: free our handle on it, or every
    // resume holds a second tensor per weight (tensor count and device memory up after --resume).
    const value = tf.tensor(s.data, s.shape);
    w.write(value);
    value.dispose();
  });
  return missing;
}

/**
 * Adam's bias-correction products beta1^t and beta2^t. AdamOptimizer keeps them as float32
 * variables multiplied by beta once per step, but its setWeights recomputes them as
 * pow(beta, iterations + 1), which rounds differently from the running product (by an ulp or
 * two after a few dozen steps). A resumed run then steps with a slightly different learning-rate
 * correction and drifts away from the uninterrupted one. So the products travel in the
 * checkpoint beside the slots and are put back after setWeights. Checkpoints written before
 * they were kept restore with pow, as before.
 */
const ACC_BETAS = ['adam/acc_beta1', 'adam/acc_beta2'] as const;

/** AdamOptimizer's private running products (see ACC_BETAS). */
interface AccBetas {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

const accBetaVariables = (optimizer: tf.Optimizer): tf.Variable[] => {
  const { accBeta1, accBeta2 } = optimizer as unknown as AccBetas;
  return accBeta1 && accBeta2 ? [accBeta1, accBeta2] : [];
};

/** Adam's state: its step counter, first and second moments per trainable variable, then beta1^t and beta2^t. */
export async function captureOptimizer(optimizer: tf.Optimizer): Promise<StoredTensor[]> {
  const named = await optimizer.getWeights();
  const slots = await Promise.all(
    named.map(async ({ name, tensor }, i) => ({
      name: `${i}:${name}`,
      shape: tensor.shape.slice() as number[],
      data: Float32Array.from((await tensor.data()) as ArrayLike<number>),
    })),
  );
  // getWeights() makes a new scalar for the step counter each call (the slots are the
  // optimizer's own variables): free it, or every checkpoint leaks a tensor.
  for (const { tensor } of named) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  const betas = await Promise.all(
    accBetaVariables(optimizer).map(async (v, i) => ({
      name: ACC_BETAS[i]!,
      shape: [],
      data: Float32Array.from((await v.data()) as ArrayLike<number>),
    })),
  );
  return [...slots, ...betas];
}

export async function restoreOptimizer(optimizer: tf.Optimizer, stored: StoredTensor[]): Promise<void> {
  const isBeta = (s: StoredTensor) => (ACC_BETAS as readonly string[]).includes(s.name);
  const named = stored
    .filter((s) => !isBeta(s))
    .map((s) => ({ name: s.name.replace(/^\d+:/, ''), tensor: tf.tensor(s.data, s.shape) }));
  await optimizer.setWeights(named);
  // The slots it makes share these tensors' data (Tensor.variable()); the step counter it only
  // reads. Free them all, or a resumed run holds every slot twice.
  tf.dispose(named.map((n) => n.tensor));
  const betas = accBetaVariables(optimizer);
  ACC_BETAS.forEach((name, i) => {
    const saved = stored.find((s) => s.name === name);
    if (saved && betas[i]) tf.tidy(() => betas[i]!.assign(tf.scalar(saved.data[0]!)));
  });
}

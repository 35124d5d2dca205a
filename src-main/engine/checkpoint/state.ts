/**
 * Moving model and optimizer state in and out of StoredTensor lists, the form the store
 * keeps in a checkpoint. Order is the contract: weights are saved and restored in the fixed
 * order of the three networks' layers, and Adam's slots in the order of the trainable variables.
 */
import type { StoredTensor } from '../../common/run.ts';
import type { Gmvae } from '../model/gmvae.ts';
import { tf } from '../tf.ts';

const allWeights = (model: Gmvae) => {
  const { encoder, priorNetwork, decoder } = model.networks;
  return [encoder, priorNetwork, decoder].flatMap((m) => m.weights.map((w) => ({ net: m.name, w })));
};

export function captureWeights(model: Gmvae): StoredTensor[] {
  return allWeights(model).map(({ net, w }) => ({
    name: `${net}/${w.originalName}`,
    shape: w.shape.slice() as number[],
    data: w.read().dataSync() as Float32Array,
  }));
}

export function restoreWeights(model: Gmvae, stored: StoredTensor[]): void {
  const targets = allWeights(model);
  if (targets.length !== stored.length)
    throw new Error(`checkpoint holds ${stored.length} weight tensors, the model has ${targets.length}`);
  targets.forEach(({ net, w }, i) => {
    const s = stored[i]!;
    if (s.shape.join('x') !== w.shape.join('x'))
      throw new Error(
        `checkpoint tensor ${s.name} has shape ${s.shape}, model ${net}/${w.originalName} wants ${w.shape}`,
      );
    w.write(tf.tensor(s.data, s.shape));
  });
}

/** Adam's state: its step counter, then first and second moments per trainable variable. */
export async function captureOptimizer(optimizer: tf.Optimizer): Promise<StoredTensor[]> {
  const named = await optimizer.getWeights();
  return named.map(({ name, tensor }, i) => ({
    name: `${i}:${name}`,
    shape: tensor.shape.slice() as number[],
    data: Float32Array.from(tensor.dataSync() as ArrayLike<number>),
  }));
}

export async function restoreOptimizer(optimizer: tf.Optimizer, stored: StoredTensor[]): Promise<void> {
  await optimizer.setWeights(
    stored.map((s) => ({ name: s.name.replace(/^\d+:/, ''), tensor: tf.tensor(s.data, s.shape) })),
  );
}

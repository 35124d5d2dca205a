#!/usr/bin/env python3
"""PyTorch reference for `gmvae bench`: the same GMVAE MLP, loss and Adam step, timed the same way.

The engine's model is src-main/engine/model/ (networks.ts, gmvae.ts, elbo.ts, posterior.ts);
this is a line-by-line PyTorch restatement of it, so the two throughputs compare like for like:
encoder two hidden Linear + BatchNorm + ReLU layers and four heads, prior network
Linear + tanh and two Linear(H -> K*Dx) heads, decoder two Linear + ReLU and a Bernoulli
logits head, M = 1, random inputs in [0, 1].

Threads are set by the caller: `gmvae bench` runs it with OPENBLAS_NUM_THREADS=2 (matrix
products on both cores, like the engine's 'blas' backend) and --threads 1 (elementwise ops on
one thread, like wasm's kernels). Prints one JSON object on stdout.
"""
import argparse
import json
import math
import time

import torch
from torch import nn


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--d", type=int, default=784)
    p.add_argument("--k", type=int, default=16)
    p.add_argument("--x-dim", type=int, default=200)
    p.add_argument("--w-dim", type=int, default=150)
    p.add_argument("--hidden", type=int, default=500)
    p.add_argument("--lambda", dest="lam", type=float, default=0.5)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args()


class Gmvae(nn.Module):
    def __init__(self, d, k, x_dim, w_dim, hidden):
        super().__init__()
        self.k, self.x_dim = k, x_dim
        block = lambda i, o: nn.Sequential(nn.Linear(i, o), nn.BatchNorm1d(o, momentum=0.1), nn.ReLU())
        self.trunk = nn.Sequential(block(d, hidden), block(hidden, hidden))
        self.mu_x, self.logvar_x = nn.Linear(hidden, x_dim), nn.Linear(hidden, x_dim)
        self.mu_w, self.logvar_w = nn.Linear(hidden, w_dim), nn.Linear(hidden, w_dim)
        self.prior_hidden = nn.Sequential(nn.Linear(w_dim, hidden), nn.Tanh())
        self.mu_k, self.logvar_k = nn.Linear(hidden, k * x_dim), nn.Linear(hidden, k * x_dim)
        self.decoder = nn.Sequential(
            nn.Linear(x_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, d)
        )

    def loss(self, y, lam):
        h = self.trunk(y)
        mu_x, logvar_x, mu_w, logvar_w = self.mu_x(h), self.logvar_x(h), self.mu_w(h), self.logvar_w(h)
        x = mu_x + torch.exp(0.5 * logvar_x) * torch.randn_like(mu_x)
        w = mu_w + torch.exp(0.5 * logvar_w) * torch.randn_like(mu_w)
        hp = self.prior_hidden(w)
        b = y.shape[0]
        mu_k = self.mu_k(hp).view(b, self.k, self.x_dim)
        logvar_k = self.logvar_k(hp).view(b, self.k, self.x_dim)
        # log p(z | x, w), Bayes' rule over the K components (posterior.ts)
        diff = x.unsqueeze(1) - mu_k
        log_n = -0.5 * (math.log(2 * math.pi) + logvar_k + diff.square() * torch.exp(-logvar_k)).sum(2)
        log_joint = log_n - math.log(self.k)
        log_pz = log_joint - torch.logsumexp(log_joint, 1, keepdim=True)
        pz = torch.exp(log_pz)
        # the four ELBO terms (elbo.ts)
        logits = self.decoder(x)
        bce = torch.relu(logits) - logits * y + torch.log1p(torch.exp(-logits.abs()))
        reconstruction = (-bce.sum(1)).mean()
        mx, lx = mu_x.unsqueeze(1), logvar_x.unsqueeze(1)
        kl = 0.5 * (logvar_k - lx + (torch.exp(lx) + (mx - mu_k).square()) * torch.exp(-logvar_k) - 1)
        conditional_prior = (pz * kl.sum(2)).sum(1).mean()
        w_prior = (0.5 * (mu_w.square() + torch.exp(logvar_w) - logvar_w - 1).sum(1)).mean()
        z_prior = ((pz * log_pz).sum(1) + math.log(self.k)).mean()
        constrained = torch.clamp(z_prior, min=lam) if lam > 0 else z_prior
        return -(reconstruction - conditional_prior - w_prior - constrained)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = Gmvae(args.d, args.k, args.x_dim, args.w_dim, args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    y = torch.rand(args.batch, args.d)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = model.loss(y, args.lam)
        loss.backward()
        optimizer.step()
        return loss.item()  # waits for the step, as the engine's dataSync does

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "torch_version": torch.__version__,
                "threads": torch.get_num_threads(),
                "steps": args.steps,
                "seconds": seconds,
                "examples_per_s": args.steps * args.batch / seconds,
            }
        )
    )


if __name__ == "__main__":
    main()

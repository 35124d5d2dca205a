#!/usr/bin/env python3
"""PyTorch reference for `gmvae bench`: the same GMVAE network, loss and Adam step, timed the same way.

The engine's model is src-main/engine/model/ (networks.ts, gmvae.ts, elbo.ts, posterior.ts);
this is a line-by-line PyTorch restatement of it, so the two throughputs compare like for like:
M = 1, random inputs in [0, 1], a Bernoulli likelihood, and

  --arch mlp   encoder two hidden Linear + BatchNorm + ReLU layers; decoder two Linear + ReLU
               and a logits head
  --arch conv  the authors' ConvAE: encoder conv 16@6x6, 32@6x6, 64@4x4 stride 2, H@9x9 (28 ->
               23 -> 18 -> 9 -> 1), each + BatchNorm + ReLU; decoder Linear(Dx -> H) + BatchNorm
               + ReLU, then transposed convolutions 64@9x9, 32@4x4 stride 2, 16@6x6 (each +
               BatchNorm + ReLU) and 1@6x6 back to 28x28

and in both the four heads mu_x, logvar_x, mu_w, logvar_w, and the prior network Linear + tanh
with two Linear(H -> K*Dx) heads.

Threads are set by the caller: --threads is torch's intra-op thread count, and the
OPENBLAS_NUM_THREADS environment variable the BLAS's; `gmvae bench` tries the settings a
PyTorch user would and keeps the best. --device cuda runs it on the GPU instead, the peer of
the engine's GPU backends. Prints one JSON object on stdout.
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
    p.add_argument("--arch", choices=["mlp", "conv"], default="mlp")
    p.add_argument("--max-seconds", type=float, default=float("inf"))
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--describe", action="store_true", help="print the parameter count and exit")
    return p.parse_args()


def conv_block(conv, channels):
    return nn.Sequential(conv, nn.BatchNorm2d(channels), nn.ReLU())


def conv_trunk(hidden):
    """y [B, 784] -> h [B, H]: the ConvAE encoder (networks.ts, encoderTrunk)."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        conv_block(nn.Conv2d(1, 16, 6), 16),  # 23x23
        conv_block(nn.Conv2d(16, 32, 6), 32),  # 18x18
        conv_block(nn.Conv2d(32, 64, 4, stride=2, padding=1), 64),  # 9x9, tfjs's "same"
        conv_block(nn.Conv2d(64, hidden, 9), hidden),  # 1x1
        nn.Flatten(),
    )


def conv_decoder(x_dim, hidden):
    """x [B, Dx] -> logits [B, 784]: the ConvAE decoder (networks.ts, buildDecoder)."""
    return nn.Sequential(
        nn.Linear(x_dim, hidden),
        nn.BatchNorm1d(hidden),
        nn.ReLU(),
        nn.Unflatten(1, (hidden, 1, 1)),
        conv_block(nn.ConvTranspose2d(hidden, 64, 9), 64),  # 9x9
        conv_block(nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), 32),  # 18x18, tfjs's "same"
        conv_block(nn.ConvTranspose2d(32, 16, 6), 16),  # 23x23
        nn.ConvTranspose2d(16, 1, 6),  # 28x28
        nn.Flatten(),
    )


class Gmvae(nn.Module):
    def __init__(self, arch, d, k, x_dim, w_dim, hidden):
        super().__init__()
        self.k, self.x_dim = k, x_dim
        block = lambda i, o: nn.Sequential(nn.Linear(i, o), nn.BatchNorm1d(o, momentum=0.1), nn.ReLU())
        if arch == "conv":
            self.trunk = conv_trunk(hidden)
        else:
            self.trunk = nn.Sequential(block(d, hidden), block(hidden, hidden))
        self.mu_x, self.logvar_x = nn.Linear(hidden, x_dim), nn.Linear(hidden, x_dim)
        self.mu_w, self.logvar_w = nn.Linear(hidden, w_dim), nn.Linear(hidden, w_dim)
        self.prior_hidden = nn.Sequential(nn.Linear(w_dim, hidden), nn.Tanh())
        self.mu_k, self.logvar_k = nn.Linear(hidden, k * x_dim), nn.Linear(hidden, k * x_dim)
        if arch == "conv":
            self.decoder = conv_decoder(x_dim, hidden)
        else:
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
    model = Gmvae(args.arch, args.d, args.k, args.x_dim, args.w_dim, args.hidden).to(args.device)
    if args.describe:  # lets the tests check the network against the engine's
        print(json.dumps({"parameters": sum(p.numel() for p in model.parameters())}))
        return
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    y = torch.rand(args.batch, args.d, device=args.device)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = model.loss(y, args.lam)
        loss.backward()
        optimizer.step()
        return loss.item()  # waits for the step (on the GPU too), as the engine's dataSync does

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    steps = 0
    # At least 2 timed steps; then stop at --steps or after --max-seconds, as the engine's bench.
    while steps < args.steps and (steps < 2 or time.perf_counter() - start < args.max_seconds):
        step()
        steps += 1
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "torch_version": torch.__version__,
                "threads": torch.get_num_threads(),
                "device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu",
                "steps": steps,
                "seconds": seconds,
                "examples_per_s": steps * args.batch / seconds,
            }
        )
    )


if __name__ == "__main__":
    main()

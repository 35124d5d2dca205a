/*
 * gmvae_blas: single-precision matrix products at BLAS speed for the engine's 'blas' backend.
 *
 * Plain Node-API (node_api.h, no C++ wrapper), so one binary loads in every Node >= 18 and in
 * Electron without a rebuild. The kernels run *in place* on an ArrayBuffer the caller owns; the
 * engine passes the WebAssembly heap of tfjs-backend-wasm, so tensors never leave wasm memory
 * and wasm's SIMD elementwise kernels keep working on them. Offsets are in bytes; every range is
 * checked against the buffer's length before BLAS touches it.
 *
 * Exports:
 *   info() -> { library, config, core, threads, threadTimeout }
 *     core: the kernel set OpenBLAS chose for this CPU (or OPENBLAS_CORETYPE forced), '' elsewhere.
 *     threadTimeout: OPENBLAS_THREAD_TIMEOUT as OpenBLAS read it (0 unset), -1 where unknown.
 *   matmul(buffer, aOffsets, bOffsets, cOffsets, m, n, k, transA, transB, biasOffset, activation, alpha)
 *     For each i: C_i[m,n] = act(op(A_i) op(B_i) + bias), row-major, op = transpose when asked.
 *     a/b/cOffsets: Float64Array of byte offsets (one per batch; broadcasting is the caller's
 *     choice of offsets). biasOffset < 0: no bias; otherwise a [n] row added to every row.
 *     activation: 0 linear, 1 relu, 2 relu6, 3 sigmoid, 4 elu, 5 leaky relu (slope alpha).
 *   adam(buffer, offsets, count, beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, negLr)
 *     One Adam update of `count` parameters in a single pass (see adam() below).
 *     offsets: Float64Array [value, gradient, m, v, accBeta1, accBeta2, newValue, newM, newV].
 *   resetAdam(buffer, offsets [value, gradient, newValue], count, lr, floor)
 *     The authors' Adam restarted every step, in one pass (see reset_adam() below).
 *   exp(buffer, inOffset, outOffset, count)
 *     out = exp(in) elementwise (wasm's Exp calls a scalar libm expf compiled to WebAssembly,
 *     about ten times slower than the native one on the [B, K, Dx] tensors of p(z|x,w)).
 *   conv2d(buffer, offsets [x, filter, bias, y], geometry, activation, alpha)
 *   conv2dBackpropInput(buffer, offsets [dy, filter, dx], geometry)
 *   conv2dBackpropFilter(buffer, offsets [x, dy, dw], geometry)
 *     2-D convolutions, NHWC, dilation 1, as im2col + sgemm (see the section on convolutions).
 *     geometry: Int32Array [batch, inH, inW, inC, filterH, filterW, outC, outH, outW,
 *     strideH, strideW, padTop, padLeft]; the caller computes the output size and padding.
 *     bias offset < 0: none; activation as in matmul.
 *   componentGaussian(buffer, offsets [x, mx, lx, mk, lk, logn, kl], B, K, Dx)
 *   componentGaussianGrad(buffer, offsets [x, mx, lx, mk, lk, gn, gk, dx, dmx, dlx, dmk, dlk], B, K, Dx)
 *     The mixture prior's log-densities and KLs of K diagonal Gaussians per row, and their
 *     gradient (see the section on the mixture's components).
 *   reduceColumns(buffer, inOffset, outOffset, rows, cols, mean)
 *     out[c] = sum (or mean) over r of in[r, c]: Sum and Mean over a tensor's leading axes.
 *   binary(buffer, op, aOffset, aLength, bOffset, bLength, outOffset, outLength)
 *     out = a op b (0 add, 1 sub, 2 mul, 3 div), the shorter operand repeated along the longer.
 *   batchNorm(buffer, offsets [x, mean, variance, offset, scale, out], rows, cols, epsilon)
 *     Batch normalisation's forward pass over [rows, cols], per channel (cols).
 *   batchNormTrain(buffer, offsets [x, scale, offset, y, mean, variance], rows, cols, epsilon)
 *   batchNormTrainGrad(buffer, offsets [x, scale, mean, variance, dy, dx, dscale, doffset], rows, cols, epsilon)
 *     Batch normalisation in training, with the batch's own moments, and its gradient (see the
 *     section on batch normalisation in training).
 */
#define NAPI_VERSION 8
#if !defined(__APPLE__)
#define _POSIX_C_SOURCE 200809L /* pthreads under -std=c99; macOS's headers need no switch */
#endif
#include <node_api.h>

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(USE_ACCELERATE)
#include <Accelerate/Accelerate.h>
#define BLAS_LIBRARY "Accelerate"
#else
#include <cblas.h>
#define BLAS_LIBRARY "OpenBLAS"
/* Declared here rather than taken from cblas.h: Debian's generic cblas.h lacks them. */
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int num_threads);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
/* OPENBLAS_THREAD_TIMEOUT as OpenBLAS read it when it loaded (0: unset). Weak: not every build
 * exports it, and the addon must load without it. */
extern int openblas_thread_timeout(void) __attribute__((weak));
#endif

#define NAPI_FAILED "gmvae_blas: Node-API call failed"

#define CHECK(env, call)                            \
  do {                                              \
    if ((call) != napi_ok) {                        \
      napi_throw_error((env), NULL, NAPI_FAILED);   \
      return NULL;                                  \
    }                                               \
  } while (0)

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_SIGMOID = 3, ACT_ELU = 4, ACT_LEAKY = 5 };

/* The elementwise tail of a fused product: one pass over C while it is still in cache. */
static void apply_activation(float *c, size_t count, int activation, float alpha) {
  size_t i;
  switch (activation) {
    case ACT_RELU:
      for (i = 0; i < count; i++) c[i] = c[i] > 0.0f ? c[i] : 0.0f;
      break;
    case ACT_RELU6:
      for (i = 0; i < count; i++) c[i] = c[i] < 0.0f ? 0.0f : (c[i] > 6.0f ? 6.0f : c[i]);
      break;
    case ACT_SIGMOID:
      for (i = 0; i < count; i++) c[i] = 1.0f / (1.0f + expf(-c[i]));
      break;
    case ACT_ELU:
      for (i = 0; i < count; i++) c[i] = c[i] >= 0.0f ? c[i] : expm1f(c[i]);
      break;
    case ACT_LEAKY:
      for (i = 0; i < count; i++) c[i] = c[i] >= 0.0f ? c[i] : alpha * c[i];
      break;
    default:
      break;
  }
}

static napi_value info(napi_env env, napi_callback_info cbinfo) {
  napi_value result, value;
  int threads = 1, thread_timeout = -1;
  const char *config = BLAS_LIBRARY, *core = "";
  (void)cbinfo;
#if !defined(USE_ACCELERATE)
  threads = openblas_get_num_threads();
  config = openblas_get_config();
  core = openblas_get_corename();
  if (openblas_thread_timeout) thread_timeout = openblas_thread_timeout();
#endif
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_string_utf8(env, BLAS_LIBRARY, NAPI_AUTO_LENGTH, &value));
  CHECK(env, napi_set_named_property(env, result, "library", value));
  CHECK(env, napi_create_string_utf8(env, config, NAPI_AUTO_LENGTH, &value));
  CHECK(env, napi_set_named_property(env, result, "config", value));
  CHECK(env, napi_create_string_utf8(env, core, NAPI_AUTO_LENGTH, &value));
  CHECK(env, napi_set_named_property(env, result, "core", value));
  CHECK(env, napi_create_int32(env, threads, &value));
  CHECK(env, napi_set_named_property(env, result, "threads", value));
  CHECK(env, napi_create_int32(env, thread_timeout, &value));
  CHECK(env, napi_set_named_property(env, result, "threadTimeout", value));
  return result;
}

/* A Float64Array argument: its length and elements. */
static int get_offsets(napi_env env, napi_value value, double **data, size_t *length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t byte_offset;
  void *raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &byte_offset) != napi_ok) return 0;
  if (type != napi_float64_array) return 0;
  *data = (double *)raw;
  return 1;
}

/* A byte offset that is a whole, 4-byte aligned number with `count` floats inside the buffer. */
static int in_range(double offset, size_t count, size_t byte_length) {
  if (!(offset >= 0) || offset != floor(offset) || ((uint64_t)offset & 3u) != 0) return 0;
  return (uint64_t)offset + (uint64_t)count * sizeof(float) <= (uint64_t)byte_length;
}

/* A count or dimension: a whole number from 0 to 2^53 (beyond, a double skips integers). */
static int is_count(double value) { return value >= 0 && value == floor(value) && value <= 9007199254740992.0; }

/*
 * The start every export shares: exactly `expected` arguments into argv, the first an
 * ArrayBuffer whose memory and length come back. 0, with an exception thrown that names
 * gmvae_blas.`name`, if not.
 */
static int buffer_arguments(napi_env env, napi_callback_info cbinfo, const char *name, size_t expected,
                            napi_value *argv, char **base, size_t *byte_length) {
  size_t argc = expected;
  bool is_buffer = false;
  void *data;
  char message[128];
  if (napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL) != napi_ok ||
      napi_is_arraybuffer(env, argv[0], &is_buffer) != napi_ok) {
    napi_throw_error(env, NULL, NAPI_FAILED);
    return 0;
  }
  if (argc != expected)
    snprintf(message, sizeof(message), "gmvae_blas.%s: expected %u arguments", name, (unsigned)expected);
  else if (!is_buffer)
    snprintf(message, sizeof(message), "gmvae_blas.%s: argument 1 must be an ArrayBuffer", name);
  else if (napi_get_arraybuffer_info(env, argv[0], &data, byte_length) != napi_ok)
    snprintf(message, sizeof(message), "%s", NAPI_FAILED);
  else {
    *base = (char *)data;
    return 1;
  }
  napi_throw_error(env, NULL, message);
  return 0;
}

static napi_value matmul(napi_env env, napi_callback_info cbinfo) {
  napi_value argv[12];
  char *base;
  size_t byte_length, batch, nb, nc, i;
  double *a_off, *b_off, *c_off, bias_offset, alpha_d;
  int32_t m, n, k, activation;
  bool trans_a, trans_b;

  if (!buffer_arguments(env, cbinfo, "matmul", 12, argv, &base, &byte_length)) return NULL;
  if (!get_offsets(env, argv[1], &a_off, &batch) || !get_offsets(env, argv[2], &b_off, &nb) ||
      !get_offsets(env, argv[3], &c_off, &nc))
    return throw_error(env, "gmvae_blas.matmul: offsets must be Float64Arrays");
  if (nb != batch || nc != batch) return throw_error(env, "gmvae_blas.matmul: offset arrays differ in length");
  CHECK(env, napi_get_value_int32(env, argv[4], &m));
  CHECK(env, napi_get_value_int32(env, argv[5], &n));
  CHECK(env, napi_get_value_int32(env, argv[6], &k));
  CHECK(env, napi_get_value_bool(env, argv[7], &trans_a));
  CHECK(env, napi_get_value_bool(env, argv[8], &trans_b));
  CHECK(env, napi_get_value_double(env, argv[9], &bias_offset));
  CHECK(env, napi_get_value_int32(env, argv[10], &activation));
  CHECK(env, napi_get_value_double(env, argv[11], &alpha_d));
  if (m < 0 || n < 0 || k < 0) return throw_error(env, "gmvae_blas.matmul: negative dimension");
  if (activation < ACT_LINEAR || activation > ACT_LEAKY)
    return throw_error(env, "gmvae_blas.matmul: unknown activation");
  if (bias_offset >= 0 && !in_range(bias_offset, (size_t)n, byte_length))
    return throw_error(env, "gmvae_blas.matmul: bias outside the buffer");

  /* Check every range first, so that a bad call writes nothing. */
  for (i = 0; i < batch; i++) {
    if (!in_range(a_off[i], (size_t)m * k, byte_length) || !in_range(b_off[i], (size_t)k * n, byte_length) ||
        !in_range(c_off[i], (size_t)m * n, byte_length))
      return throw_error(env, "gmvae_blas.matmul: operand outside the buffer");
  }

  for (i = 0; i < batch; i++) {
    const float *a = (const float *)(base + (size_t)a_off[i]);
    const float *b = (const float *)(base + (size_t)b_off[i]);
    float *c = (float *)(base + (size_t)c_off[i]);
    float beta = 0.0f;
    if (m == 0 || n == 0) continue;
    if (bias_offset >= 0) {
      /* C starts as the bias row repeated, and sgemm adds the product to it (beta = 1). */
      const float *bias = (const float *)(base + (size_t)bias_offset);
      int32_t r;
      for (r = 0; r < m; r++) memcpy(c + (size_t)r * n, bias, (size_t)n * sizeof(float));
      beta = 1.0f;
    }
    if (k == 0) {
      if (beta == 0.0f) memset(c, 0, (size_t)m * n * sizeof(float));
    } else {
      cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k,
                  1.0f, a, trans_a ? m : k, b, trans_b ? k : n, beta, c, n);
    }
    apply_activation(c, (size_t)m * n, activation, (float)alpha_d);
  }
  return NULL;
}

/*
 * Adam in one pass over memory instead of the dozen elementwise ops tfjs's AdamOptimizer issues
 * (each of which reads and writes every parameter). The arithmetic is the optimizer's, operation
 * by operation in float32 (this file is compiled as ISO C, so nothing is contracted into FMAs):
 *   m' = m*b1 + g*(1-b1);  v' = v*b2 + g*g*(1-b2)
 *   value' = (m'/(1-accB1)) / (sqrt(v'/(1-accB2)) + eps) * (-lr) + value
 * so the result matches the unfused ops on the cpu and wasm backends. The pass is bound by memory
 * bandwidth, and it runs on the calling thread: in a step of the MNIST MLP on a busy two-core
 * machine (load 9-14) it took 5.4-6.9 ms per step on one thread against 6.1-12.5 ms split over
 * two (A/B, three rounds), the second thread's scheduling costing more than its bandwidth gains.
 */

/* The update of `count` elements. Its own function with restrict parameters, or the loop does not
 * vectorise: seven unrelated pointers need more runtime alias checks than gcc versions a loop for,
 * and restrict on locals is not honoured. Unvectorised, the update ran several times slower than
 * memory allows. restrict holds: the outputs are fresh tensors, never an input. hyper: beta1,
 * 1 - beta1, beta2, 1 - beta2, epsilon, -lr, 1 - accBeta1, 1 - accBeta2. */
static void adam_loop(const float *restrict value, const float *restrict grad, const float *restrict m,
                      const float *restrict v, float *restrict out_value, float *restrict out_m,
                      float *restrict out_v, const float hyper[8], size_t count) {
  const float beta1 = hyper[0], one_minus_beta1 = hyper[1], beta2 = hyper[2], one_minus_beta2 = hyper[3];
  const float epsilon = hyper[4], neg_lr = hyper[5], correction1 = hyper[6], correction2 = hyper[7];
  size_t i;
  for (i = 0; i < count; i++) {
    const float g = grad[i];
    const float m1 = m[i] * beta1 + g * one_minus_beta1;
    const float v1 = v[i] * beta2 + (g * g) * one_minus_beta2;
    const float step = (m1 / correction1) / (sqrtf(v1 / correction2) + epsilon);
    out_m[i] = m1;
    out_v[i] = v1;
    out_value[i] = step * neg_lr + value[i];
  }
}

static int blas_threads(void) {
#if defined(USE_ACCELERATE)
  return 1;
#else
  return openblas_get_num_threads();
#endif
}

/*
 * parallel_for: fn(ctx, begin, end, part) over [begin, end) split into `parts` contiguous ranges
 * (at most MAX_THREADS), one per thread; `part` numbers them from 0. Every inner split point is
 * a multiple of `align` (counted from 0, not from `begin`), so a caller whose items write shared
 * memory in groups of `align` gets no two threads in one group. Parts 1..n-1 run on threads of
 * their own (a failed start runs on this thread), part 0 here. A range may be empty.
 */
typedef void (*range_fn)(void *ctx, size_t begin, size_t end, int part);
typedef struct {
  range_fn fn;
  void *ctx;
  size_t begin, end;
  int part;
} range_job;

#define MAX_THREADS 16

static void *run_range(void *arg) {
  const range_job *j = (const range_job *)arg;
  j->fn(j->ctx, j->begin, j->end, j->part);
  return NULL;
}

/* Threads for `count` items: as many as BLAS uses, at most MAX_THREADS and one per `grain`. */
static int threads_for(size_t count, size_t grain) {
  const size_t most = grain > 0 ? count / grain : count;
  int n = blas_threads();
  if (n > MAX_THREADS) n = MAX_THREADS;
  if ((size_t)n > most) n = (int)most;
  return n < 1 ? 1 : n;
}

static void parallel_for(range_fn fn, void *ctx, size_t begin, size_t end, int parts, size_t align) {
  range_job jobs[MAX_THREADS];
  pthread_t threads[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  const size_t count = end > begin ? end - begin : 0;
  int n = parts < 1 ? 1 : parts > MAX_THREADS ? MAX_THREADS : parts, t;
  for (t = 0; t < n; t++) {
    size_t cut = begin + count * (size_t)t / (size_t)n;
    if (align > 1 && t > 0) cut = (cut + align - 1) / align * align;
    jobs[t].fn = fn;
    jobs[t].ctx = ctx;
    jobs[t].part = t;
    jobs[t].begin = cut < end ? cut : end;
    if (t > 0) jobs[t - 1].end = jobs[t].begin;
  }
  jobs[n - 1].end = end;
  for (t = 1; t < n; t++) started[t] = pthread_create(&threads[t], NULL, run_range, &jobs[t]) == 0;
  run_range(&jobs[0]);
  for (t = 1; t < n; t++) {
    if (started[t]) pthread_join(threads[t], NULL);
    else run_range(&jobs[t]);
  }
}

/* Threads BLAS may start per call: 1 while our own threads each call sgemm, then back. */
static void set_blas_threads(int n) {
#if defined(USE_ACCELERATE)
  (void)n;
#else
  openblas_set_num_threads(n);
#endif
}

static napi_value adam(napi_env env, napi_callback_info cbinfo) {
  size_t n_off;
  napi_value argv[9];
  char *base;
  size_t byte_length;
  double *off, count_d, p[6];
  int j;

  if (!buffer_arguments(env, cbinfo, "adam", 9, argv, &base, &byte_length)) return NULL;
  if (!get_offsets(env, argv[1], &off, &n_off) || n_off != 9)
    return throw_error(env, "gmvae_blas.adam: offsets must be a Float64Array of 9");
  CHECK(env, napi_get_value_double(env, argv[2], &count_d));
  for (j = 0; j < 6; j++) CHECK(env, napi_get_value_double(env, argv[3 + j], &p[j]));
  if (!is_count(count_d)) return throw_error(env, "gmvae_blas.adam: bad count");
  {
    const size_t count = (size_t)count_d;
    const size_t sizes[9] = {count, count, count, count, 1, 1, count, count, count};
    for (j = 0; j < 9; j++)
      if (!in_range(off[j], sizes[j], byte_length)) return throw_error(env, "gmvae_blas.adam: operand outside the buffer");
  }
  {
    float *t[9];
    for (j = 0; j < 9; j++) t[j] = (float *)(base + (size_t)off[j]);
    {
      const float hyper[8] = {(float)p[0], (float)p[1], (float)p[2],  (float)p[3],
                              (float)p[4], (float)p[5], 1.0f - *t[4], 1.0f - *t[5]};
      adam_loop(t[0], t[1], t[2], t[3], t[6], t[7], t[8], hyper, (size_t)count_d);
    }
  }
  return NULL;
}

/*
 * Adam restarted at every step, the update the authors' Torch code ran (docs/model.md, "The
 * authors' training"): value' = value - (lr*g) / (|g| + floor), floor = eps / sqrt(1 - beta2).
 * The same four float32 operations in the same order as the composed tfjs ops of
 * training/reset-adam.ts (mul, abs + add, div, sub), so the result is identical to theirs bit
 * for bit on every backend; one call per variable replaces five kernels and their dispatch.
 */
static void reset_adam_loop(const float *restrict value, const float *restrict grad, float *restrict out,
                            float lr, float floor_, size_t count) {
  size_t i;
  for (i = 0; i < count; i++) {
    const float g = grad[i];
    out[i] = value[i] - (lr * g) / (fabsf(g) + floor_);
  }
}

static napi_value reset_adam(napi_env env, napi_callback_info cbinfo) {
  size_t n_off;
  napi_value argv[5];
  char *base;
  size_t byte_length;
  double *off, count_d, lr, floor_;
  int j;

  if (!buffer_arguments(env, cbinfo, "resetAdam", 5, argv, &base, &byte_length)) return NULL;
  if (!get_offsets(env, argv[1], &off, &n_off) || n_off != 3)
    return throw_error(env, "gmvae_blas.resetAdam: offsets must be a Float64Array of 3");
  CHECK(env, napi_get_value_double(env, argv[2], &count_d));
  CHECK(env, napi_get_value_double(env, argv[3], &lr));
  CHECK(env, napi_get_value_double(env, argv[4], &floor_));
  if (!is_count(count_d)) return throw_error(env, "gmvae_blas.resetAdam: bad count");
  for (j = 0; j < 3; j++)
    if (!in_range(off[j], (size_t)count_d, byte_length))
      return throw_error(env, "gmvae_blas.resetAdam: operand outside the buffer");
  reset_adam_loop((const float *)(base + (size_t)off[0]), (const float *)(base + (size_t)off[1]),
                  (float *)(base + (size_t)off[2]), (float)lr, (float)floor_, (size_t)count_d);
  return NULL;
}

static napi_value exp_kernel(napi_env env, napi_callback_info cbinfo) {
  size_t byte_length, i, count;
  napi_value argv[4];
  char *base;
  double in_off, out_off, count_d;

  if (!buffer_arguments(env, cbinfo, "exp", 4, argv, &base, &byte_length)) return NULL;
  CHECK(env, napi_get_value_double(env, argv[1], &in_off));
  CHECK(env, napi_get_value_double(env, argv[2], &out_off));
  CHECK(env, napi_get_value_double(env, argv[3], &count_d));
  if (!is_count(count_d)) return throw_error(env, "gmvae_blas.exp: bad count");
  count = (size_t)count_d;
  if (!in_range(in_off, count, byte_length) || !in_range(out_off, count, byte_length))
    return throw_error(env, "gmvae_blas.exp: operand outside the buffer");
  {
    const float *in = (const float *)(base + (size_t)in_off);
    float *out = (float *)(base + (size_t)out_off);
    for (i = 0; i < count; i++) out[i] = expf(in[i]);
  }
  return NULL;
}

/*
 * Convolutions. A 2-D convolution of x [B, H, W, C] with a filter [KH, KW, C, OC] (NHWC,
 * dilation 1) is one matrix product once every output position's input patch is laid out as a
 * row (im2col):
 *   cols [B*OH*OW, KH*KW*C],  cols[(b,oh,ow), (kh,kw,c)] = x[b, oh*SH - padTop + kh, ow*SW - padLeft + kw, c]
 *                                                        (0 outside the input)
 *   y     [B*OH*OW, OC]     = cols x filter[KH*KW*C, OC]               (y is NHWC as it stands)
 *   dcols [B*OH*OW, KH*KW*C] = dy x filter^T, then dx = col2im(dcols)  (the adjoint of im2col:
 *                                                                       overlapping patches add)
 *   dw    [KH*KW*C, OC]     = cols^T x dy
 * The filter's own layout is already the [KH*KW*C, OC] matrix, so it is never copied. Within one
 * (row, kh) the KW*C values come from one contiguous run of x (dilation 1), which im2col and
 * col2im copy or add as a block.
 *
 * Threads and cache: the rows are split into one contiguous range per BLAS thread (for dx at
 * whole examples, as col2im adds into one example's pixels from many rows), and each thread
 * builds its columns CONV_CHUNK_BYTES at a time and multiplies them at once with a
 * single-threaded sgemm, so a chunk is read back from the cache it was written to. One 16 MB
 * chunk multiplied by sgemm's own two threads, as before, streamed every column through memory
 * twice: on enc2's shape (x [100, 23, 23, 16], 6x6 filter to 32 channels) the forward pass took
 * 18.2 ms on two threads and 26.4 ms on one, against 8.9 ms and 16.7 ms this way (C benchmark,
 * 2026-12-02, AMD EPYC, idle). dw accumulates each thread's chunks into a [KH*KW*C, OC] matrix of
 * its own, summed at the end.
 */
typedef struct {
  int32_t batch, in_h, in_w, in_c, filter_h, filter_w, out_c, out_h, out_w, stride_h, stride_w, pad_top, pad_left;
} conv_geometry;

#define GEOMETRY_LENGTH 13
/* One thread's chunk of cols: within a core's L2 cache, and hundreds of rows for sgemm. */
#define CONV_CHUNK_BYTES ((size_t)1 << 20)
/* Fewest rows a chunk has, however long a patch. */
#define CONV_MIN_CHUNK_ROWS 64
/* Rows per thread below which one thread (and sgemm's own threads) does better. */
#define CONV_ROWS_GRAIN 256

static size_t conv_patch(const conv_geometry *g) { return (size_t)g->filter_h * g->filter_w * g->in_c; }
static size_t conv_rows(const conv_geometry *g) { return (size_t)g->batch * g->out_h * g->out_w; }
static size_t conv_in_count(const conv_geometry *g) { return (size_t)g->batch * g->in_h * g->in_w * g->in_c; }

/* Whether row r of cols is x's r-th run of `patch` values as it is, so that im2col is x itself:
 * a 1x1 filter at stride 1, or a filter as large as the unpadded input (one output position). */
static int conv_cols_are_input(const conv_geometry *g) {
  if (g->pad_top != 0 || g->pad_left != 0) return 0;
  if (g->filter_h == 1 && g->filter_w == 1 && g->stride_h == 1 && g->stride_w == 1)
    return g->out_h == g->in_h && g->out_w == g->in_w;
  return g->filter_h == g->in_h && g->filter_w == g->in_w && g->out_h == 1 && g->out_w == 1;
}

/* The geometry from an Int32Array, checked: positive sizes and strides, padding >= 0, and every
 * count the kernels form (in elements) small enough for sgemm's int and for size_t bytes. */
static int get_geometry(napi_env env, napi_value value, conv_geometry *g) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t length, byte_offset;
  void *raw;
  int32_t v[GEOMETRY_LENGTH];
  int i;
  const double limit = 2147483647.0;
  if (napi_get_typedarray_info(env, value, &type, &length, &raw, &buffer, &byte_offset) != napi_ok) return 0;
  if (type != napi_int32_array || length != GEOMETRY_LENGTH) return 0;
  memcpy(v, raw, sizeof(v));
  /* The batch may be empty and the padding 0; every other size and stride is at least 1. */
  for (i = 0; i < GEOMETRY_LENGTH; i++)
    if (v[i] < (i == 0 || i >= 11 ? 0 : 1)) return 0;
  g->batch = v[0], g->in_h = v[1], g->in_w = v[2], g->in_c = v[3], g->filter_h = v[4], g->filter_w = v[5];
  g->out_c = v[6], g->out_h = v[7], g->out_w = v[8], g->stride_h = v[9], g->stride_w = v[10];
  g->pad_top = v[11], g->pad_left = v[12];
  /* Products in double are exact up to 2^53, far beyond the int limit they are checked against. */
  return (double)g->filter_h * g->filter_w * g->in_c <= limit &&
         (double)g->batch * g->out_h * g->out_w <= limit &&
         (double)g->batch * g->out_h * g->out_w * g->out_c <= limit * 4 &&
         (double)g->batch * g->in_h * g->in_w * g->in_c <= limit * 4 &&
         (double)g->filter_h * g->filter_w * g->in_c * g->out_c <= limit * 4;
}

/* The columns kw in [lo, hi) of a patch whose left edge is at input column iw0 lie inside x. */
static void inside_columns(const conv_geometry *g, int64_t iw0, int64_t *lo, int64_t *hi) {
  *lo = iw0 < 0 ? -iw0 : 0;
  *hi = (int64_t)g->in_w - iw0 < (int64_t)g->filter_w ? (int64_t)g->in_w - iw0 : (int64_t)g->filter_w;
  if (*hi < *lo) *hi = *lo;
}

/* cols rows [first, first + n) of the whole im2col matrix, from x, into `cols`. */
static void im2col(const conv_geometry *g, const float *x, float *cols, size_t first, size_t n) {
  const size_t patch = conv_patch(g), span = (size_t)g->filter_w * g->in_c, plane = (size_t)g->out_h * g->out_w;
  size_t r;
  for (r = first; r < first + n; r++) {
    const size_t b = r / plane, p = r % plane;
    const int64_t ih0 = (int64_t)(p / g->out_w) * g->stride_h - g->pad_top;
    const int64_t iw0 = (int64_t)(p % g->out_w) * g->stride_w - g->pad_left;
    float *row = cols + (r - first) * patch;
    int64_t kh, lo, hi;
    inside_columns(g, iw0, &lo, &hi);
    for (kh = 0; kh < g->filter_h; kh++) {
      float *dst = row + (size_t)kh * span;
      const int64_t ih = ih0 + kh;
      if (ih < 0 || ih >= g->in_h || hi == lo) {
        memset(dst, 0, span * sizeof(float));
        continue;
      }
      memset(dst, 0, (size_t)lo * g->in_c * sizeof(float));
      memcpy(dst + (size_t)lo * g->in_c, x + ((b * g->in_h + (size_t)ih) * g->in_w + (size_t)(iw0 + lo)) * g->in_c,
             (size_t)(hi - lo) * g->in_c * sizeof(float));
      memset(dst + (size_t)hi * g->in_c, 0, (size_t)(g->filter_w - hi) * g->in_c * sizeof(float));
    }
  }
}

/* x += col2im(cols rows [first, first + n)): each value back where im2col took it from. */
static void col2im(const conv_geometry *g, float *x, const float *cols, size_t first, size_t n) {
  const size_t patch = conv_patch(g), span = (size_t)g->filter_w * g->in_c, plane = (size_t)g->out_h * g->out_w;
  size_t r, i;
  for (r = first; r < first + n; r++) {
    const size_t b = r / plane, p = r % plane;
    const int64_t ih0 = (int64_t)(p / g->out_w) * g->stride_h - g->pad_top;
    const int64_t iw0 = (int64_t)(p % g->out_w) * g->stride_w - g->pad_left;
    const float *row = cols + (r - first) * patch;
    int64_t kh, lo, hi;
    inside_columns(g, iw0, &lo, &hi);
    for (kh = 0; kh < g->filter_h; kh++) {
      const int64_t ih = ih0 + kh;
      const size_t count = (size_t)(hi - lo) * g->in_c;
      const float *src;
      float *dst;
      if (ih < 0 || ih >= g->in_h) continue;
      src = row + (size_t)kh * span + (size_t)lo * g->in_c;
      dst = x + ((b * g->in_h + (size_t)ih) * g->in_w + (size_t)(iw0 + lo)) * g->in_c;
      for (i = 0; i < count; i++) dst[i] += src[i];
    }
  }
}

/* Rows of cols per chunk: as many as CONV_CHUNK_BYTES holds, at least CONV_MIN_CHUNK_ROWS. */
static size_t conv_chunk_rows(const conv_geometry *g) {
  const size_t per_row = conv_patch(g) * sizeof(float), rows = conv_rows(g);
  size_t n = CONV_CHUNK_BYTES / per_row;
  if (n < CONV_MIN_CHUNK_ROWS) n = CONV_MIN_CHUNK_ROWS;
  return n < rows ? n : rows;
}

/* One convolution kernel's operands, shared by its threads. */
typedef struct {
  const conv_geometry *g;
  int direct;              /* the columns are x itself (conv_cols_are_input) */
  size_t chunk;            /* rows per chunk */
  float *cols;             /* one chunk of columns per thread, part after part */
  const float *x, *filter, *bias, *dy;
  float *y, *dx;
  float *dw_parts;         /* backprop filter: parts 1.. accumulate here, part 0 into dw */
  float *dw;
  int activation;
  float alpha;
} conv_job;

/* y rows [begin, end) = act(cols x filter + bias), chunk by chunk. */
static void conv_forward_range(void *ctx, size_t begin, size_t end, int part) {
  const conv_job *j = (const conv_job *)ctx;
  const conv_geometry *g = j->g;
  const size_t patch = conv_patch(g);
  float *cols = j->cols ? j->cols + (size_t)part * j->chunk * patch : NULL;
  size_t first, r;
  for (first = begin; first < end; first += j->chunk) {
    const size_t n = end - first < j->chunk ? end - first : j->chunk;
    float *out = j->y + first * g->out_c;
    const float *a = j->direct ? j->x + first * patch : cols;
    float beta = 0.0f;
    if (!j->direct) im2col(g, j->x, cols, first, n);
    if (j->bias) {
      for (r = 0; r < n; r++) memcpy(out + r * g->out_c, j->bias, (size_t)g->out_c * sizeof(float));
      beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, g->out_c, (int)patch, 1.0f, a, (int)patch,
                j->filter, g->out_c, beta, out, g->out_c);
    apply_activation(out, n * g->out_c, j->activation, j->alpha);
  }
}

/* dx of the examples of rows [begin, end) (whole examples): zeroed, then col2im(dy x filter^T). */
static void conv_backprop_input_range(void *ctx, size_t begin, size_t end, int part) {
  const conv_job *j = (const conv_job *)ctx;
  const conv_geometry *g = j->g;
  const size_t patch = conv_patch(g), plane = (size_t)g->out_h * g->out_w;
  const size_t example = (size_t)g->in_h * g->in_w * g->in_c;
  float *cols = j->cols ? j->cols + (size_t)part * j->chunk * patch : NULL;
  size_t first;
  /* Where cols are x itself, the product is dx and covers all of it. */
  if (!j->direct && end > begin) memset(j->dx + begin / plane * example, 0, (end - begin) / plane * example * sizeof(float));
  for (first = begin; first < end; first += j->chunk) {
    const size_t n = end - first < j->chunk ? end - first : j->chunk;
    float *c = j->direct ? j->dx + first * patch : cols;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)patch, g->out_c, 1.0f, j->dy + first * g->out_c,
                g->out_c, j->filter, g->out_c, 0.0f, c, (int)patch);
    if (!j->direct) col2im(g, j->dx, cols, first, n);
  }
}

/* This part's dw (zeroed before) += cols^T x dy over rows [begin, end). */
static void conv_backprop_filter_range(void *ctx, size_t begin, size_t end, int part) {
  const conv_job *j = (const conv_job *)ctx;
  const conv_geometry *g = j->g;
  const size_t patch = conv_patch(g);
  float *cols = j->cols ? j->cols + (size_t)part * j->chunk * patch : NULL;
  float *dw = part == 0 ? j->dw : j->dw_parts + (size_t)(part - 1) * patch * g->out_c;
  size_t first;
  for (first = begin; first < end; first += j->chunk) {
    const size_t n = end - first < j->chunk ? end - first : j->chunk;
    const float *a = j->direct ? j->x + first * patch : cols;
    if (!j->direct) im2col(g, j->x, cols, first, n);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)patch, g->out_c, (int)n, 1.0f, a, (int)patch,
                j->dy + first * g->out_c, g->out_c, 1.0f, dw, g->out_c);
  }
}

enum { CONV_FORWARD, CONV_BACKPROP_INPUT, CONV_BACKPROP_FILTER };

/* Elements of each operand a convolution kernel reads or writes, in its offsets' order (the
 * output last). */
static void conv_operand_sizes(int kind, const conv_geometry *g, size_t sizes[4]) {
  const size_t x = conv_in_count(g), y = conv_rows(g) * g->out_c, w = conv_patch(g) * g->out_c;
  if (kind == CONV_FORWARD) sizes[0] = x, sizes[1] = w, sizes[2] = (size_t)g->out_c, sizes[3] = y;
  else if (kind == CONV_BACKPROP_INPUT) sizes[0] = y, sizes[1] = w, sizes[2] = x;
  else sizes[0] = x, sizes[1] = y, sizes[2] = w;
}

/*
 * The three exports share this: arguments (buffer, offsets, geometry[, activation, alpha]),
 * every range checked before anything is written, then the kernel with a column buffer of its
 * own (none where the columns are the input itself).
 */
static napi_value conv_entry(napi_env env, napi_callback_info cbinfo, int kind, const char *name) {
  size_t n_off, byte_length, sizes[4];
  napi_value argv[5];
  char *b;
  double *off, alpha_d = 0;
  int32_t activation = ACT_LINEAR;
  const size_t expected_argc = kind == CONV_FORWARD ? 5 : 3, operands = kind == CONV_FORWARD ? 4 : 3;
  conv_geometry g;
  char message[128];
  size_t i;

  if (!buffer_arguments(env, cbinfo, name, expected_argc, argv, &b, &byte_length)) return NULL;
  snprintf(message, sizeof(message), "gmvae_blas.%s: offsets must be a Float64Array of %u", name, (unsigned)operands);
  if (!get_offsets(env, argv[1], &off, &n_off) || n_off != operands) return throw_error(env, message);
  snprintf(message, sizeof(message), "gmvae_blas.%s: bad geometry", name);
  if (!get_geometry(env, argv[2], &g)) return throw_error(env, message);
  if (kind == CONV_FORWARD) {
    CHECK(env, napi_get_value_int32(env, argv[3], &activation));
    CHECK(env, napi_get_value_double(env, argv[4], &alpha_d));
    if (activation < ACT_LINEAR || activation > ACT_LEAKY)
      return throw_error(env, "gmvae_blas.conv2d: unknown activation");
  }
  conv_operand_sizes(kind, &g, sizes);
  snprintf(message, sizeof(message), "gmvae_blas.%s: operand outside the buffer", name);
  for (i = 0; i < operands; i++) {
    if (kind == CONV_FORWARD && i == 2 && off[i] < 0) continue; /* no bias */
    if (!in_range(off[i], sizes[i], byte_length)) return throw_error(env, message);
  }
  {
    /* Threads over the rows (for dx at whole examples); each its own chunk of columns and, for
     * dw, its own sum; allocated before anything is written so a failure leaves no half result. */
    const size_t rows = conv_rows(&g), patch = conv_patch(&g), plane = (size_t)g.out_h * g.out_w;
    const int parts = threads_for(kind == CONV_BACKPROP_INPUT && plane > 0 ? rows / plane : rows,
                                  kind == CONV_BACKPROP_INPUT ? 1 : CONV_ROWS_GRAIN);
    const int blas = blas_threads();
    conv_job job;
    range_fn fn = kind == CONV_FORWARD ? conv_forward_range
                  : kind == CONV_BACKPROP_INPUT ? conv_backprop_input_range
                                                : conv_backprop_filter_range;
    int t;
    size_t i;
    memset(&job, 0, sizeof(job));
    job.g = &g, job.direct = conv_cols_are_input(&g), job.chunk = conv_chunk_rows(&g);
    job.activation = activation, job.alpha = (float)alpha_d;
    if (!job.direct && rows > 0) job.cols = (float *)malloc((size_t)parts * job.chunk * patch * sizeof(float));
    if (kind == CONV_BACKPROP_FILTER && parts > 1)
      job.dw_parts = (float *)calloc((size_t)(parts - 1) * patch * g.out_c, sizeof(float));
    if ((!job.direct && rows > 0 && !job.cols) || (kind == CONV_BACKPROP_FILTER && parts > 1 && !job.dw_parts)) {
      free(job.cols);
      free(job.dw_parts);
      snprintf(message, sizeof(message), "gmvae_blas.%s: out of memory for the column buffer", name);
      return throw_error(env, message);
    }
    if (kind == CONV_FORWARD) {
      job.x = (const float *)(b + (size_t)off[0]), job.filter = (const float *)(b + (size_t)off[1]);
      job.bias = off[2] < 0 ? NULL : (const float *)(b + (size_t)off[2]), job.y = (float *)(b + (size_t)off[3]);
    } else if (kind == CONV_BACKPROP_INPUT) {
      job.dy = (const float *)(b + (size_t)off[0]), job.filter = (const float *)(b + (size_t)off[1]);
      job.dx = (float *)(b + (size_t)off[2]);
    } else {
      job.x = (const float *)(b + (size_t)off[0]), job.dy = (const float *)(b + (size_t)off[1]);
      job.dw = (float *)(b + (size_t)off[2]);
      memset(job.dw, 0, patch * g.out_c * sizeof(float));
    }
    if (parts > 1) set_blas_threads(1);
    parallel_for(fn, &job, 0, rows, parts, kind == CONV_BACKPROP_INPUT ? plane : 1);
    if (parts > 1) set_blas_threads(blas);
    for (t = 1; t < parts && job.dw_parts; t++)
      for (i = 0; i < patch * g.out_c; i++) job.dw[i] += job.dw_parts[(size_t)(t - 1) * patch * g.out_c + i];
    free(job.cols);
    free(job.dw_parts);
  }
  return NULL;
}

static napi_value conv2d(napi_env env, napi_callback_info cbinfo) {
  return conv_entry(env, cbinfo, CONV_FORWARD, "conv2d");
}

static napi_value conv2d_backprop_input(napi_env env, napi_callback_info cbinfo) {
  return conv_entry(env, cbinfo, CONV_BACKPROP_INPUT, "conv2dBackpropInput");
}

static napi_value conv2d_backprop_filter(napi_env env, napi_callback_info cbinfo) {
  return conv_entry(env, cbinfo, CONV_BACKPROP_FILTER, "conv2dBackpropFilter");
}

/*
 * The mixture prior's Gaussian terms, the [B, K, Dx] work of every v1/v2 training step
 * (docs/performance.md). For each row b (a sample x, its posterior q(x|y) = N(mx, e^lx), all
 * [Dx]) and each component k (N(mk, e^lk), [Dx] each, from the prior network):
 *
 *   logn[b,k] = -1/2 sum_d ( log 2pi + lk + (x - mk)^2 p )          log N(x | mk, e^lk)
 *   kl[b,k]   =  1/2 sum_d ( lk - lx + (e^lx + (mx - mk)^2) p - 1 )  KL( N(mx, e^lx) || N(mk, e^lk) )
 *
 * with p = e^-lk, and from gn = dlogn[b,k], gk = dkl[b,k], with t = (x - mk) p and u = (mx - mk) p:
 *
 *   dmk = gn t - gk u
 *   dlk = -1/2 gn (1 - (x - mk) t) + 1/2 gk (1 - (e^lx + (mx - mk)^2) p)
 *   dx  = -sum_k gn t,   dmx = sum_k gk u,   dlx = 1/2 sum_k gk (e^lx p - 1)
 *
 * As tfjs ops the two terms were about twenty elementwise kernels forward and forty backward,
 * each a pass over [B, K, Dx] plus the engine's overhead per op; here one pass each way, rows of
 * B on the calling thread (split over two threads it was slower on a busy machine, as Adam).
 * Both terms share one exponential per value, which is most of the cost. (Keeping p from the
 * forward pass for the gradient would save the second, but as a third output tfjs would hand
 * its gradient a [B, K, Dx] tensor of zeros each step.)
 */
#define LOG_2PI 1.8378770664093453f

typedef struct {
  size_t k, d;
  const float *x, *mx, *lx, *mk, *lk, *gn, *gk;
  float *logn, *kl, *dx, *dmx, *dlx, *dmk, *dlk;
  float *sx; /* e^lx [B, Dx], computed once rather than K times */
} component_job;

/* One row and component forward. */
static void component_forward_one(const float *restrict x, const float *restrict mx, const float *restrict lx,
                                  const float *restrict sx, const float *restrict mk, const float *restrict lk,
                                  size_t d, float *logn, float *kl) {
  float sum_n = 0.0f, sum_k = 0.0f;
  size_t i;
  for (i = 0; i < d; i++) {
    const float p = expf(-lk[i]), dxi = x[i] - mk[i], dmi = mx[i] - mk[i];
    sum_n += (LOG_2PI + lk[i]) + dxi * dxi * p;
    sum_k += (lk[i] - lx[i]) + (sx[i] + dmi * dmi) * p - 1.0f;
  }
  *logn = -0.5f * sum_n;
  *kl = 0.5f * sum_k;
}

/* One row and component backward, accumulating into the row's dx, dmx, dlx. */
static void component_backward_one(const float *restrict x, const float *restrict mx, const float *restrict sx,
                                   const float *restrict mk, const float *restrict lk, float gn, float gk,
                                   float *restrict dmk, float *restrict dlk, float *restrict dx,
                                   float *restrict dmx, float *restrict dlx, size_t d) {
  size_t i;
  for (i = 0; i < d; i++) {
    const float p = expf(-lk[i]), dxi = x[i] - mk[i], dmi = mx[i] - mk[i], t = dxi * p, u = dmi * p;
    dmk[i] = gn * t - gk * u;
    dlk[i] = -0.5f * gn * (1.0f - dxi * t) + 0.5f * gk * (1.0f - (sx[i] + dmi * dmi) * p);
    dx[i] -= gn * t;
    dmx[i] += gk * u;
    dlx[i] += 0.5f * gk * (sx[i] * p - 1.0f);
  }
}

static void component_forward(const component_job *j, size_t rows) {
  const size_t k = j->k, d = j->d;
  size_t b, c;
  for (b = 0; b < rows; b++)
    for (c = 0; c < k; c++) {
      const size_t row = (b * k + c) * d;
      component_forward_one(j->x + b * d, j->mx + b * d, j->lx + b * d, j->sx + b * d, j->mk + row, j->lk + row, d,
                            j->logn + b * k + c, j->kl + b * k + c);
    }
}

static void component_backward(const component_job *j, size_t rows) {
  const size_t k = j->k, d = j->d;
  size_t b, c;
  for (b = 0; b < rows; b++) {
    float *dx = j->dx + b * d, *dmx = j->dmx + b * d, *dlx = j->dlx + b * d;
    const float *sx = j->sx + b * d;
    memset(dx, 0, d * sizeof(float));
    memset(dmx, 0, d * sizeof(float));
    memset(dlx, 0, d * sizeof(float));
    for (c = 0; c < k; c++) {
      const size_t row = (b * k + c) * d;
      component_backward_one(j->x + b * d, j->mx + b * d, sx, j->mk + row, j->lk + row, j->gn[b * k + c],
                             j->gk[b * k + c], j->dmk + row, j->dlk + row, dx, dmx, dlx, d);
    }
  }
}

/*
 * componentGaussian(buffer, offsets [x, mx, lx, mk, lk, logn, kl], B, K, Dx)
 * componentGaussianGrad(buffer, offsets [x, mx, lx, mk, lk, gn, gk, dx, dmx, dlx, dmk, dlk], B, K, Dx)
 */
static napi_value component_entry(napi_env env, napi_callback_info cbinfo, int backward) {
  size_t n_off, byte_length, i;
  napi_value argv[5];
  char *bytes;
  double *off;
  int32_t dims[3];
  const size_t operands = backward ? 12 : 7;
  const char *name = backward ? "componentGaussianGrad" : "componentGaussian";
  char message[128];
  component_job job;

  if (!buffer_arguments(env, cbinfo, name, 5, argv, &bytes, &byte_length)) return NULL;
  snprintf(message, sizeof(message), "gmvae_blas.%s: offsets must be a Float64Array of %u", name, (unsigned)operands);
  if (!get_offsets(env, argv[1], &off, &n_off) || n_off != operands) return throw_error(env, message);
  for (i = 0; i < 3; i++) CHECK(env, napi_get_value_int32(env, argv[2 + i], &dims[i]));
  snprintf(message, sizeof(message), "gmvae_blas.%s: negative dimension", name);
  if (dims[0] < 0 || dims[1] < 0 || dims[2] < 0) return throw_error(env, message);
  memset(&job, 0, sizeof(job));
  job.k = (size_t)dims[1];
  job.d = (size_t)dims[2];
  {
    const size_t b = (size_t)dims[0], row = b * job.d, comp = row * job.k, pairs = b * job.k;
    /* The forward pass's seven operands are the first seven of the gradient's. */
    const size_t sizes[12] = {row, row, row, comp, comp, pairs, pairs, row, row, row, comp, comp};
    float *t[12];
    snprintf(message, sizeof(message), "gmvae_blas.%s: operand outside the buffer", name);
    for (i = 0; i < operands; i++) {
      if (!in_range(off[i], sizes[i], byte_length)) return throw_error(env, message);
      t[i] = (float *)(bytes + (size_t)off[i]);
    }
    job.x = t[0], job.mx = t[1], job.lx = t[2], job.mk = t[3], job.lk = t[4];
    if (backward)
      job.gn = t[5], job.gk = t[6], job.dx = t[7], job.dmx = t[8], job.dlx = t[9], job.dmk = t[10], job.dlk = t[11];
    else
      job.logn = t[5], job.kl = t[6];
    job.sx = (float *)malloc((row > 0 ? row : 1) * sizeof(float));
    snprintf(message, sizeof(message), "gmvae_blas.%s: out of memory", name);
    if (!job.sx) return throw_error(env, message);
    for (i = 0; i < row; i++) job.sx[i] = expf(job.lx[i]);
    if (backward) component_backward(&job, b);
    else component_forward(&job, b);
    free(job.sx);
  }
  return NULL;
}

static napi_value component_gaussian(napi_env env, napi_callback_info cbinfo) {
  return component_entry(env, cbinfo, 0);
}

static napi_value component_gaussian_grad(napi_env env, napi_callback_info cbinfo) {
  return component_entry(env, cbinfo, 1);
}

/*
 * Sums (or means) over the leading axes of a tensor seen as [rows, cols]: out[c] = sum_r in[r, c].
 * Batch normalisation reduces NHWC activations over N, H and W, and every bias gradient is such
 * a sum over the batch; wasm's Sum reduces only trailing axes, so it transposes the whole tensor
 * first, which made these sums the largest elementwise cost of a conv training step. Here one
 * pass, in double precision (so that 50,000-row sums lose nothing to rounding), on the calling
 * thread like the other memory-bound kernels below (see ELEMENTWISE THREADS).
 */

static void column_sums(const float *restrict in, size_t rows, size_t cols, double *restrict acc) {
  size_t r, c;
  for (c = 0; c < cols; c++) acc[c] = 0.0;
  for (r = 0; r < rows; r++) {
    const float *restrict row = in + r * cols;
    for (c = 0; c < cols; c++) acc[c] += (double)row[c];
  }
}

/* reduceColumns(buffer, inOffset, outOffset, rows, cols, mean) */
static napi_value reduce_columns(napi_env env, napi_callback_info cbinfo) {
  size_t byte_length, rows, cols, c;
  napi_value argv[6];
  char *base;
  double in_off, out_off, rows_d, cols_d, *sums;
  bool mean;

  if (!buffer_arguments(env, cbinfo, "reduceColumns", 6, argv, &base, &byte_length)) return NULL;
  CHECK(env, napi_get_value_double(env, argv[1], &in_off));
  CHECK(env, napi_get_value_double(env, argv[2], &out_off));
  CHECK(env, napi_get_value_double(env, argv[3], &rows_d));
  CHECK(env, napi_get_value_double(env, argv[4], &cols_d));
  CHECK(env, napi_get_value_bool(env, argv[5], &mean));
  if (!is_count(rows_d) || !is_count(cols_d) || !is_count(rows_d * cols_d))
    return throw_error(env, "gmvae_blas.reduceColumns: bad dimensions");
  rows = (size_t)rows_d;
  cols = (size_t)cols_d;
  if (!in_range(in_off, rows * cols, byte_length) || !in_range(out_off, cols, byte_length))
    return throw_error(env, "gmvae_blas.reduceColumns: operand outside the buffer");
  sums = (double *)malloc((cols > 0 ? cols : 1) * sizeof(double));
  if (!sums) return throw_error(env, "gmvae_blas.reduceColumns: out of memory");
  column_sums((const float *)(base + (size_t)in_off), rows, cols, sums);
  {
    float *out = (float *)(base + (size_t)out_off);
    /* The mean of no rows is 0, as the cpu backend has it (wasm's leaves memory unset). */
    for (c = 0; c < cols; c++) out[c] = (float)(mean && rows > 0 ? sums[c] / (double)rows : sums[c]);
  }
  free(sums);
  return NULL;
}

/*
 * Elementwise Add, Sub, Mul and Div of float32 tensors, each operand either the output's full
 * size or one row repeated (a shape equal to the output's trailing axes: a bias or a batch
 * normalisation vector over NHWC activations, or a scalar). wasm's kernels compute a broadcast
 * index per element; on the conv network's activations they were several times slower than a
 * pass over memory. Each result is the float32 operation itself, as on the other backends.
 *
 * ELEMENTWISE THREADS: this kernel, reduceColumns, batchNorm, the mixture's Gaussian terms and
 * Adam run on the calling thread. They are bound by memory (or take a millisecond), so a second
 * thread gains little even on an idle machine, and each call that starts one waits for it to be
 * scheduled: on a busy two-core machine (load 9) an A/B in one process of a step's worth of these
 * ops on [100, 18, 18, 32] took 0.68 ms on average on one thread against 4.2 ms on two (medians
 * 0.65 and 1.54). The convolutions keep parallel_for: each thread's share is milliseconds of
 * im2col and sgemm (see "Convolutions").
 */
enum { BINARY_ADD = 0, BINARY_SUB = 1, BINARY_MUL = 2, BINARY_DIV = 3 };

/* out = a op b over n values, a and b both stepping (a_step or b_step 0: that operand fixed). */
#define BINARY_LOOP(OPERATOR)                                                       \
  do {                                                                              \
    if (a_step && b_step)                                                           \
      for (i = 0; i < n; i++) out[i] = a[i] OPERATOR b[i];                          \
    else if (a_step)                                                                \
      for (i = 0; i < n; i++) out[i] = a[i] OPERATOR b0;                            \
    else                                                                            \
      for (i = 0; i < n; i++) out[i] = a0 OPERATOR b[i];                            \
  } while (0)

static void binary_row(int op, const float *restrict a, int a_step, const float *restrict b, int b_step,
                       float *restrict out, size_t n) {
  const float a0 = a[0], b0 = b[0];
  size_t i;
  switch (op) {
    case BINARY_ADD: BINARY_LOOP(+); break;
    case BINARY_SUB: BINARY_LOOP(-); break;
    case BINARY_MUL: BINARY_LOOP(*); break;
    default: BINARY_LOOP(/); break;
  }
}

/* out = a op b over out_len values, the shorter operand (`period` values, dividing out_len)
 * repeated: equal lengths or a scalar in one pass, otherwise row by row. */
static void binary_apply(int op, const float *a, size_t a_len, const float *b, size_t b_len, float *out,
                         size_t out_len, size_t period) {
  size_t r;
  if (period == 1 || a_len == b_len) {
    binary_row(op, a, a_len == out_len, b, b_len == out_len, out, out_len);
    return;
  }
  for (r = 0; r < out_len / period; r++)
    binary_row(op, a + (a_len == period ? 0 : r * period), 1, b + (b_len == period ? 0 : r * period), 1,
               out + r * period, period);
}

/* binary(buffer, op, aOffset, aLength, bOffset, bLength, outOffset, outLength) */
static napi_value binary(napi_env env, napi_callback_info cbinfo) {
  size_t byte_length, i, lengths[3], period;
  napi_value argv[8];
  char *base;
  double d[6];
  int32_t op;

  if (!buffer_arguments(env, cbinfo, "binary", 8, argv, &base, &byte_length)) return NULL;
  CHECK(env, napi_get_value_int32(env, argv[1], &op));
  if (op < BINARY_ADD || op > BINARY_DIV) return throw_error(env, "gmvae_blas.binary: unknown operation");
  for (i = 0; i < 6; i++) CHECK(env, napi_get_value_double(env, argv[2 + i], &d[i]));
  for (i = 0; i < 3; i++) {
    if (!is_count(d[2 * i + 1])) return throw_error(env, "gmvae_blas.binary: bad length");
    lengths[i] = (size_t)d[2 * i + 1];
  }
  /* The shorter operand is one row of the output, the longer the whole of it. */
  period = lengths[0] < lengths[1] ? lengths[0] : lengths[1];
  if ((lengths[0] != lengths[2] && lengths[1] != lengths[2]) || period == 0 || lengths[2] % period != 0)
    return throw_error(env, "gmvae_blas.binary: operand lengths do not broadcast");
  for (i = 0; i < 3; i++)
    if (!in_range(d[2 * i], lengths[i], byte_length))
      return throw_error(env, "gmvae_blas.binary: operand outside the buffer");
  binary_apply(op, (const float *)(base + (size_t)d[0]), lengths[0], (const float *)(base + (size_t)d[2]),
               lengths[1], (float *)(base + (size_t)d[4]), lengths[2], period);
  return NULL;
}

/* rows and cols (arguments 2 and 3) and epsilon (4) of a batch-norm export, rows and cols checked. */
static int norm_dimensions(napi_env env, napi_value *argv, size_t *rows, size_t *cols, double *epsilon) {
  double rows_d, cols_d;
  if (napi_get_value_double(env, argv[2], &rows_d) != napi_ok) return 0;
  if (napi_get_value_double(env, argv[3], &cols_d) != napi_ok) return 0;
  if (napi_get_value_double(env, argv[4], epsilon) != napi_ok) return 0;
  if (!is_count(rows_d) || !is_count(cols_d) || !is_count(rows_d * cols_d)) return 0;
  *rows = (size_t)rows_d, *cols = (size_t)cols_d;
  return 1;
}

/*
 * Batch normalisation's forward pass, y = offset + (x - mean) * scale / sqrt(variance + eps),
 * per channel (the last axis), in double precision and in that order, as the cpu backend
 * computes it. wasm's kernel takes an index per element and several times longer on the conv
 * network's NHWC activations. On the calling thread (see ELEMENTWISE THREADS).
 */
/* offset, scale and root (sqrt(variance + eps)): per channel, in double. */
static void norm_rows(const float *restrict x, const float *restrict mean, const double *restrict offset,
                      const double *restrict scale, const double *restrict root, float *restrict out, size_t rows,
                      size_t cols) {
  size_t r, c;
  for (r = 0; r < rows; r++)
    for (c = 0; c < cols; c++)
      out[r * cols + c] = (float)(offset[c] + ((double)x[r * cols + c] - (double)mean[c]) * scale[c] / root[c]);
}

/* batchNorm(buffer, offsets [x, mean, variance, offset, scale, out], rows, cols, epsilon); offset
 * and scale < 0 for none. */
static napi_value batch_norm(napi_env env, napi_callback_info cbinfo) {
  size_t byte_length, n_off, rows, cols, c;
  napi_value argv[5];
  char *bytes;
  double *off, epsilon, *channel;

  if (!buffer_arguments(env, cbinfo, "batchNorm", 5, argv, &bytes, &byte_length)) return NULL;
  if (!get_offsets(env, argv[1], &off, &n_off) || n_off != 6)
    return throw_error(env, "gmvae_blas.batchNorm: offsets must be a Float64Array of 6");
  if (!norm_dimensions(env, argv, &rows, &cols, &epsilon))
    return throw_error(env, "gmvae_blas.batchNorm: bad dimensions");
  {
    const size_t sizes[6] = {rows * cols, cols, cols, cols, cols, rows * cols};
    int i;
    for (i = 0; i < 6; i++) {
      if ((i == 3 || i == 4) && off[i] < 0) continue; /* no offset, no scale */
      if (!in_range(off[i], sizes[i], byte_length))
        return throw_error(env, "gmvae_blas.batchNorm: operand outside the buffer");
    }
  }
  /* Per channel: offset (0 where none), scale (1 where none), sqrt(variance + eps). */
  channel = (double *)malloc((cols > 0 ? 3 * cols : 1) * sizeof(double));
  if (!channel) return throw_error(env, "gmvae_blas.batchNorm: out of memory");
  {
    const float *variance = (const float *)(bytes + (size_t)off[2]);
    const float *offset = off[3] < 0 ? NULL : (const float *)(bytes + (size_t)off[3]);
    const float *scale = off[4] < 0 ? NULL : (const float *)(bytes + (size_t)off[4]);
    for (c = 0; c < cols; c++) {
      channel[c] = offset ? (double)offset[c] : 0.0;
      channel[cols + c] = scale ? (double)scale[c] : 1.0;
      channel[2 * cols + c] = sqrt((double)variance[c] + epsilon);
    }
  }
  norm_rows((const float *)(bytes + (size_t)off[0]), (const float *)(bytes + (size_t)off[1]), channel,
            channel + cols, channel + 2 * cols, (float *)(bytes + (size_t)off[5]), rows, cols);
  free(channel);
  return NULL;
}

/*
 * Batch normalisation in training, per channel c (the last axis) over all N rows of x [N, C]:
 *   mean_c = sum_r x[r,c] / N,   var_c = sum_r (x[r,c] - mean_c)^2 / N   (biased, as tf.moments)
 *   xhat = (x - mean_c) / sqrt(var_c + eps),   y = offset_c + scale_c * xhat
 * and its gradient from dy (mean and variance are functions of x, so dx has three parts):
 *   doffset_c = sum_r dy,   dscale_c = sum_r dy * xhat
 *   dx = scale_c / sqrt(var_c + eps) * (dy - doffset_c / N - xhat * dscale_c / N)
 * Sums and the normalisation in double. As tfjs ops (moments, batchNorm and their gradients) this
 * was about 10 kernels forward and 30 backward, each a pass over the activations, and the largest
 * cost of the conv network's step after the convolutions. On the calling thread (ELEMENTWISE
 * THREADS above).
 */
/* mean[c] and variance[c] (biased) of x [rows, cols], in double; two passes, as moments does. */
static void column_moments(const float *restrict x, size_t rows, size_t cols, double *restrict mean,
                           double *restrict variance) {
  size_t r, c;
  for (c = 0; c < cols; c++) mean[c] = 0.0, variance[c] = 0.0;
  for (r = 0; r < rows; r++)
    for (c = 0; c < cols; c++) mean[c] += (double)x[r * cols + c];
  for (c = 0; c < cols; c++) mean[c] /= (double)rows;
  for (r = 0; r < rows; r++)
    for (c = 0; c < cols; c++) {
      const double d = (double)x[r * cols + c] - mean[c];
      variance[c] += d * d;
    }
  for (c = 0; c < cols; c++) variance[c] /= (double)rows;
}

/* Checks `count` operands of batchNormTrain(Grad) against the buffer: sizes[i] floats at
 * off[i]; an operand listed in `optional` may be absent (offset < 0). */
static int norm_operands_fit(const double *off, const size_t *sizes, size_t count, unsigned optional,
                             size_t byte_length) {
  size_t i;
  for (i = 0; i < count; i++) {
    if (((optional >> i) & 1u) && off[i] < 0) continue;
    if (!in_range(off[i], sizes[i], byte_length)) return 0;
  }
  return 1;
}

/* batchNormTrain(buffer, offsets [x, scale, offset, y, mean, variance], rows, cols, epsilon);
 * scale or offset < 0: none (1, 0). */
static napi_value batch_norm_train(napi_env env, napi_callback_info cbinfo) {
  size_t byte_length, n_off, rows, cols, r, c;
  napi_value argv[5];
  char *bytes;
  double *off, epsilon, *channel;

  if (!buffer_arguments(env, cbinfo, "batchNormTrain", 5, argv, &bytes, &byte_length)) return NULL;
  if (!get_offsets(env, argv[1], &off, &n_off) || n_off != 6)
    return throw_error(env, "gmvae_blas.batchNormTrain: offsets must be a Float64Array of 6");
  if (!norm_dimensions(env, argv, &rows, &cols, &epsilon) || !(epsilon >= 0))
    return throw_error(env, "gmvae_blas.batchNormTrain: bad dimensions or epsilon");
  {
    const size_t sizes[6] = {rows * cols, cols, cols, rows * cols, cols, cols};
    if (!norm_operands_fit(off, sizes, 6, 0x6u, byte_length))
      return throw_error(env, "gmvae_blas.batchNormTrain: operand outside the buffer");
  }
  /* Per channel: mean, variance, then scale / sqrt(variance + eps) and offset, in double. */
  channel = (double *)malloc((cols > 0 ? 4 * cols : 1) * sizeof(double));
  if (!channel) return throw_error(env, "gmvae_blas.batchNormTrain: out of memory");
  {
    const float *x = (const float *)(bytes + (size_t)off[0]);
    const float *scale = off[1] < 0 ? NULL : (const float *)(bytes + (size_t)off[1]);
    const float *offset = off[2] < 0 ? NULL : (const float *)(bytes + (size_t)off[2]);
    float *y = (float *)(bytes + (size_t)off[3]), *mean = (float *)(bytes + (size_t)off[4]);
    float *variance = (float *)(bytes + (size_t)off[5]);
    double *m = channel, *v = channel + cols, *gain = channel + 2 * cols, *shift = channel + 3 * cols;
    column_moments(x, rows, cols, m, v);
    for (c = 0; c < cols; c++) {
      gain[c] = (scale ? (double)scale[c] : 1.0) / sqrt(v[c] + epsilon);
      shift[c] = offset ? (double)offset[c] : 0.0;
      mean[c] = (float)m[c], variance[c] = (float)v[c];
    }
    for (r = 0; r < rows; r++)
      for (c = 0; c < cols; c++) y[r * cols + c] = (float)(shift[c] + ((double)x[r * cols + c] - m[c]) * gain[c]);
  }
  free(channel);
  return NULL;
}

/* batchNormTrainGrad(buffer, offsets [x, scale, mean, variance, dy, dx, dscale, doffset], rows,
 * cols, epsilon): mean and variance as batchNormTrain returned them; scale < 0: none (1). */
static napi_value batch_norm_train_grad(napi_env env, napi_callback_info cbinfo) {
  size_t byte_length, n_off, rows, cols, r, c;
  napi_value argv[5];
  char *bytes;
  double *off, epsilon, *channel;

  if (!buffer_arguments(env, cbinfo, "batchNormTrainGrad", 5, argv, &bytes, &byte_length)) return NULL;
  if (!get_offsets(env, argv[1], &off, &n_off) || n_off != 8)
    return throw_error(env, "gmvae_blas.batchNormTrainGrad: offsets must be a Float64Array of 8");
  if (!norm_dimensions(env, argv, &rows, &cols, &epsilon) || !(epsilon >= 0))
    return throw_error(env, "gmvae_blas.batchNormTrainGrad: bad dimensions or epsilon");
  {
    const size_t sizes[8] = {rows * cols, cols, cols, cols, rows * cols, rows * cols, cols, cols};
    if (!norm_operands_fit(off, sizes, 8, 0x2u, byte_length))
      return throw_error(env, "gmvae_blas.batchNormTrainGrad: operand outside the buffer");
  }
  channel = (double *)malloc((cols > 0 ? 4 * cols : 1) * sizeof(double));
  if (!channel) return throw_error(env, "gmvae_blas.batchNormTrainGrad: out of memory");
  {
    const float *x = (const float *)(bytes + (size_t)off[0]);
    const float *scale = off[1] < 0 ? NULL : (const float *)(bytes + (size_t)off[1]);
    const float *mean = (const float *)(bytes + (size_t)off[2]), *variance = (const float *)(bytes + (size_t)off[3]);
    const float *dy = (const float *)(bytes + (size_t)off[4]);
    float *dx = (float *)(bytes + (size_t)off[5]), *dscale = (float *)(bytes + (size_t)off[6]);
    float *doffset = (float *)(bytes + (size_t)off[7]);
    double *rstd = channel, *sum_dy = channel + cols, *sum_dy_xhat = channel + 2 * cols, *gain = channel + 3 * cols;
    for (c = 0; c < cols; c++) {
      rstd[c] = 1.0 / sqrt((double)variance[c] + epsilon);
      sum_dy[c] = 0.0, sum_dy_xhat[c] = 0.0;
    }
    for (r = 0; r < rows; r++)
      for (c = 0; c < cols; c++) {
        const double g = (double)dy[r * cols + c];
        sum_dy[c] += g;
        sum_dy_xhat[c] += g * ((double)x[r * cols + c] - (double)mean[c]) * rstd[c];
      }
    for (c = 0; c < cols; c++) {
      gain[c] = (scale ? (double)scale[c] : 1.0) * rstd[c];
      doffset[c] = (float)sum_dy[c], dscale[c] = (float)sum_dy_xhat[c];
      sum_dy[c] /= (double)rows, sum_dy_xhat[c] /= (double)rows;
    }
    for (r = 0; r < rows; r++)
      for (c = 0; c < cols; c++) {
        const double xhat = ((double)x[r * cols + c] - (double)mean[c]) * rstd[c];
        dx[r * cols + c] = (float)(gain[c] * ((double)dy[r * cols + c] - sum_dy[c] - xhat * sum_dy_xhat[c]));
      }
  }
  free(channel);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"info", NULL, info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"matmul", NULL, matmul, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adam", NULL, adam, NULL, NULL, NULL, napi_enumerable, NULL},
      {"resetAdam", NULL, reset_adam, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exp", NULL, exp_kernel, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2d", NULL, conv2d, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dBackpropInput", NULL, conv2d_backprop_input, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dBackpropFilter", NULL, conv2d_backprop_filter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"componentGaussian", NULL, component_gaussian, NULL, NULL, NULL, napi_enumerable, NULL},
      {"componentGaussianGrad", NULL, component_gaussian_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"reduceColumns", NULL, reduce_columns, NULL, NULL, NULL, napi_enumerable, NULL},
      {"binary", NULL, binary, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchNorm", NULL, batch_norm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchNormTrain", NULL, batch_norm_train, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchNormTrainGrad", NULL, batch_norm_train_grad, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }

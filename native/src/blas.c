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
 *   info() -> { library, config, threads }
 *   matmul(buffer, aOffsets, bOffsets, cOffsets, m, n, k, transA, transB, biasOffset, activation, alpha)
 *     For each i: C_i[m,n] = act(op(A_i) op(B_i) + bias), row-major, op = transpose when asked.
 *     a/b/cOffsets: Float64Array of byte offsets (one per batch; broadcasting is the caller's
 *     choice of offsets). biasOffset < 0: no bias; otherwise a [n] row added to every row.
 *     activation: 0 linear, 1 relu, 2 relu6, 3 sigmoid, 4 elu, 5 leaky relu (slope alpha).
 *   adam(buffer, offsets, count, beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, negLr)
 *     One Adam update of `count` parameters in a single pass (see adam() below).
 *     offsets: Float64Array [value, gradient, m, v, accBeta1, accBeta2, newValue, newM, newV].
 *   exp(buffer, inOffset, outOffset, count)
 *     out = exp(in) elementwise (wasm's Exp calls a scalar libm expf compiled to WebAssembly,
 *     about ten times slower than the native one on the [B, K, Dx] tensors of p(z|x,w)).
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
#include <string.h>

#if defined(USE_ACCELERATE)
#include <Accelerate/Accelerate.h>
#define BLAS_LIBRARY "Accelerate"
#else
#include <cblas.h>
#define BLAS_LIBRARY "OpenBLAS"
/* Declared here rather than taken from cblas.h: Debian's generic cblas.h lacks them. */
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
#endif

#define CHECK(env, call)                                                  \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error((env), NULL, "gmvae_blas: Node-API call failed");  \
      return NULL;                                                        \
    }                                                                     \
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
  int threads = 1;
  const char *config = BLAS_LIBRARY;
  (void)cbinfo;
#if !defined(USE_ACCELERATE)
  threads = openblas_get_num_threads();
  config = openblas_get_config();
#endif
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_string_utf8(env, BLAS_LIBRARY, NAPI_AUTO_LENGTH, &value));
  CHECK(env, napi_set_named_property(env, result, "library", value));
  CHECK(env, napi_create_string_utf8(env, config, NAPI_AUTO_LENGTH, &value));
  CHECK(env, napi_set_named_property(env, result, "config", value));
  CHECK(env, napi_create_int32(env, threads, &value));
  CHECK(env, napi_set_named_property(env, result, "threads", value));
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

static napi_value matmul(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 12;
  napi_value argv[12];
  void *base;
  size_t byte_length, batch, nb, nc, i;
  double *a_off, *b_off, *c_off, bias_offset, alpha_d;
  int32_t m, n, k, activation;
  bool trans_a, trans_b, is_buffer;

  CHECK(env, napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL));
  if (argc != 12) return throw_error(env, "gmvae_blas.matmul: expected 12 arguments");
  CHECK(env, napi_is_arraybuffer(env, argv[0], &is_buffer));
  if (!is_buffer) return throw_error(env, "gmvae_blas.matmul: argument 1 must be an ArrayBuffer");
  CHECK(env, napi_get_arraybuffer_info(env, argv[0], &base, &byte_length));
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
    const float *a = (const float *)((char *)base + (size_t)a_off[i]);
    const float *b = (const float *)((char *)base + (size_t)b_off[i]);
    float *c = (float *)((char *)base + (size_t)c_off[i]);
    float beta = 0.0f;
    if (m == 0 || n == 0) continue;
    if (bias_offset >= 0) {
      /* C starts as the bias row repeated, and sgemm adds the product to it (beta = 1). */
      const float *bias = (const float *)((char *)base + (size_t)bias_offset);
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
 * bandwidth, so large tensors are split over as many threads as BLAS uses.
 */
typedef struct {
  const float *value, *grad, *m, *v;
  float *out_value, *out_m, *out_v;
  float beta1, one_minus_beta1, beta2, one_minus_beta2, epsilon, neg_lr, correction1, correction2;
  size_t begin, end;
} adam_job;

static void *adam_range(void *arg) {
  const adam_job *j = (const adam_job *)arg;
  size_t i;
  for (i = j->begin; i < j->end; i++) {
    const float g = j->grad[i];
    const float m1 = j->m[i] * j->beta1 + g * j->one_minus_beta1;
    const float v1 = j->v[i] * j->beta2 + (g * g) * j->one_minus_beta2;
    const float step = (m1 / j->correction1) / (sqrtf(v1 / j->correction2) + j->epsilon);
    j->out_m[i] = m1;
    j->out_v[i] = v1;
    j->out_value[i] = step * j->neg_lr + j->value[i];
  }
  return NULL;
}

/* Below this many parameters a second thread costs more than it saves. */
#define ADAM_PARALLEL_MIN (1u << 18)
#define ADAM_MAX_THREADS 16

static int blas_threads(void) {
#if defined(USE_ACCELERATE)
  return 1;
#else
  return openblas_get_num_threads();
#endif
}

static void adam_parallel(adam_job *whole, size_t count) {
  adam_job jobs[ADAM_MAX_THREADS];
  pthread_t threads[ADAM_MAX_THREADS];
  int started[ADAM_MAX_THREADS] = {0};
  int n = count >= ADAM_PARALLEL_MIN ? blas_threads() : 1, t;
  if (n < 1) n = 1;
  if (n > ADAM_MAX_THREADS) n = ADAM_MAX_THREADS;
  for (t = 0; t < n; t++) {
    jobs[t] = *whole;
    jobs[t].begin = count * (size_t)t / (size_t)n;
    jobs[t].end = count * (size_t)(t + 1) / (size_t)n;
  }
  /* Threads 1..n-1 in the background (a failed start runs on this thread), 0 here. */
  for (t = 1; t < n; t++) started[t] = pthread_create(&threads[t], NULL, adam_range, &jobs[t]) == 0;
  adam_range(&jobs[0]);
  for (t = 1; t < n; t++) {
    if (started[t]) pthread_join(threads[t], NULL);
    else adam_range(&jobs[t]);
  }
}

static napi_value adam(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 9, n_off;
  napi_value argv[9];
  void *base;
  size_t byte_length;
  double *off, count_d, p[6];
  bool is_buffer;
  int j;

  CHECK(env, napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL));
  if (argc != 9) return throw_error(env, "gmvae_blas.adam: expected 9 arguments");
  CHECK(env, napi_is_arraybuffer(env, argv[0], &is_buffer));
  if (!is_buffer) return throw_error(env, "gmvae_blas.adam: argument 1 must be an ArrayBuffer");
  CHECK(env, napi_get_arraybuffer_info(env, argv[0], &base, &byte_length));
  if (!get_offsets(env, argv[1], &off, &n_off) || n_off != 9)
    return throw_error(env, "gmvae_blas.adam: offsets must be a Float64Array of 9");
  CHECK(env, napi_get_value_double(env, argv[2], &count_d));
  for (j = 0; j < 6; j++) CHECK(env, napi_get_value_double(env, argv[3 + j], &p[j]));
  if (!(count_d >= 0) || count_d != floor(count_d)) return throw_error(env, "gmvae_blas.adam: bad count");
  {
    const size_t count = (size_t)count_d;
    const size_t sizes[9] = {count, count, count, count, 1, 1, count, count, count};
    for (j = 0; j < 9; j++)
      if (!in_range(off[j], sizes[j], byte_length)) return throw_error(env, "gmvae_blas.adam: operand outside the buffer");
  }
  {
    char *b = (char *)base;
    adam_job job;
    job.value = (const float *)(b + (size_t)off[0]);
    job.grad = (const float *)(b + (size_t)off[1]);
    job.m = (const float *)(b + (size_t)off[2]);
    job.v = (const float *)(b + (size_t)off[3]);
    job.out_value = (float *)(b + (size_t)off[6]);
    job.out_m = (float *)(b + (size_t)off[7]);
    job.out_v = (float *)(b + (size_t)off[8]);
    job.beta1 = (float)p[0];
    job.one_minus_beta1 = (float)p[1];
    job.beta2 = (float)p[2];
    job.one_minus_beta2 = (float)p[3];
    job.epsilon = (float)p[4];
    job.neg_lr = (float)p[5];
    job.correction1 = 1.0f - *(const float *)(b + (size_t)off[4]);
    job.correction2 = 1.0f - *(const float *)(b + (size_t)off[5]);
    job.begin = 0;
    job.end = (size_t)count_d;
    adam_parallel(&job, (size_t)count_d);
  }
  return NULL;
}

static napi_value exp_kernel(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 4, byte_length, i, count;
  napi_value argv[4];
  void *base;
  double in_off, out_off, count_d;
  bool is_buffer;

  CHECK(env, napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL));
  if (argc != 4) return throw_error(env, "gmvae_blas.exp: expected 4 arguments");
  CHECK(env, napi_is_arraybuffer(env, argv[0], &is_buffer));
  if (!is_buffer) return throw_error(env, "gmvae_blas.exp: argument 1 must be an ArrayBuffer");
  CHECK(env, napi_get_arraybuffer_info(env, argv[0], &base, &byte_length));
  CHECK(env, napi_get_value_double(env, argv[1], &in_off));
  CHECK(env, napi_get_value_double(env, argv[2], &out_off));
  CHECK(env, napi_get_value_double(env, argv[3], &count_d));
  if (!(count_d >= 0) || count_d != floor(count_d)) return throw_error(env, "gmvae_blas.exp: bad count");
  count = (size_t)count_d;
  if (!in_range(in_off, count, byte_length) || !in_range(out_off, count, byte_length))
    return throw_error(env, "gmvae_blas.exp: operand outside the buffer");
  {
    const float *in = (const float *)((char *)base + (size_t)in_off);
    float *out = (float *)((char *)base + (size_t)out_off);
    for (i = 0; i < count; i++) out[i] = expf(in[i]);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"info", NULL, info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"matmul", NULL, matmul, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adam", NULL, adam, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exp", NULL, exp_kernel, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }

/*
 * RemoteK external backend ABI, version 1.
 *
 * An external backend is a shared library that the server loads with dlopen
 * when a session or the configuration names it (`"backend":
 * "my_package.my_module"` resolves to `<dir>/my_package/libmy_module.so` on
 * the backend search path). It plays the part of a Keras backend module: the
 * server forwards every graph request of a session on that backend to it.
 *
 * The interface is plain C (C99): opaque handles, fixed-width integers, and
 * views that are only valid during the call they are passed to. No C++ type,
 * allocator or exception crosses it, so a backend may be written in C, C++
 * (see backend/plugin/sdk/, which implements every entry over RemoteK's own
 * engine) or anything that can export C symbols.
 *
 * ENTRIES. A library provides entries as exported functions named
 * `remotek_backend_<entry>`. Required entries (a library lacking any of them
 * is refused, with one error naming every missing entry):
 *
 *   abi_version, create, destroy,              -- lifetime and version check
 *   placeholder, variable, constant, op,      -- graph building
 *   function, call, release,                  -- K.function and its calls
 *   read, write,                              -- K.get_value / K.set_value
 *   run_op, clear                             -- eager ops, K.clear_session
 *
 * Optional entries: `graph` (a whole graph, all or nothing; without it the
 * server refuses multi-node BuildGraph requests with UNIMPLEMENTED),
 * `describe` (a node's static spec), `ops` (declares the ops and dtypes the
 * backend runs — its per-op kernels; without it the server offers every op
 * of the engine's registry), `stats` (bytes held, node counts).
 *
 * VERSIONING. remotek_backend_abi_version() must return
 * REMOTEK_BACKEND_ABI_VERSION as the library was compiled; the server refuses
 * any other value. Additions that old libraries can ignore (new optional
 * entries) keep the version; any change to an existing signature or struct
 * bumps it.
 *
 * ERRORS. Every entry that can fail returns an RkCode: 0 on success, else a
 * canonical gRPC status code (the same numbers as absl::StatusCode), after
 * calling reply->set_error with a message naming the argument and value. The
 * server passes the code and message to the client unchanged.
 *
 * RESULTS. Results go through the RkReply callbacks the server passes in, so
 * the server owns every byte it keeps and charges it to the session's memory
 * account: set_node for a node made, add_tensor to allocate (then fill) each
 * output tensor in order, set_handle for a function handle, add_spec for a
 * function's input and output specs, add_op for `ops`.
 *
 * THREADS. The server calls entries on one session from many threads at
 * once (e.g. concurrent calls of a function while another thread reads a
 * variable), exactly as Keras users share one backend session across
 * threads. A backend must make that safe; `create` and `destroy` of a session
 * are never concurrent with other calls on it. Entries on different sessions
 * never share state the backend has not made thread-safe itself.
 *
 * MEMORY. Views (RkTensor, strings, arrays) passed into an entry are owned
 * by the server and valid only until the entry returns; a backend copies what
 * it keeps. Nothing a backend allocates is ever freed by the server, and vice
 * versa.
 */
#ifndef REMOTEK_BACKEND_PLUGIN_REMOTEK_BACKEND_ABI_H_
#define REMOTEK_BACKEND_PLUGIN_REMOTEK_BACKEND_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REMOTEK_BACKEND_ABI_VERSION 1u

#if defined(__GNUC__)
#define REMOTEK_BACKEND_EXPORT __attribute__((visibility("default")))
#else
#define REMOTEK_BACKEND_EXPORT
#endif

/* A canonical status code: 0 OK, 3 INVALID_ARGUMENT, 5 NOT_FOUND,
 * 8 RESOURCE_EXHAUSTED, 9 FAILED_PRECONDITION, 10 ABORTED, 12 UNIMPLEMENTED,
 * 13 INTERNAL (the numbers of grpc::StatusCode and absl::StatusCode). */
typedef int32_t RkCode;

/* Element types: the numbers of remotek.v1.DType. */
enum {
  RK_DTYPE_FLOAT16 = 1,
  RK_DTYPE_FLOAT32 = 2,
  RK_DTYPE_FLOAT64 = 3,
  RK_DTYPE_INT8 = 4,
  RK_DTYPE_INT16 = 5,
  RK_DTYPE_INT32 = 6,
  RK_DTYPE_INT64 = 7,
  RK_DTYPE_UINT8 = 8,
  RK_DTYPE_BOOL = 9
};

/* Node kinds, as reported through set_node. */
enum { RK_NODE_PLACEHOLDER = 0, RK_NODE_VARIABLE = 1, RK_NODE_CONSTANT = 2, RK_NODE_OP = 3 };

/* Dims of static shapes may be RK_UNKNOWN_DIM (Keras's None). */
#define RK_UNKNOWN_DIM (-1)

/* A session of the backend: one Keras graph, its variables and functions. */
typedef struct RkSession RkSession;

/* The Keras settings of a session, validated by the server. */
typedef struct RkConfig {
  int32_t floatx;            /* RK_DTYPE_FLOAT16/32/64 */
  double epsilon;            /* > 0 */
  int32_t channels_first;    /* image_data_format: 0 channels_last, 1 channels_first */
  /* The session's memory quota in bytes (0: none). The server charges what
   * it receives to its own account; a backend should refuse allocations past
   * this with RESOURCE_EXHAUSTED so that what it holds is bounded too. */
  int64_t memory_limit_bytes;
} RkConfig;

/* A dense row-major little-endian tensor (bool: one byte, 0 or 1). */
typedef struct RkTensor {
  int32_t dtype;
  int32_t rank;
  const int64_t* dims;       /* rank entries, all known */
  const void* data;
  uint64_t byte_size;        /* product of dims times the element size */
} RkTensor;

/* One op attribute (Keras argument): kind tells which field holds it. */
enum {
  RK_ATTR_INT = 1,
  RK_ATTR_FLOAT = 2,
  RK_ATTR_BOOL = 3,
  RK_ATTR_STRING = 4,
  RK_ATTR_INTS = 5,
  RK_ATTR_FLOATS = 6
};
typedef struct RkAttr {
  const char* name;
  int32_t kind;
  int64_t i;                 /* RK_ATTR_INT, RK_ATTR_BOOL (0 or 1) */
  double f;                  /* RK_ATTR_FLOAT */
  const char* s;             /* RK_ATTR_STRING */
  const int64_t* ints;       /* RK_ATTR_INTS, `count` entries */
  const double* floats;      /* RK_ATTR_FLOATS, `count` entries */
  int64_t count;
} RkAttr;

/* An initializer for variable(): K.zeros, K.ones, K.eye, K.constant,
 * K.random_uniform_variable, K.random_normal_variable, K.truncated_normal. */
enum {
  RK_INIT_ZEROS = 0,
  RK_INIT_ONES = 1,
  RK_INIT_EYE = 2,
  RK_INIT_CONSTANT = 3,
  RK_INIT_RANDOM_UNIFORM = 4,
  RK_INIT_RANDOM_NORMAL = 5,
  RK_INIT_TRUNCATED_NORMAL = 6
};
typedef struct RkInitializer {
  int32_t kind;
  double value;              /* constant */
  double low, high;          /* random_uniform */
  double mean, stddev;       /* random_normal, truncated_normal */
  int32_t has_seed;
  uint64_t seed;
} RkInitializer;

/* One node of a graph request. `name` may be "" for a generated Keras name
 * (placeholder_1, variable_2, ...). Inputs of op nodes name existing handles
 * or, inside `graph`, the name of another node of the same request. */
typedef struct RkNode {
  int32_t kind;              /* RK_NODE_* */
  const char* name;
  int32_t dtype;             /* 0: the default (floatx, or the value's dtype) */
  /* placeholder: rank >= 0 gives a shape (dims may be unknown); rank < 0
   * means no shape, and then ndim gives the number of unknown dims.
   * variable with an initializer: the shape (all dims known). */
  int32_t rank;
  const int64_t* dims;
  int32_t ndim;
  const RkTensor* value;             /* variable (unless initializer), constant */
  const RkInitializer* initializer;  /* variable only; NULL when value is set */
  const char* op;                    /* op nodes */
  const char* const* inputs;
  int32_t num_inputs;
  const RkAttr* attrs;
  int32_t num_attrs;
} RkNode;

/* One argument of run_op: a handle of a value the session holds (variable or
 * constant) when `handle` is not NULL, else the inline tensor. */
typedef struct RkArg {
  const char* handle;
  RkTensor tensor;
} RkArg;

typedef struct RkStats {
  int64_t bytes_held;
  int64_t peak_bytes;
  int32_t nodes;
  int32_t variables;
  int32_t functions;
} RkStats;

/* Where an entry reports its results; `host` goes back to every callback. */
typedef struct RkReply {
  void* host;
  /* Records the error the entry is about to return. */
  void (*set_error)(void* host, RkCode code, const char* message);
  /* A node now in the graph: handle, RK_NODE_* kind and static spec. */
  void (*set_node)(void* host, const char* handle, int32_t kind, int32_t dtype, int32_t rank,
                   const int64_t* dims);
  /* Allocates the next result tensor and returns its buffer (byte size =
   * product of dims times the element size) for the backend to fill. NULL
   * when the session's memory quota refuses: return RESOURCE_EXHAUSTED (8). */
  void* (*add_tensor)(void* host, int32_t dtype, int32_t rank, const int64_t* dims);
  /* The handle of a function made by `function`. */
  void (*set_handle)(void* host, const char* handle);
  /* A static spec of a function input (is_output 0) or output (1), in order. */
  void (*add_spec)(void* host, int32_t is_output, int32_t dtype, int32_t rank,
                   const int64_t* dims);
  /* One op the backend runs, with a bit mask of dtypes (bit d = RK_DTYPE d). */
  void (*add_op)(void* host, const char* op, uint32_t dtype_mask);
} RkReply;

/* ---- required entries ---- */

/* REMOTEK_BACKEND_ABI_VERSION as compiled into the library. */
REMOTEK_BACKEND_EXPORT uint32_t remotek_backend_abi_version(void);

/* A new, empty session with `config`; *session is set on success. */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_create(const RkConfig* config, RkSession** session,
                                                     const RkReply* reply);
/* Frees everything the session holds. Never fails. */
REMOTEK_BACKEND_EXPORT void remotek_backend_destroy(RkSession* session);

/* K.placeholder, K.variable, K.constant and an op node; each reports the node
 * through set_node. `node->kind` matches the entry. */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_placeholder(RkSession* session, const RkNode* node,
                                                          const RkReply* reply);
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_variable(RkSession* session, const RkNode* node,
                                                       const RkReply* reply);
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_constant(RkSession* session, const RkNode* node,
                                                       const RkReply* reply);
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_op(RkSession* session, const RkNode* node,
                                                 const RkReply* reply);

/* K.function(inputs, outputs, updates): updates are (update_variables[i] <-
 * update_values[i]). Reports the handle (set_handle; `name` "" for a
 * generated one) and the input then output specs (add_spec). */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_function(
    RkSession* session, const char* name, const char* const* inputs, int32_t num_inputs,
    const char* const* outputs, int32_t num_outputs, const char* const* update_variables,
    const char* const* update_values, int32_t num_updates, const RkReply* reply);
/* Calls a function on feeds (in input order): one add_tensor per output, and
 * the updates applied atomically. */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_call(RkSession* session, const char* function,
                                                   const RkTensor* feeds, int32_t num_feeds,
                                                   const RkReply* reply);
/* Drops a function. */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_release(RkSession* session, const char* function,
                                                      const RkReply* reply);

/* K.get_value: one add_tensor. */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_read(RkSession* session, const char* handle,
                                                   const RkReply* reply);
/* K.set_value: the value is cast to the variable's dtype; shapes must match. */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_write(RkSession* session, const char* handle,
                                                    const RkTensor* value, const RkReply* reply);

/* Runs one op now: one add_tensor. When keep_as is not NULL ("" for a
 * generated name) the result is also kept as a constant, reported by set_node. */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_run_op(RkSession* session, const char* op,
                                                     const RkArg* args, int32_t num_args,
                                                     const RkAttr* attrs, int32_t num_attrs,
                                                     const char* keep_as, const RkReply* reply);

/* K.clear_session: drops graph, values, functions and name counters. */
REMOTEK_BACKEND_EXPORT void remotek_backend_clear(RkSession* session);

/* ---- optional entries ---- */

/* Adds all nodes or none: one set_node per node, in request order. */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_graph(RkSession* session, const RkNode* nodes,
                                                    int32_t num_nodes, const RkReply* reply);
/* The static spec of a node, through set_node. */
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_describe(RkSession* session, const char* handle,
                                                       const RkReply* reply);
/* The ops the backend runs: one add_op per op. */
REMOTEK_BACKEND_EXPORT void remotek_backend_ops(const RkReply* reply);
/* Memory and graph size of a session. */
REMOTEK_BACKEND_EXPORT void remotek_backend_stats(RkSession* session, RkStats* stats);

/* Entry signatures as pointer types, for loaders. */
typedef uint32_t (*RkAbiVersionFn)(void);
typedef RkCode (*RkCreateFn)(const RkConfig*, RkSession**, const RkReply*);
typedef void (*RkDestroyFn)(RkSession*);
typedef RkCode (*RkNodeFn)(RkSession*, const RkNode*, const RkReply*);
typedef RkCode (*RkFunctionFn)(RkSession*, const char*, const char* const*, int32_t,
                               const char* const*, int32_t, const char* const*,
                               const char* const*, int32_t, const RkReply*);
typedef RkCode (*RkCallFn)(RkSession*, const char*, const RkTensor*, int32_t, const RkReply*);
typedef RkCode (*RkHandleFn)(RkSession*, const char*, const RkReply*);
typedef RkCode (*RkWriteFn)(RkSession*, const char*, const RkTensor*, const RkReply*);
typedef RkCode (*RkRunOpFn)(RkSession*, const char*, const RkArg*, int32_t, const RkAttr*,
                            int32_t, const char*, const RkReply*);
typedef void (*RkClearFn)(RkSession*);
typedef RkCode (*RkGraphFn)(RkSession*, const RkNode*, int32_t, const RkReply*);
typedef void (*RkOpsFn)(const RkReply*);
typedef void (*RkStatsFn)(RkSession*, RkStats*);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* REMOTEK_BACKEND_PLUGIN_REMOTEK_BACKEND_ABI_H_ */

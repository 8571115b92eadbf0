/* A deliberately broken external backend for the loader's tests, written in
 * plain C99 so that compiling it also checks the ABI header is valid C. It is
 * built once per variant: RK_OMIT_<ENTRY> leaves that required entry out,
 * RK_ABI_VERSION_OVERRIDE reports another ABI version. The loader must refuse
 * every variant before calling anything but abi_version, so the entries only
 * report UNIMPLEMENTED. */
#include "backend/plugin/remotek_backend_abi.h"

static RkCode Refuse(const RkReply* reply) {
  reply->set_error(reply->host, 12, "broken test backend");
  return 12;
}

#ifndef RK_OMIT_ABI_VERSION
uint32_t remotek_backend_abi_version(void) {
#ifdef RK_ABI_VERSION_OVERRIDE
  return RK_ABI_VERSION_OVERRIDE;
#else
  return REMOTEK_BACKEND_ABI_VERSION;
#endif
}
#endif
#ifndef RK_OMIT_CREATE
RkCode remotek_backend_create(const RkConfig* config, RkSession** session, const RkReply* reply) {
  (void)config;
  *session = 0;
  return Refuse(reply);
}
#endif
#ifndef RK_OMIT_DESTROY
void remotek_backend_destroy(RkSession* session) { (void)session; }
#endif
#define RK_NODE_ENTRY(entry)                                                        \
  RkCode remotek_backend_##entry(RkSession* s, const RkNode* node, const RkReply* reply) { \
    (void)s;                                                                         \
    (void)node;                                                                      \
    return Refuse(reply);                                                            \
  }
#ifndef RK_OMIT_PLACEHOLDER
RK_NODE_ENTRY(placeholder)
#endif
#ifndef RK_OMIT_VARIABLE
RK_NODE_ENTRY(variable)
#endif
#ifndef RK_OMIT_CONSTANT
RK_NODE_ENTRY(constant)
#endif
#ifndef RK_OMIT_OP
RK_NODE_ENTRY(op)
#endif
#ifndef RK_OMIT_FUNCTION
RkCode remotek_backend_function(RkSession* s, const char* name, const char* const* inputs,
                                int32_t num_inputs, const char* const* outputs,
                                int32_t num_outputs, const char* const* update_variables,
                                const char* const* update_values, int32_t num_updates,
                                const RkReply* reply) {
  (void)s; (void)name; (void)inputs; (void)num_inputs; (void)outputs; (void)num_outputs;
  (void)update_variables; (void)update_values; (void)num_updates;
  return Refuse(reply);
}
#endif
#ifndef RK_OMIT_CALL
RkCode remotek_backend_call(RkSession* s, const char* function, const RkTensor* feeds,
                            int32_t num_feeds, const RkReply* reply) {
  (void)s; (void)function; (void)feeds; (void)num_feeds;
  return Refuse(reply);
}
#endif
#define RK_HANDLE_ENTRY(entry)                                                       \
  RkCode remotek_backend_##entry(RkSession* s, const char* handle, const RkReply* reply) { \
    (void)s;                                                                          \
    (void)handle;                                                                     \
    return Refuse(reply);                                                             \
  }
#ifndef RK_OMIT_RELEASE
RK_HANDLE_ENTRY(release)
#endif
#ifndef RK_OMIT_READ
RK_HANDLE_ENTRY(read)
#endif
#ifndef RK_OMIT_WRITE
RkCode remotek_backend_write(RkSession* s, const char* handle, const RkTensor* value,
                             const RkReply* reply) {
  (void)s; (void)handle; (void)value;
  return Refuse(reply);
}
#endif
#ifndef RK_OMIT_RUN_OP
RkCode remotek_backend_run_op(RkSession* s, const char* op, const RkArg* args, int32_t num_args,
                              const RkAttr* attrs, int32_t num_attrs, const char* keep_as,
                              const RkReply* reply) {
  (void)s; (void)op; (void)args; (void)num_args; (void)attrs; (void)num_attrs; (void)keep_as;
  return Refuse(reply);
}
#endif
#ifndef RK_OMIT_CLEAR
void remotek_backend_clear(RkSession* s) { (void)s; }
#endif

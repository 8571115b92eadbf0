// Printing a HostTensor for people (nested brackets, like numpy's repr) and
// for scripts (JSON: {"dtype", "shape", "values"} with values nested like
// numpy's tolist()). Floats print in their shortest round-trip form, so the
// printed value reads back bit-exactly.
//
//   float32[2,2]
//   [[1, 2],
//    [3, 4.5]]
//
// Thread-safety: free functions without shared state.
#ifndef REMOTEK_TOOLS_CLI_TENSOR_FORMAT_H_
#define REMOTEK_TOOLS_CLI_TENSOR_FORMAT_H_

#include <cstdint>
#include <string>

#include "remotek/host_tensor.h"
#include "tools/cli/json_writer.h"

namespace remotek::cli {

// Element `i` (row-major) as text: "1.5", "-3", "true"; non-finite floats as
// "nan", "inf", "-inf". REQUIRES: tensor.Validate() is OK, i in range.
std::string FormatElement(const client::HostTensor& tensor, int64_t i);

// "float32[2,2]" on the first line, then the values.
// REQUIRES: tensor.Validate() is OK.
std::string FormatTensorText(const client::HostTensor& tensor);

// Writes {"dtype": ..., "shape": [...], "values": nested} as one JSON value.
void WriteTensorJson(const client::HostTensor& tensor, JsonWriter* json);

}  // namespace remotek::cli

#endif  // REMOTEK_TOOLS_CLI_TENSOR_FORMAT_H_

// Reading and writing NumPy .npy files as HostTensors, without numpy.
//
// Supported: format versions 1.0, 2.0 and 3.0 (3.0 differs from 2.0 only in
// the header's text encoding), C order, and the dtypes RemoteK carries:
//   <f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 |b1
// ('<', '|' and '=' read as little-endian; '>' only for one-byte types,
// where byte order does not matter). Refused, with INVALID_ARGUMENT naming the file and the header
// field: big-endian data, Fortran order, object / structured / other dtypes,
// a header that is not numpy's dict literal, and data whose length does not
// match the shape.
//
// Writing picks version 1.0 unless the header does not fit its 16-bit length
// (then 2.0) and pads the header exactly as numpy 1.24's numpy.save does
// (room for the first dim to grow to 21 digits, then spaces to a multiple of
// 64 bytes), so the files are byte-identical to numpy's.
//
//   HostTensor x = ReadNpyFile("a.npy").value();
//   absl::Status s = WriteNpyFile("out.npy", x);
//
// Thread-safety: free functions without shared state.
#ifndef REMOTEK_TOOLS_CLI_NPY_FORMAT_H_
#define REMOTEK_TOOLS_CLI_NPY_FORMAT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "remotek/host_tensor.h"

namespace remotek::cli {

// The .npy dtype string ("<f4", "|b1") for `dtype`; INVALID_ARGUMENT for
// kInvalid.
absl::StatusOr<std::string> NpyDescr(client::DType dtype);

// Decodes a whole .npy file held in `bytes`. `name` (usually the path)
// prefixes every error message.
absl::StatusOr<client::HostTensor> ParseNpy(absl::string_view bytes,
                                            absl::string_view name);
// Encodes `tensor` (which must pass HostTensor::Validate) as a .npy file.
absl::StatusOr<std::string> SerializeNpy(const client::HostTensor& tensor);

// File wrappers; every message names the path. Reading: NOT_FOUND when the
// file does not exist, UNKNOWN with errno's text for any other I/O failure,
// else ParseNpy's errors. Writing: UNKNOWN with errno's text when the file
// cannot be created or written.
absl::StatusOr<client::HostTensor> ReadNpyFile(const std::string& path);
absl::Status WriteNpyFile(const std::string& path,
                          const client::HostTensor& tensor);

}  // namespace remotek::cli

#endif  // REMOTEK_TOOLS_CLI_NPY_FORMAT_H_

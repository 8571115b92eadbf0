// Tensor printing for `remotek eval` without -o.
#include "tools/cli/tensor_format.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace remotek::cli {
namespace {

using client::DType;
using client::HostTensor;

bool IsFloat(DType dtype) {
  return dtype == DType::kFloat16 || dtype == DType::kFloat32 ||
         dtype == DType::kFloat64;
}

template <typename T>
std::string ShortestFloat(T value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[40];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

// Appends the elements of the sub-array starting at element `offset` along
// dims [axis, rank) in numpy's bracketed layout; rows of the last axis stay
// on one line and outer axes break lines with matching indentation.
void AppendNested(const HostTensor& tensor, int axis, int64_t offset,
                  std::string* out) {
  const auto& shape = tensor.shape();
  if (axis == tensor.rank()) {
    *out += FormatElement(tensor, offset);
    return;
  }
  int64_t stride = 1;
  for (int d = axis + 1; d < tensor.rank(); ++d) stride *= shape[d];
  out->push_back('[');
  for (int64_t i = 0; i < shape[axis]; ++i) {
    if (i > 0) {
      if (axis == tensor.rank() - 1) {
        *out += ", ";
      } else {
        *out += ",";
        out->append(static_cast<size_t>(tensor.rank() - axis - 1), '\n');
        out->append(static_cast<size_t>(axis + 1), ' ');
      }
    }
    AppendNested(tensor, axis + 1, offset + i * stride, out);
  }
  out->push_back(']');
}

void WriteNested(const HostTensor& tensor, int axis, int64_t offset,
                 JsonWriter* json) {
  if (axis == tensor.rank()) {
    if (tensor.dtype() == DType::kBool) {
      json->Bool(tensor.value<bool>(offset));
    } else if (IsFloat(tensor.dtype())) {
      json->Double(tensor.value<double>(offset));
    } else {
      json->Int(tensor.value<int64_t>(offset));
    }
    return;
  }
  int64_t stride = 1;
  for (int d = axis + 1; d < tensor.rank(); ++d) stride *= tensor.shape()[d];
  json->BeginArray();
  for (int64_t i = 0; i < tensor.shape()[axis]; ++i) {
    WriteNested(tensor, axis + 1, offset + i * stride, json);
  }
  json->EndArray();
}

}  // namespace

std::string FormatElement(const HostTensor& tensor, int64_t i) {
  switch (tensor.dtype()) {
    case DType::kFloat16:
    case DType::kFloat32:
      return ShortestFloat(tensor.value<float>(i));
    case DType::kFloat64:
      return ShortestFloat(tensor.value<double>(i));
    case DType::kBool:
      return tensor.value<bool>(i) ? "true" : "false";
    default:
      return std::to_string(tensor.value<int64_t>(i));
  }
}

std::string FormatTensorText(const HostTensor& tensor) {
  std::string out = absl::StrCat(tensor.DebugString(), "\n");
  AppendNested(tensor, 0, 0, &out);
  out.push_back('\n');
  return out;
}

void WriteTensorJson(const HostTensor& tensor, JsonWriter* json) {
  json->BeginObject();
  json->Key("dtype").String(std::string(client::DTypeName(tensor.dtype())));
  json->Key("shape").BeginArray();
  for (int64_t dim : tensor.shape()) json->Int(dim);
  json->EndArray();
  json->Key("values");
  WriteNested(tensor, 0, 0, json);
  json->EndObject();
}

}  // namespace remotek::cli

// .npy reader and writer. The header is a Python dict literal; we parse the
// small subset numpy writes (string, bool and int-tuple values) by hand
// rather than pull in a Python-literal parser.
#include "tools/cli/npy_format.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace remotek::cli {
namespace {

using client::DType;
using client::HostTensor;

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// numpy aligns the data to 64 bytes so that it can be memory-mapped.
constexpr size_t kHeaderAlignment = 64;
constexpr size_t kGrowthAxisMaxDigits = 21;

struct DescrEntry {
  const char* code;  // kind + item size, without the byte-order character
  DType dtype;
};
constexpr DescrEntry kDescrs[] = {
    {"f2", DType::kFloat16}, {"f4", DType::kFloat32}, {"f8", DType::kFloat64},
    {"i1", DType::kInt8},    {"i2", DType::kInt16},   {"i4", DType::kInt32},
    {"i8", DType::kInt64},   {"u1", DType::kUInt8},   {"b1", DType::kBool},
};

// One value of the header dict.
struct HeaderValue {
  enum class Kind { kString, kBool, kTuple };
  Kind kind = Kind::kString;
  std::string text;           // kString
  bool flag = false;          // kBool
  std::vector<int64_t> ints;  // kTuple
};

// A recursive-descent parser for numpy's header dict:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(absl::string_view text, absl::string_view name)
      : text_(text), name_(name) {}

  absl::StatusOr<std::map<std::string, HeaderValue>> ParseDict() {
    std::map<std::string, HeaderValue> dict;
    SkipSpace();
    if (!Consume('{')) return Error("expected '{' at the start of the dict");
    while (true) {
      SkipSpace();
      if (Consume('}')) break;
      absl::StatusOr<std::string> key = ParseString("a key");
      if (!key.ok()) return key.status();
      SkipSpace();
      if (!Consume(':'))
        return Error(absl::StrCat("expected ':' after '", *key, "'"));
      SkipSpace();
      absl::StatusOr<HeaderValue> value = ParseValue(*key);
      if (!value.ok()) return value.status();
      if (!dict.emplace(*key, std::move(*value)).second) {
        return Error(absl::StrCat("field '", *key, "' appears twice"));
      }
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume('}')) break;
      return Error(
          absl::StrCat("expected ',' or '}' after field '", *key, "'"));
    }
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the dict");
    return dict;
  }

 private:
  absl::StatusOr<HeaderValue> ParseValue(const std::string& key) {
    HeaderValue value;
    if (Peek() == '\'' || Peek() == '"') {
      absl::StatusOr<std::string> s =
          ParseString(absl::StrCat("field '", key, "'"));
      if (!s.ok()) return s.status();
      value.kind = HeaderValue::Kind::kString;
      value.text = *std::move(s);
      return value;
    }
    if (ConsumeWord("True")) {
      value.kind = HeaderValue::Kind::kBool;
      value.flag = true;
      return value;
    }
    if (ConsumeWord("False")) {
      value.kind = HeaderValue::Kind::kBool;
      return value;
    }
    if (Consume('(')) return ParseTuple(key);
    if (Peek() == '[') {
      return Error(absl::StrCat("header field '", key,
                                "' is a list (a structured dtype); only plain "
                                "numeric dtypes are supported"));
    }
    return Error(absl::StrCat("header field '", key,
                              "' has a value that is not a string, bool or "
                              "tuple"));
  }

  // After '(': ints separated by commas, optionally ending with one.
  absl::StatusOr<HeaderValue> ParseTuple(const std::string& key) {
    HeaderValue value;
    value.kind = HeaderValue::Kind::kTuple;
    while (true) {
      SkipSpace();
      if (Consume(')')) return value;
      const size_t start = pos_;
      if (Peek() == '-') ++pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        ++pos_;
      }
      const absl::string_view digits = text_.substr(start, pos_ - start);
      if (digits.empty() || digits == "-") {
        return Error(absl::StrCat("header field '", key,
                                  "' must be a tuple of integers"));
      }
      if (Peek() == 'L') ++pos_;  // Python 2 era files write 3L
      if (digits[0] == '-') {
        return Error(absl::StrCat("header field '", key,
                                  "' has a negative dim ", digits));
      }
      int64_t dim = 0;
      for (char c : digits) {
        if (dim > (std::numeric_limits<int64_t>::max() - 9) / 10) {
          return Error(absl::StrCat("header field '", key,
                                    "' has a dim too large: ", digits));
        }
        dim = dim * 10 + (c - '0');
      }
      value.ints.push_back(dim);
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume(')')) return value;
      return Error(
          absl::StrCat("header field '", key, "': expected ',' or ')'"));
    }
  }

  absl::StatusOr<std::string> ParseString(absl::string_view what) {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') {
      return Error(absl::StrCat("expected a quoted string for ", what));
    }
    ++pos_;
    const size_t end = text_.find(quote, pos_);
    if (end == absl::string_view::npos) {
      return Error(absl::StrCat("unterminated string for ", what));
    }
    std::string s(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }

  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  bool ConsumeWord(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(name_, ": bad .npy header: ", what, " (at byte ", pos_,
                     " of the header)"));
  }

  absl::string_view text_;
  absl::string_view name_;
  size_t pos_ = 0;
};

std::string ShapeToPython(const std::vector<int64_t>& shape) {
  if (shape.size() == 1) return absl::StrCat("(", shape[0], ",)");
  return absl::StrCat("(", absl::StrJoin(shape, ", "), ")");
}

absl::StatusOr<DType> DTypeFromDescr(const std::string& descr,
                                     absl::string_view name) {
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": header field 'descr' is '", descr, "': ", why));
  };
  if (descr.size() < 2) return bad("not a dtype string");
  const char order = descr[0];
  const std::string code = descr.substr(1);
  if (order != '<' && order != '>' && order != '|' && order != '=') {
    return bad("expected a byte-order character (<, >, | or =) first");
  }
  if (code == "O" || code.rfind("O", 0) == 0) {
    return bad("object arrays are not supported");
  }
  for (const DescrEntry& entry : kDescrs) {
    if (code != entry.code) continue;
    if (order == '>' && client::DTypeSize(entry.dtype) > 1) {
      return bad(
          "big-endian data is not supported (save it little-endian, "
          "e.g. arr.astype(arr.dtype.newbyteorder('<')))");
    }
    return entry.dtype;
  }
  return bad(
      "unsupported dtype (supported: <f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 "
      "|b1)");
}

const HeaderValue* Field(const std::map<std::string, HeaderValue>& dict,
                         const std::string& key) {
  auto it = dict.find(key);
  return it == dict.end() ? nullptr : &it->second;
}

// Checks the three fields numpy requires and returns dtype and shape.
absl::Status ReadHeaderFields(const std::map<std::string, HeaderValue>& dict,
                              absl::string_view name, DType* dtype,
                              std::vector<int64_t>* shape) {
  for (const auto& [key, value] : dict) {
    if (key != "descr" && key != "fortran_order" && key != "shape") {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": header has an unknown field '", key,
                       "' (expected descr, fortran_order, shape)"));
    }
  }
  const auto missing = [&](const char* key) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": header lacks the field '", key, "'"));
  };
  const HeaderValue* descr = Field(dict, "descr");
  const HeaderValue* fortran = Field(dict, "fortran_order");
  const HeaderValue* dims = Field(dict, "shape");
  if (descr == nullptr) return missing("descr");
  if (fortran == nullptr) return missing("fortran_order");
  if (dims == nullptr) return missing("shape");
  if (descr->kind != HeaderValue::Kind::kString) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": header field 'descr' must be a dtype string"));
  }
  if (fortran->kind != HeaderValue::Kind::kBool) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": header field 'fortran_order' must be True or False"));
  }
  if (fortran->flag) {
    return absl::InvalidArgumentError(absl::StrCat(
        name,
        ": header field 'fortran_order' is True; only C-order arrays "
        "are supported (save np.ascontiguousarray(arr))"));
  }
  if (dims->kind != HeaderValue::Kind::kTuple) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": header field 'shape' must be a tuple of integers"));
  }
  absl::StatusOr<DType> parsed = DTypeFromDescr(descr->text, name);
  if (!parsed.ok()) return parsed.status();
  *dtype = *parsed;
  *shape = dims->ints;
  return absl::OkStatus();
}

uint32_t LoadLittleEndian(absl::string_view bytes, size_t offset, int width) {
  uint32_t v = 0;
  for (int i = width - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<uint8_t>(bytes[offset + i]);
  }
  return v;
}

void AppendLittleEndian(uint32_t v, int width, std::string* out) {
  for (int i = 0; i < width; ++i)
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

absl::StatusOr<std::string> NpyDescr(DType dtype) {
  for (const DescrEntry& entry : kDescrs) {
    if (entry.dtype != dtype) continue;
    const char order = client::DTypeSize(dtype) == 1 ? '|' : '<';
    return absl::StrCat(std::string(1, order), entry.code);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "no .npy dtype for ", std::string(client::DTypeName(dtype))));
}

namespace {

// What the header says, checked against the file's length.
struct NpyLayout {
  DType dtype = DType::kInvalid;
  std::vector<int64_t> shape;
  size_t data_offset = 0;  // where the array's bytes start
};

absl::StatusOr<NpyLayout> ParseLayout(absl::string_view bytes,
                                      absl::string_view name) {
  if (bytes.size() < kMagicSize + 2 ||
      bytes.substr(0, kMagicSize) != absl::string_view(kMagic, kMagicSize)) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": not a .npy file (it does not start with \\x93NUMPY)"));
  }
  const int major = static_cast<uint8_t>(bytes[6]);
  const int minor = static_cast<uint8_t>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": unsupported .npy format version ", major, ".",
                     minor, " (supported: 1.0, 2.0, 3.0)"));
  }
  const int length_width = major == 1 ? 2 : 4;
  const size_t prefix = kMagicSize + 2 + length_width;
  if (bytes.size() < prefix) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": truncated .npy file (no header length)"));
  }
  const size_t header_len =
      LoadLittleEndian(bytes, kMagicSize + 2, length_width);
  if (bytes.size() - prefix < header_len) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": truncated .npy file (header length ", header_len,
                     " but ", bytes.size() - prefix, " bytes follow)"));
  }
  HeaderParser parser(bytes.substr(prefix, header_len), name);
  absl::StatusOr<std::map<std::string, HeaderValue>> dict = parser.ParseDict();
  if (!dict.ok()) return dict.status();
  NpyLayout layout;
  absl::Status status =
      ReadHeaderFields(*dict, name, &layout.dtype, &layout.shape);
  if (!status.ok()) return status;
  const std::vector<int64_t>& shape = layout.shape;

  const int64_t item = static_cast<int64_t>(client::DTypeSize(layout.dtype));
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (dim != 0 &&
        elements > std::numeric_limits<int64_t>::max() / item / dim) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": header field 'shape' ", ShapeToPython(shape),
                       " is too large"));
    }
    elements *= dim;
  }
  const absl::string_view data = bytes.substr(prefix + header_len);
  const int64_t needed = elements * item;
  if (static_cast<int64_t>(data.size()) != needed) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": data holds ", data.size(), " bytes but header field 'shape' ",
        ShapeToPython(shape), " of dtype '", dict->at("descr").text, "' needs ",
        needed));
  }
  layout.data_offset = prefix + header_len;
  return layout;
}

// `content` holds exactly the array's bytes.
HostTensor TensorFromData(NpyLayout layout, std::string content) {
  // numpy stores bools as 0/1 already; normalise anyway since the wire
  // contract requires exactly 0 or 1.
  if (layout.dtype == DType::kBool) {
    for (char& c : content) c = c != 0 ? 1 : 0;
  }
  return HostTensor(layout.dtype,
                    client::Dims(layout.shape.begin(), layout.shape.end()),
                    std::move(content));
}

}  // namespace

absl::StatusOr<HostTensor> ParseNpy(absl::string_view bytes,
                                    absl::string_view name) {
  absl::StatusOr<NpyLayout> layout = ParseLayout(bytes, name);
  if (!layout.ok()) return layout.status();
  const absl::string_view data = bytes.substr(layout->data_offset);
  return TensorFromData(*std::move(layout), std::string(data));
}

absl::StatusOr<std::string> SerializeNpy(const HostTensor& tensor) {
  absl::Status valid = tensor.Validate();
  if (!valid.ok()) return valid;
  absl::StatusOr<std::string> descr = NpyDescr(tensor.dtype());
  if (!descr.ok()) return descr.status();
  std::string header = absl::StrCat("{'descr': '", *descr,
                                    "', 'fortran_order': False, 'shape': ",
                                    ShapeToPython(tensor.shape()), ", }");
  // numpy (1.24) leaves room for the first dim to grow to 21 digits, so
  // that appending rows can rewrite the header in place; we pad the same
  // way so our files are byte-identical to numpy.save's.
  if (!tensor.shape().empty()) {
    header.append(
        kGrowthAxisMaxDigits - std::to_string(tensor.shape()[0]).size(), ' ');
  }
  // Version 1.0 has a 16-bit header length; 2.0 only when that overflows,
  // as numpy decides. numpy always pads (1 to 64 spaces) before the '\n'.
  int major = 1;
  size_t prefix = kMagicSize + 2 + 2;
  size_t pad =
      kHeaderAlignment - (prefix + header.size() + 1) % kHeaderAlignment;
  if (header.size() + pad + 1 > std::numeric_limits<uint16_t>::max()) {
    major = 2;
    prefix = kMagicSize + 2 + 4;
    pad = kHeaderAlignment - (prefix + header.size() + 1) % kHeaderAlignment;
  }
  header.append(pad, ' ');
  header.push_back('\n');

  std::string out(kMagic, kMagicSize);
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  AppendLittleEndian(static_cast<uint32_t>(header.size()), major == 1 ? 2 : 4,
                     &out);
  out += header;
  out += tensor.bytes();
  return out;
}

absl::StatusOr<HostTensor> ReadNpyFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int err = errno;
    const std::string why = std::strerror(err);
    if (err == ENOENT) {
      return absl::NotFoundError(
          absl::StrCat("cannot open '", path, "': ", why));
    }
    return absl::UnknownError(absl::StrCat("cannot open '", path, "': ", why));
  }
  std::string bytes;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    bytes.append(buffer, n);
  }
  const bool failed = std::ferror(file) != 0;
  const int err = errno;
  std::fclose(file);
  if (failed) {
    return absl::UnknownError(
        absl::StrCat("cannot read '", path, "': ", std::strerror(err)));
  }
  absl::StatusOr<NpyLayout> layout = ParseLayout(bytes, path);
  if (!layout.ok()) return layout.status();
  // Reuse the file's buffer for the tensor rather than copy the data.
  bytes.erase(0, layout->data_offset);
  return TensorFromData(*std::move(layout), std::move(bytes));
}

absl::Status WriteNpyFile(const std::string& path, const HostTensor& tensor) {
  absl::StatusOr<std::string> bytes = SerializeNpy(tensor);
  if (!bytes.ok()) {
    return absl::Status(bytes.status().code(),
                        absl::StrCat(path, ": ", bytes.status().message()));
  }
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return absl::UnknownError(
        absl::StrCat("cannot create '", path, "': ", std::strerror(errno)));
  }
  const bool wrote =
      std::fwrite(bytes->data(), 1, bytes->size(), file) == bytes->size();
  const int write_err = errno;
  const bool closed = std::fclose(file) == 0;
  if (!wrote || !closed) {
    return absl::UnknownError(
        absl::StrCat("cannot write '", path,
                     "': ", std::strerror(wrote ? errno : write_err)));
  }
  return absl::OkStatus();
}

}  // namespace remotek::cli

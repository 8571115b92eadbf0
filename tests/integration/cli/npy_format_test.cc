// Unit tests of the CLI's .npy reader/writer (tools/cli/npy_format.h): round
// trips for every supported dtype, exact bytes numpy would write, headers
// numpy writes in other spellings, and precise rejections naming the file and
// the header field.
#include "tools/cli/npy_format.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek::cli {
namespace {

using client::DType;
using client::HostTensor;
using ::remotek::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// A .npy file with `header` (the dict text) and `data`, padded like numpy.
std::string MakeNpy(const std::string& header, const std::string& data,
                    int major = 1) {
  std::string padded = header;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + padded.size() + 1) % 64 != 0) padded.push_back(' ');
  padded.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  const int width = major == 1 ? 2 : 4;
  for (int i = 0; i < width; ++i) {
    out.push_back(static_cast<char>((padded.size() >> (8 * i)) & 0xff));
  }
  return out + padded + data;
}

std::string FloatBytes(const std::vector<float>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()),
                     values.size() * sizeof(float));
}

// The exact bytes numpy 1.24's numpy.save writes before the data: the dict,
// room for the first dim to grow to 21 digits, spaces up to a multiple of 64
// bytes, '\n'.
std::string NumpyHeader(const std::string& dict, size_t spaces) {
  return std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
         std::string(spaces, ' ') + "\n";
}

TEST(NpyFormat, SerializesExactlyAsNumpyDoes) {
  // np.save(f, np.arange(6, dtype=np.float32).reshape(2, 3))
  const HostTensor t =
      HostTensor::FromVector<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  ASSERT_OK_AND_ASSIGN(std::string bytes, SerializeNpy(t));
  EXPECT_EQ(bytes, NumpyHeader("{'descr': '<f4', 'fortran_order': False, "
                               "'shape': (2, 3), }",
                               58) +
                       FloatBytes({0, 1, 2, 3, 4, 5}));
  // np.save(f, np.int64(7))
  ASSERT_OK_AND_ASSIGN(std::string scalar,
                       SerializeNpy(HostTensor::Scalar<int64_t>(7)));
  EXPECT_EQ(scalar,
            NumpyHeader(
                "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", 62) +
                std::string("\x07\0\0\0\0\0\0\0", 8));
  // np.save(f, np.array([1, 2, 3], np.int32))
  ASSERT_OK_AND_ASSIGN(
      std::string vec,
      SerializeNpy(HostTensor::FromVector<int32_t>({3}, {1, 2, 3})));
  EXPECT_EQ(
      vec.substr(0, 128),
      NumpyHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                  60));
  EXPECT_EQ(vec.size(), 128u + 12u);
}

TEST(NpyFormat, RoundTripsEveryDType) {
  const std::vector<HostTensor> tensors = {
      HostTensor::FromFloat16Bits({2}, {0x3c00, 0xc000}),  // 1.0, -2.0
      HostTensor::FromVector<float>({2, 2}, {1.5f, -2, 3, 4}),
      HostTensor::FromVector<double>({3}, {1e-300, -0.0, 7}),
      HostTensor::FromVector<int8_t>({2}, {-128, 127}),
      HostTensor::FromVector<int16_t>({2}, {-32768, 32767}),
      HostTensor::FromVector<int32_t>({1, 2}, {-5, 1 << 30}),
      HostTensor::FromVector<int64_t>({2}, {int64_t{1} << 40, -1}),
      HostTensor::FromVector<uint8_t>({3}, {0, 200, 255}),
      HostTensor::FromVector<bool>({2, 1}, {true, false}),
      HostTensor::FromVector<float>({0, 3}, {}),
      HostTensor::Scalar<double>(2.5),
  };
  const std::vector<std::string> descrs = {"<f2", "<f4", "<f8", "|i1",
                                           "<i2", "<i4", "<i8", "|u1",
                                           "|b1", "<f4", "<f8"};
  for (size_t i = 0; i < tensors.size(); ++i) {
    SCOPED_TRACE(tensors[i].DebugString());
    ASSERT_OK_AND_ASSIGN(std::string bytes, SerializeNpy(tensors[i]));
    EXPECT_THAT(bytes, HasSubstr("'descr': '" + descrs[i] + "'"));
    EXPECT_EQ((bytes.size() - tensors[i].bytes().size()) % 64, 0u);
    ASSERT_OK_AND_ASSIGN(HostTensor back, ParseNpy(bytes, "t.npy"));
    EXPECT_EQ(back, tensors[i]);
  }
}

TEST(NpyFormat, ReadsVersion2AndOtherHeaderSpellings) {
  const std::string data = FloatBytes({1, 2});
  // Version 2.0 (32-bit header length), double quotes, no trailing comma,
  // keys in another order, extra spaces, a Python 2 long.
  ASSERT_OK_AND_ASSIGN(
      HostTensor v2,
      ParseNpy(MakeNpy("{\"shape\": ( 2L , ) ,\"fortran_order\":False,"
                       "  \"descr\": \"<f4\"}",
                       data, 2),
               "v2.npy"));
  EXPECT_EQ(v2, HostTensor::FromVector<float>({2}, {1, 2}));
  // Single-byte types with any byte-order character.
  ASSERT_OK_AND_ASSIGN(
      HostTensor u8,
      ParseNpy(
          MakeNpy("{'descr': '<u1', 'fortran_order': False, 'shape': (2,), }",
                  std::string("\x01\xff", 2)),
          "u8.npy"));
  EXPECT_EQ(u8.values<int>(), (std::vector<int>{1, 255}));
  ASSERT_OK_AND_ASSIGN(
      HostTensor i8,
      ParseNpy(
          MakeNpy("{'descr': '>i1', 'fortran_order': False, 'shape': (1,), }",
                  std::string("\xff", 1)),
          "i8.npy"));
  EXPECT_EQ(i8.values<int>(), (std::vector<int>{-1}));
}

TEST(NpyFormat, RejectsBigEndianNamingFileAndField) {
  EXPECT_THAT(
      ParseNpy(
          MakeNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
                  FloatBytes({1, 2})),
          "big.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("big.npy"), HasSubstr("'descr'"),
                     HasSubstr("'>f4'"), HasSubstr("big-endian"))));
}

TEST(NpyFormat, RejectsFortranOrder) {
  EXPECT_THAT(
      ParseNpy(
          MakeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }",
                  FloatBytes({1, 2})),
          "f.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("f.npy"), HasSubstr("'fortran_order' is True"),
                     HasSubstr("C-order"))));
}

TEST(NpyFormat, RejectsObjectStructuredAndUnsupportedDTypes) {
  EXPECT_THAT(
      ParseNpy(
          MakeNpy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
                  std::string(8, '\0')),
          "obj.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("obj.npy"), HasSubstr("'descr' is '|O'"),
                     HasSubstr("object arrays are not supported"))));
  EXPECT_THAT(
      ParseNpy(MakeNpy("{'descr': [('a', '<f4')], 'fortran_order': False, "
                       "'shape': (1,), }",
                       FloatBytes({1})),
               "rec.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("rec.npy"), HasSubstr("'descr' is a list"))));
  EXPECT_THAT(
      ParseNpy(
          MakeNpy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
                  std::string(8, '\0')),
          "c.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("'descr' is '<c8'"),
                     HasSubstr("unsupported dtype"))));
  EXPECT_THAT(
      ParseNpy(
          MakeNpy("{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }",
                  std::string(2, '\0')),
          "u2.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'<u2'")));
}

TEST(NpyFormat, RejectsMalformedFiles) {
  const std::string good_header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  EXPECT_THAT(
      ParseNpy("PK\x03\x04 not numpy", "zip.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("zip.npy"), HasSubstr("not a .npy file"))));
  std::string v4 = MakeNpy(good_header, FloatBytes({1, 2}));
  v4[6] = 4;
  EXPECT_THAT(ParseNpy(v4, "v4.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported .npy format version 4.0")));
  // Data shorter than the shape needs.
  EXPECT_THAT(
      ParseNpy(MakeNpy(good_header, FloatBytes({1})), "short.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("short.npy"), HasSubstr("data holds 4 bytes"),
                     HasSubstr("'shape' (2,)"), HasSubstr("needs 8"))));
  // Header length beyond the file.
  EXPECT_THAT(ParseNpy(MakeNpy(good_header, "").substr(0, 30), "cut.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("truncated .npy file")));
  EXPECT_THAT(
      ParseNpy(MakeNpy("{'descr': '<f4', 'shape': (2,), }", FloatBytes({1, 2})),
               "nofo.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("lacks the field 'fortran_order'")));
  EXPECT_THAT(
      ParseNpy(
          MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), "
                  "'extra': 'x'}",
                  FloatBytes({1, 2})),
          "extra.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("unknown field 'extra'")));
  EXPECT_THAT(
      ParseNpy(
          MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }",
                  FloatBytes({1, 2})),
          "neg.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("'shape'"), HasSubstr("negative dim -2"))));
  EXPECT_THAT(
      ParseNpy(MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",
                       FloatBytes({1, 2})),
               "open.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("bad .npy header")));
}

TEST(NpyFormat, WritesVersion2WhenTheHeaderOutgrowsVersion1) {
  // 25000 dims of 1 make a header over 64 KiB.
  const client::Dims dims(25000, 1);
  const HostTensor t = HostTensor::FromVector<float>(dims, {3.5f});
  ASSERT_OK_AND_ASSIGN(std::string bytes, SerializeNpy(t));
  EXPECT_EQ(bytes[6], 2);
  EXPECT_EQ((bytes.size() - 4) % 64, 0u);
  ASSERT_OK_AND_ASSIGN(HostTensor back, ParseNpy(bytes, "wide.npy"));
  EXPECT_EQ(back, t);
}

TEST(NpyFormat, FileRoundTripAndMissingFile) {
  const std::string path = ::testing::TempDir() + "/npy_format_test_" +
                           std::to_string(getpid()) + ".npy";
  const HostTensor t = HostTensor::FromVector<double>({2, 2}, {1, 2, 3, 4});
  ASSERT_OK(WriteNpyFile(path, t));
  ASSERT_OK_AND_ASSIGN(HostTensor back, ReadNpyFile(path));
  EXPECT_EQ(back, t);
  std::remove(path.c_str());
  EXPECT_THAT(ReadNpyFile(path),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr(path), HasSubstr("No such file"))));
  EXPECT_THAT(WriteNpyFile("/nonexistent-dir/x.npy", t),
              StatusIs(absl::StatusCode::kUnknown,
                       HasSubstr("cannot create '/nonexistent-dir/x.npy'")));
  // An invalid tensor is refused before anything is written.
  EXPECT_THAT(SerializeNpy(HostTensor(DType::kFloat32, {3}, "abc")),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

}  // namespace
}  // namespace remotek::cli

// The per-session Keras settings that ops read.
#ifndef REMOTEK_BACKEND_CORE_OP_CONFIG_H_
#define REMOTEK_BACKEND_CORE_OP_CONFIG_H_

#include <string>

#include "backend/core/dtype.h"

namespace remotek {

enum class ImageDataFormat { kChannelsLast, kChannelsFirst };

struct OpConfig {
  DType floatx = DType::kFloat32;  // default dtype of new placeholders, variables, initializers
  double epsilon = 1e-7;           // fuzz factor used by losses and clipping
  ImageDataFormat image_data_format = ImageDataFormat::kChannelsLast;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_OP_CONFIG_H_

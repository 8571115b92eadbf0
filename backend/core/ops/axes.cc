#include "backend/core/ops/axes.h"

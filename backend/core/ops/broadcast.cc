#include "backend/core/ops/broadcast.h"

#include "sodium_init.h"

#include <sodium.h>

#include <cstdlib>

namespace pith {

void EnsureSodium() {
  static const bool initialised = [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness or CPU: nothing safe to do
    return true;
  }();
  (void)initialised;
}

}  // namespace pith

// Internal: libsodium must be initialised once before use; this does it, thread-safely.
#pragma once

namespace pith {
void EnsureSodium();
}  // namespace pith

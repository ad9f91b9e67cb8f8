// One error policy (see docs/ARCHITECTURE.md): exceptions for errors that end the
// operation, carrying context as they travel up; return values for expected outcomes;
// assertions only for programmer errors. Edges (CLI, server) turn them into one line.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace tq {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Bad input the user can fix: a corrupt file, an unknown option value, a too-long prompt.
class InputError : public Error {
 public:
  using Error::Error;
};

// Something valid but not supported (yet): an unknown architecture or tensor type.
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

// Re-throws the current exception with `context` prepended ("loading vocab: …"),
// keeping its class so callers can still tell input errors from the rest.
[[noreturn]] void rethrow_with_context(std::string_view context);

}  // namespace tq

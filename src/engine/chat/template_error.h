// The one error a template raises: bad syntax, a failed operation, a sandbox limit, or the
// template's own raise_exception(). It is an InputError (the template and the conversation
// are input), and it names the template line so a user can find the cause.
#pragma once

#include <string>

#include "core/error.h"

namespace tq::jinja {

class TemplateError : public InputError {
 public:
  TemplateError(int line, std::string message)
      : InputError(line > 0 ? "line " + std::to_string(line) + ": " + message : message),
        line_(line),
        message_(std::move(message)) {}

  int line() const { return line_; }  // 1-based; 0 when not tied to a line
  // The message without the line prefix (for raise_exception, the template's own text).
  const std::string& message() const { return message_; }

 private:
  int line_;
  std::string message_;
};

}  // namespace tq::jinja

// JSON in and out of template values. Reading keeps object keys in file order (templates
// iterate tool schemas and print them back); writing follows Python's json.dumps, which is
// what Hugging Face's `tojson` filter calls, so `{{ tool | tojson }}` matches byte for byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/chat/value.h"

namespace tq::jinja {

// Throws InputError naming the byte offset on malformed input or nesting deeper than 512.
Value parse_json(std::string_view text);

struct JsonFormat {
  std::optional<std::string> indent;  // nullopt: one line; "" or "  ": newline + indent
  bool ensure_ascii = false;          // escape non-ASCII as \uXXXX (json.dumps' default)
  bool sort_keys = false;
  std::string item_separator;  // default: ", " on one line, "," when indented
  std::string key_separator = ": ";
};

// Throws TemplateError (line 0) for values JSON cannot hold (Undefined, callables).
std::string to_json(const Value& v, const JsonFormat& format);

}  // namespace tq::jinja

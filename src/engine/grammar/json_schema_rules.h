// The fixed GBNF rules JSON Schema conversion builds on: JSON's own syntax (value, object,
// array, string, number, …), bounded white space and the string formats. Internal to
// json_schema.cpp.
#pragma once

#include <span>
#include <string_view>

namespace tq::json_rules {

struct Rule {
  std::string_view name;
  std::string_view body;
  std::span<const std::string_view> uses;  // other fixed rules the body refers to
};

// nullptr when `name` is not a fixed rule.
const Rule* find(std::string_view name);

}  // namespace tq::json_rules

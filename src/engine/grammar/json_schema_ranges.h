// Integer ranges as GBNF, for JSON Schema's minimum / maximum on integers: digit-by-digit
// alternatives ("between 17 and 342" = 1[7-9] | [2-9][0-9] | [1-2][0-9][0-9] | 3[0-3][0-9]
// | 34[0-2]), the classic range-to-regular-expression construction. Internal to
// json_schema.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tq::json_rules {

// Largest magnitude the integer grammar writes (16 digits); bounds beyond it are no bound.
inline constexpr int64_t kMaxInteger = 9999999999999999;

// Integers in [lo, hi] (absent: unbounded), as a GBNF group; "" when the range is empty.
std::string integer_range(std::optional<int64_t> lo, std::optional<int64_t> hi);

}  // namespace tq::json_rules

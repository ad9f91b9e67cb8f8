// Validation of a JSON value against the JSON Schema subset the tasks use for their inputs
// and outputs: type (one or a list), properties, required, additionalProperties (bool or
// schema), enum, const, items, minItems/maxItems, minLength/maxLength (in characters, not
// bytes: "€" is one), minimum/maximum, anyOf, format "date" (YYYY-MM-DD, a real day).
// Anything else in a schema is an annotation and ignored. Each problem names where it is
// (a JSON pointer, "/steps/2/task") and what was expected, so an API error can say which
// field to fix.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tq::tasks {

std::vector<std::string> schema_problems(const nlohmann::json& value, const nlohmann::json& schema);

// Characters (code points) in UTF-8 text; invalid bytes count one each.
size_t utf8_length(const std::string& s);

// "2026-02-29" is not a date; "2028-02-29" is.
bool is_iso_date(const std::string& s);

}  // namespace tq::tasks

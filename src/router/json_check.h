// Does an answer satisfy the requested JSON Schema? The cascade escalates when not. A
// validator over parsed values (not the engine's generation grammar, which fixes the
// order of object keys and would reject valid answers from other models).
// Covers: type (incl. arrays of types, integer), enum, const, properties, required,
// additionalProperties, items, prefixItems, min/maxItems, min/maxLength (code points),
// minimum/maximum and their exclusive forms, anyOf/oneOf/allOf/not, local $ref
// (#/$defs/…, #/definitions/…). Not checked: pattern, format, uniqueItems,
// dependent* and if/then/else (they pass).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tq {

// nullopt when `text` is one JSON value valid for `schema`; else why not, with the JSON
// pointer of the offending part ("/items/2: expected integer, got string").
std::optional<std::string> json_schema_violation(const std::string& text,
                                                 const nlohmann::json& schema);

// The pieces the tasks' validator (tasks/jobs/schema_check.h, which reports every problem
// of an input or output in its own words) shares with this one, so both read a value's
// type and a string's length the same way:
// the JSON Schema type name of a parsed value ("integer" for a number stored as one).
const char* json_type_name(const nlohmann::json& v);
// Whether `v` is of JSON Schema type `t`; a float with no fraction (3.0) is an integer.
bool json_has_type(const nlohmann::json& v, const std::string& t);
// Characters (code points) in UTF-8 text; invalid bytes count one each.
size_t utf8_code_points(const std::string& s);

}  // namespace tq

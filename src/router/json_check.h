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

}  // namespace tq

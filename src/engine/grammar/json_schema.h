// JSON Schema → GBNF: a grammar whose sentences are JSON documents valid against the
// schema, for constrained decoding (response_format json_schema / json_object).
//
// Supported: type (one or a list), properties + required, enum, const, items / prefixItems
// (and draft-7 tuple items), minItems / maxItems, minLength / maxLength, minimum / maximum /
// exclusiveMinimum / exclusiveMaximum on integers (only minimum 0 on other numbers),
// format (date, time, date-time, uuid, email), anyOf / oneOf, allOf with one member, $ref to any
// "#/..." pointer in the same document (recursion included), and schemas without
// constraints (any value). Choices that keep every output valid:
//  - Declared properties come in declaration order; optional ones may be left out.
//  - Objects with declared properties get only those (additionalProperties counts as
//    false: what we generate is valid either way, and models then cannot invent keys);
//    objects without properties take additionalProperties as the schema of their values.
//  - White space between tokens is limited to one space, or a newline and up to 16
//    spaces/tabs of indentation, so a model cannot pad forever; none before the value.
//  - Numbers: at most 16 integer digits, 16 fraction digits, 2 exponent digits, so every
//    number fits a double (parsers reject 1e400). \u escapes exclude surrogates (a lone
//    surrogate is invalid JSON to most parsers).
//  - date: February has 28 days (29 would need the leap-year rule); time and date-time
//    carry a time zone (Z or ±hh:mm), as RFC 3339 requires.
//  - oneOf is treated as anyOf (exclusivity is not enforced).
// Keywords that restrict values in ways the grammar does not express (pattern, bounds on
// non-integers, multipleOf, uniqueItems, allOf with several members, not, if/then/else, …)
// raise UnsupportedError rather than produce output that might not validate; annotations
// (title, description, default, examples, $schema, $id, $comment) and unknown formats are
// ignored.
#pragma once

#include <string>
#include <string_view>

namespace tq {

// `schema` is JSON text. Throws InputError (not JSON, malformed schema, bad $ref) or
// UnsupportedError, naming the place in the schema ("at #/properties/age").
std::string json_schema_to_gbnf(std::string_view schema);

// Any JSON object (OpenAI's response_format {"type": "json_object"}).
std::string json_object_gbnf();

}  // namespace tq

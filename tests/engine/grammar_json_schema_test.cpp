// JSON Schema → grammar: documents the grammar accepts and rejects, and schemas it
// refuses. Generation under these grammars is tested in grammar_generation_test.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "engine/grammar/gbnf_parser.h"
#include "engine/grammar/grammar_matcher.h"
#include "engine/grammar/json_schema.h"

namespace tq {
namespace {

bool accepts(const std::string& schema, std::string_view doc) {
  GrammarMatcher m(std::make_shared<const Grammar>(parse_gbnf(json_schema_to_gbnf(schema))));
  const auto s = m.next(m.start(), doc);
  return s != GrammarMatcher::kDead && m.can_end(s);
}

TEST(JsonSchemaGrammar, ObjectsWithRequiredAndOptionalProperties) {
  const std::string schema = R"({"type": "object", "properties": {
      "a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}},
      "required": ["b"]})";
  EXPECT_TRUE(accepts(schema, R"({"b":"x"})"));
  EXPECT_TRUE(accepts(schema, R"({"a":1,"b":"x","c":true})"));
  EXPECT_TRUE(accepts(schema, R"({"a": -12, "b": "x"})"));
  EXPECT_TRUE(accepts(schema, "{\n  \"b\": \"\\u00e9\\n\",\n  \"c\": false\n}"));
  EXPECT_FALSE(accepts(schema, R"({"a":1})"));            // b is required
  EXPECT_FALSE(accepts(schema, R"({"b":"x","a":1})"));    // declaration order
  EXPECT_FALSE(accepts(schema, R"({"b":"x","d":1})"));    // no additional properties
  EXPECT_FALSE(accepts(schema, R"({"a":1.5,"b":"x"})"));  // integer
  EXPECT_FALSE(accepts(schema, R"({"a":01,"b":"x"})"));   // leading zero
  EXPECT_FALSE(accepts(schema, R"({"b":"x",})"));         // trailing comma
  EXPECT_FALSE(accepts(schema, R"( {"b":"x"})"));         // nothing before the value
  EXPECT_FALSE(accepts(schema, R"({"b":"\ud800"})"));     // lone surrogate escape
  EXPECT_FALSE(accepts(schema, "{\"b\":\"\x01\"}"));      // raw control character
  EXPECT_FALSE(accepts(schema, "{\"b\":\"x\"" + std::string(30, ' ') + "}"));  // padding
}

TEST(JsonSchemaGrammar, ArraysEnumsConstAndStrings) {
  const std::string arr = R"({"type": "array", "items": {"enum": ["x", 2, null, {"k": [1]}]},
                              "minItems": 2, "maxItems": 3})";
  EXPECT_TRUE(accepts(arr, R"(["x",2])"));
  EXPECT_TRUE(accepts(arr, R"([null, {"k":[1]}, "x"])"));
  EXPECT_FALSE(accepts(arr, R"(["x"])"));
  EXPECT_FALSE(accepts(arr, R"(["x",2,2,2])"));
  EXPECT_FALSE(accepts(arr, R"(["y",2])"));
  EXPECT_TRUE(accepts(R"({"type":"array","maxItems":0})", "[]"));
  EXPECT_TRUE(accepts(R"({"type":"array"})", R"([1, "a", {"b": [true, null]}])"));
  EXPECT_TRUE(accepts(R"({"const": "só"})", R"("só")"));
  EXPECT_FALSE(accepts(R"({"const": "só"})", R"("so")"));
  const std::string str = R"({"type": "string", "minLength": 2, "maxLength": 3})";
  EXPECT_TRUE(accepts(str, R"("ab")"));
  EXPECT_TRUE(accepts(str, R"("a\"é")"));  // three characters, one escaped
  EXPECT_FALSE(accepts(str, R"("a")"));
  EXPECT_FALSE(accepts(str, R"("abcd")"));
  EXPECT_TRUE(accepts(R"({"type": ["string", "null"]})", "null"));
  EXPECT_TRUE(accepts(R"({"type": "number"})", "-0.5e+10"));
  EXPECT_FALSE(accepts(R"({"type": "number"})", "1."));
  EXPECT_TRUE(
      accepts(R"({"prefixItems": [{"type": "integer"}, {"type": "string"}]})", R"([1, "a"])"));
}

TEST(JsonSchemaGrammar, FormatsRefsAndAlternatives) {
  EXPECT_TRUE(accepts(R"({"format": "date", "type": "string"})", R"("2024-02-28")"));
  EXPECT_FALSE(accepts(R"({"format": "date", "type": "string"})", R"("2024-02-30")"));
  EXPECT_FALSE(accepts(R"({"format": "date", "type": "string"})", R"("2024-13-01")"));
  EXPECT_TRUE(accepts(R"({"format": "time", "type": "string"})", R"("23:59:59.5+01:00")"));
  EXPECT_FALSE(accepts(R"({"format": "time", "type": "string"})", R"("24:00:00Z")"));
  EXPECT_TRUE(accepts(R"({"format": "date-time", "type": "string"})", R"("2026-11-25T09:30:00Z")"));
  EXPECT_TRUE(accepts(R"({"format": "uuid", "type": "string"})",
                      R"("123e4567-e89b-12d3-a456-426614174000")"));
  EXPECT_TRUE(accepts(R"({"format": "email", "type": "string"})", R"("a.b+c@mail.example.org")"));
  EXPECT_FALSE(accepts(R"({"format": "email", "type": "string"})", R"("a@b")"));
  const std::string tree = R"({"$ref": "#/$defs/node", "$defs": {"node": {"type": "object",
      "properties": {"v": {"type": "integer"}, "kids": {"type": "array",
      "items": {"$ref": "#/$defs/node"}}}, "required": ["v"]}}})";
  EXPECT_TRUE(accepts(tree, R"({"v":1,"kids":[{"v":2},{"v":3,"kids":[{"v":4}]}]})"));
  EXPECT_FALSE(accepts(tree, R"({"v":1,"kids":[{"kids":[]}]})"));
  const std::string any =
      R"({"anyOf": [{"type": "integer"}, {"$ref": "#/definitions/s"}], "definitions": {"s": {"type": "string", "maxLength": 1}}})";
  EXPECT_TRUE(accepts(any, "7"));
  EXPECT_TRUE(accepts(any, R"("z")"));
  EXPECT_FALSE(accepts(any, R"("zz")"));
  // json_object: any object, nothing else.
  GrammarMatcher m(std::make_shared<const Grammar>(parse_gbnf(json_object_gbnf())));
  EXPECT_TRUE(m.can_end(m.next(m.start(), R"({"a": [1, {"b": null}], "c": "d"})")));
  EXPECT_EQ(m.next(m.start(), "[1]"), GrammarMatcher::kDead);
}

TEST(JsonSchemaGrammar, IntegerRangesMatchExactlyTheirMembers) {
  struct Range {
    const char* bounds;
    int64_t lo, hi;  // expected, inclusive
  };
  const Range ranges[] = {
      {R"("minimum": 17, "maximum": 342)", 17, 342},
      {R"("minimum": -45, "maximum": 1000)", -45, 1000},
      {R"("minimum": -1000, "maximum": -9)", -1000, -9},
      {R"("exclusiveMinimum": 0, "exclusiveMaximum": 100)", 1, 99},
      {R"("minimum": 0.5, "maximum": 9.5)", 1, 9},
      {R"("minimum": 0, "maximum": 0)", 0, 0},
      {R"("minimum": 95)", 95, INT64_MAX},
      {R"("maximum": -95)", INT64_MIN, -95},
      {R"("minimum": 1, "maximum": 1099)", 1, 1099},
  };
  for (const Range& r : ranges) {
    SCOPED_TRACE(r.bounds);
    GrammarMatcher m(std::make_shared<const Grammar>(
        parse_gbnf(json_schema_to_gbnf(std::string(R"({"type": "integer", )") + r.bounds + "}"))));
    for (int64_t v = -1500; v <= 1500; ++v) {
      const auto s = m.next(m.start(), std::to_string(v));
      ASSERT_EQ(s != GrammarMatcher::kDead && m.can_end(s), v >= r.lo && v <= r.hi) << v;
    }
    EXPECT_FALSE(m.can_end(m.next(m.start(), "007")));
    EXPECT_FALSE(m.can_end(m.next(m.start(), "-0")));
  }
  EXPECT_TRUE(accepts(R"({"type": "integer", "minimum": 5})", "12345678901234"));
  EXPECT_TRUE(accepts(R"({"type": "number", "minimum": 0})", "0.25e-3"));
  EXPECT_FALSE(accepts(R"({"type": "number", "minimum": 0})", "-0.25"));
}

TEST(JsonSchemaGrammar, UnsupportedAndMalformedSchemas) {
  EXPECT_THROW(json_schema_to_gbnf(R"({"type": "string", "pattern": "^a"})"), UnsupportedError);
  EXPECT_THROW(json_schema_to_gbnf(R"({"type": "number", "maximum": 3})"), UnsupportedError);
  EXPECT_THROW(json_schema_to_gbnf(R"({"minimum": 3})"), UnsupportedError);
  EXPECT_THROW(json_schema_to_gbnf(R"({"type": "integer", "minimum": 3, "maximum": 2})"),
               InputError);
  EXPECT_THROW(json_schema_to_gbnf(R"({"type": "array", "uniqueItems": true})"), UnsupportedError);
  EXPECT_THROW(json_schema_to_gbnf(R"({"$ref": "https://x/y.json"})"), UnsupportedError);
  EXPECT_THROW(json_schema_to_gbnf(R"({"$ref": "#/nowhere"})"), InputError);
  EXPECT_THROW(json_schema_to_gbnf(R"({"type": "whatever"})"), InputError);
  EXPECT_THROW(json_schema_to_gbnf(R"({"type": "string", "maxLength": -1})"), InputError);
  EXPECT_THROW(json_schema_to_gbnf("{not json"), InputError);
  try {
    json_schema_to_gbnf(R"({"properties": {"a": {"properties": {"b": {"multipleOf": 3}}}}})");
    FAIL();
  } catch (const UnsupportedError& e) {
    EXPECT_EQ(std::string(e.what()),
              "json schema: 'multipleOf' is not supported (at #/properties/a/properties/b)");
  }
}

}  // namespace
}  // namespace tq

// The schema check against cases worked out by hand from the JSON Schema 2020-12 spec.
#include <gtest/gtest.h>

#include "router/json_check.h"

namespace tq {
namespace {

using nlohmann::json;

const json kPerson = json::parse(R"({
  "type": "object",
  "properties": {
    "nom": {"type": "string", "minLength": 1, "maxLength": 5},
    "âge": {"type": "integer", "minimum": 0, "exclusiveMaximum": 150},
    "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 2},
    "ville": {"$ref": "#/$defs/ville"}
  },
  "required": ["nom", "âge"],
  "additionalProperties": false,
  "$defs": {"ville": {"anyOf": [{"type": "string"}, {"type": "null"}]}}
})");

TEST(JsonCheck, ValidAnswersPassWhateverTheKeyOrderAndSpacing) {
  EXPECT_EQ(json_schema_violation(R"(  {"âge": 30.0, "nom": "Zoé"} )", kPerson), std::nullopt);
  EXPECT_EQ(json_schema_violation(R"({"nom":"Loïc","âge":0,"tags":["b"],"ville":null})", kPerson),
            std::nullopt);
}

TEST(JsonCheck, EachViolationIsNamedWithItsPath) {
  EXPECT_EQ(json_schema_violation("Voici : {\"nom\": 1}", kPerson), "the answer is not JSON");
  EXPECT_EQ(json_schema_violation(R"({"nom":"Zoé"})", kPerson),
            "(root): missing required property \"âge\"");
  EXPECT_EQ(json_schema_violation(R"({"nom":"Zoé","âge":1.5})", kPerson),
            "/âge: expected integer, got number");
  EXPECT_EQ(json_schema_violation(R"({"nom":"Zoé","âge":150})", kPerson),
            "/âge: not below exclusiveMaximum 150");
  EXPECT_EQ(json_schema_violation(R"({"nom":"","âge":1})", kPerson),
            "/nom: string shorter than minLength 1");
  EXPECT_EQ(json_schema_violation(R"({"nom":"Zoé","âge":1,"tags":["a","c"]})", kPerson),
            "/tags/1: \"c\" is not one of [\"a\",\"b\"]");
  EXPECT_EQ(json_schema_violation(R"({"nom":"Zoé","âge":1,"pays":"FR"})", kPerson),
            "(root): property \"pays\" is not allowed");
  EXPECT_EQ(json_schema_violation(R"({"nom":"Zoé","âge":1,"ville":3})", kPerson),
            "/ville: matches none of anyOf");
}

TEST(JsonCheck, MaxLengthCountsCodePointsNotBytes) {
  const json s = {{"type", "string"}, {"maxLength", 3}};
  EXPECT_EQ(json_schema_violation("\"€€€\"", s), std::nullopt);  // 9 bytes, 3 characters
  EXPECT_TRUE(json_schema_violation("\"€€€€\"", s));
}

TEST(JsonCheck, OneOfNeedsExactlyOne) {
  const json s = json::parse(R"({"oneOf": [{"type": "integer"}, {"type": "number"}]})");
  EXPECT_EQ(json_schema_violation("1.5", s), std::nullopt);
  EXPECT_EQ(json_schema_violation("2", s), "(root): matches 2 of oneOf (exactly 1 wanted)");
}

}  // namespace
}  // namespace tq

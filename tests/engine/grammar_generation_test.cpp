// Constrained generation with real model files. Random-weight and tiny models never write
// JSON by themselves, so at temperature 1 over several seeds every output parsing, validating
// and ending exactly where the value closes shows that the constraint forces it. Outputs
// are validated twice: by the small validator below, and by ajv (tests/js/schema_check.mjs),
// an implementation independent of the schema → grammar conversion. The ajv check skips
// when node or tests/js/node_modules is missing; REQUIRE_NODE=1 turns that into a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "engine/generation/generator.h"
#include "engine/grammar/grammar_constraint.h"
#include "engine/grammar/json_schema.h"
#include "engine/model/model.h"
#include "support/gold.h"

namespace tq {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// --- a small JSON Schema validator for the keywords the tests use -------------------------

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool has_type(const Json& v, const std::string& t) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "number") return v.is_number();
  if (t == "integer")
    return v.is_number_integer() || (v.is_number_float() && v == std::floor(v.get<double>()));
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  return false;
}

bool format_ok(const std::string& f, const std::string& s) {
  static const std::regex date(R"(\d{4}-(\d\d)-(\d\d))");
  static const std::regex time(
      R"(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))");
  static const std::regex uuid(R"([0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})");
  static const std::regex email(R"([^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)");
  auto date_ok = [&](const std::string& d) {
    std::smatch m;
    if (!std::regex_match(d, m, date)) return false;
    const int month = std::stoi(m[1]), day = std::stoi(m[2]);
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month >= 1 && month <= 12 && day >= 1 && day <= kDays[month - 1];
  };
  if (f == "date") return date_ok(s);
  if (f == "time") return std::regex_match(s, time);
  if (f == "date-time") {
    const size_t t = s.find('T');
    return t != std::string::npos && date_ok(s.substr(0, t)) &&
           std::regex_match(s.substr(t + 1), time);
  }
  if (f == "uuid") return std::regex_match(s, uuid);
  if (f == "email") return std::regex_match(s, email);
  return true;
}

// "" when `v` is valid against `s`, else why not.
std::string check(const Json& s, const Json& v, const Json& root, const std::string& at) {
  auto err = [&](const std::string& why) { return at + ": " + why; };
  if (s.contains("$ref"))
    return check(root.at(Json::json_pointer(s["$ref"].get<std::string>().substr(1))), v, root, at);
  if (s.contains("const") && v != s["const"]) return err("not the const");
  if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end())
    return err("not in the enum");
  for (const char* key : {"anyOf", "oneOf"}) {
    if (!s.contains(key)) continue;
    int n = 0;
    for (const Json& m : s[key]) n += check(m, v, root, at).empty();
    if (n == 0 || (std::string(key) == "oneOf" && n > 1)) return err(std::string(key) + " fails");
  }
  if (s.contains("type")) {
    const Json types = s["type"].is_array() ? s["type"] : Json::array({s["type"]});
    bool any = false;
    for (const Json& t : types) any = any || has_type(v, t.get<std::string>());
    if (!any) return err("wrong type");
  }
  if (v.is_object()) {
    if (s.contains("required"))
      for (const Json& r : s["required"])
        if (!v.contains(r.get<std::string>())) return err("missing " + r.get<std::string>());
    const Json props = s.value("properties", Json::object());
    for (const auto& [k, x] : v.items()) {
      if (props.contains(k)) {
        if (auto e = check(props[k], x, root, at + "/" + k); !e.empty()) return e;
      } else if (s.contains("additionalProperties") && s["additionalProperties"] == false) {
        return err("additional property " + k);
      }
    }
  }
  if (v.is_array()) {
    if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>()) return err("too few");
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>()) return err("too many");
    for (size_t i = 0; i < v.size() && s.contains("items"); ++i)
      if (auto e = check(s["items"], v[i], root, at + "/" + std::to_string(i)); !e.empty())
        return e;
  }
  if (v.is_number()) {
    const double x = v.get<double>();
    if (s.contains("minimum") && x < s["minimum"].get<double>()) return err("below minimum");
    if (s.contains("maximum") && x > s["maximum"].get<double>()) return err("above maximum");
    if (s.contains("exclusiveMinimum") && x <= s["exclusiveMinimum"].get<double>())
      return err("not above exclusiveMinimum");
    if (s.contains("exclusiveMaximum") && x >= s["exclusiveMaximum"].get<double>())
      return err("not below exclusiveMaximum");
  }
  if (v.is_string()) {
    const std::string& str = v.get_ref<const std::string&>();
    if (s.contains("minLength") && code_points(str) < s["minLength"].get<size_t>())
      return err("short");
    if (s.contains("maxLength") && code_points(str) > s["maxLength"].get<size_t>())
      return err("long");
    if (s.contains("format") && !format_ok(s["format"].get<std::string>(), str))
      return err("format " + s["format"].get<std::string>());
  }
  return "";
}

// --- the schemas, all with bounded strings and arrays so that a model that never chooses
// to close a value still ends --------------------------------------------------------------

const char* const kSchemas[] = {
    R"({"type": "object", "properties": {
          "name": {"type": "string", "maxLength": 12},
          "age": {"type": "integer", "minimum": 0, "maximum": 120},
          "email": {"type": "string", "format": "email"},
          "tags": {"type": "array", "items": {"enum": ["red", "green", "blue"]}, "maxItems": 3}},
        "required": ["name", "age"]})",
    R"({"$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"},
          "y": {"type": "number"}}, "required": ["x", "y"]}},
        "type": "object", "properties": {
          "when": {"type": "string", "format": "date-time"},
          "points": {"type": "array", "items": {"$ref": "#/$defs/point"}, "minItems": 1,
                     "maxItems": 2},
          "kind": {"anyOf": [{"type": "null"}, {"type": "boolean"}, {"const": "fixed"}]}},
        "required": ["when", "points", "kind"]})",
    R"({"type": "array", "items": {"type": "string", "minLength": 2, "maxLength": 5},
        "minItems": 2, "maxItems": 4})",
    R"({"type": "object", "properties": {
          "id": {"type": "string", "format": "uuid"}, "day": {"type": "string", "format": "date"},
          "at": {"type": "string", "format": "time"}, "ok": {"type": "boolean"},
          "none": {"type": "null"}, "ratio": {"type": ["number", "null"], "minimum": 0},
          "delta": {"type": "integer", "exclusiveMinimum": -50, "exclusiveMaximum": 7},
          "level": {"enum": ["low", "high", 3]}},
        "required": ["id", "day", "at", "ok", "none", "level"]})",
};

struct Outputs {
  Json schema;
  std::vector<std::string> texts;
};

// Generates with every schema and seed; checks each output here and returns them all.
std::vector<Outputs> generate_all(const fs::path& model_path, int seeds) {
  auto model = Model::load(model_path.string());
  ThreadPool pool(1);
  Generator gen(model, pool, 1024);
  const std::vector<TokenId> prompt = model->vocab().tokenize("Answer in JSON:", true, false);
  std::vector<Outputs> all;
  for (const char* schema_text : kSchemas) {
    const Json schema = Json::parse(schema_text);
    all.push_back({schema, {}});
    for (int seed = 1; seed <= seeds; ++seed) {
      GenerationParams p;
      p.max_tokens = 800;
      p.sampling.temperature = 1.0f;
      p.sampling.seed = static_cast<uint64_t>(seed);
      p.constraint = make_grammar_constraint(json_schema_to_gbnf(schema_text), model->vocab());
      const GenerationResult r = gen.generate(prompt, p);
      SCOPED_TRACE(model_path.filename().string() + " seed " + std::to_string(seed) + ": " +
                   r.text);
      EXPECT_EQ(r.finish, FinishReason::EndOfGeneration) << "must stop where the value closes";
      EXPECT_TRUE(p.constraint->finished());
      Json value;
      try {
        value = Json::parse(r.text);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "does not parse: " << e.what();
        continue;
      }
      EXPECT_EQ(check(schema, value, schema, "#"), "");
      all.back().texts.push_back(r.text);
    }
  }
  return all;
}

std::string missing_node() {
  const fs::path js = fs::path(TQ_SOURCE_DIR) / "tests" / "js";
  if (std::system("node --version > /dev/null 2>&1") != 0) return "node is not on PATH";
  if (!fs::exists(js / "node_modules" / "ajv-formats"))
    return (js / "node_modules").string() + " lacks ajv-formats (run `npm ci` in tests/js)";
  return "";
}

// Runs ajv over the outputs; returns its failures (an empty list when all validate).
Json ajv_failures(const std::vector<Outputs>& all) {
  Json cases = Json::array();
  for (const auto& o : all) cases.push_back({{"schema", o.schema}, {"outputs", o.texts}});
  const fs::path file = test::scratch_dir("grammar_generation") / "cases.json";
  std::ofstream(file) << cases.dump();
  const std::string cmd = "node '" +
                          (fs::path(TQ_SOURCE_DIR) / "tests" / "js" / "schema_check.mjs").string() +
                          "' '" + file.string() + "' 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while (p != nullptr && (n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    out.append(buf.data(), n);
  const int rc = p != nullptr ? ::pclose(p) : -1;
  if (rc != 0) return Json::array({"schema_check.mjs failed: " + out});
  const Json result = Json::parse(out);
  size_t expected = 0;
  for (const auto& o : all) expected += o.texts.size();
  EXPECT_EQ(result.at("checked").get<size_t>(), expected);
  return result.at("failures");
}

class ConstrainedGeneration : public ::testing::TestWithParam<const char*> {};

TEST_P(ConstrainedGeneration, EveryOutputParsesValidatesAndStopsAtTheClose) {
  const fs::path path = test::gold_dir() / "models" / GetParam();
  TQ_REQUIRE_PATH(path);
  const std::vector<Outputs> all = generate_all(path, 3);
  std::cout << "example: " << all.front().texts.front() << "\n";
  const std::string why = missing_node();
  if (!why.empty()) {
    const char* env = std::getenv("REQUIRE_NODE");
    if (env != nullptr && std::string(env) == "1") FAIL() << why << " (REQUIRE_NODE=1)";
    GTEST_SKIP() << "ajv cross-check skipped: " << why;
  }
  EXPECT_EQ(ajv_failures(all), Json::array());
}

// A SentencePiece vocabulary with byte fallback, a byte-level BPE one, and a tiny real model.
INSTANTIATE_TEST_SUITE_P(Models, ConstrainedGeneration,
                         ::testing::Values("llama-spm-q8_0.gguf", "qwen2-gpt2-q8_0.gguf",
                                           "stories260K.gguf"));

}  // namespace
}  // namespace tq

#include "engine/grammar/json_schema.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>

#include "core/error.h"
#include "engine/grammar/json_schema_ranges.h"
#include "engine/grammar/json_schema_rules.h"

namespace tq {
namespace {

// ordered_json keeps properties in the order the schema declares them.
using Json = nlohmann::ordered_json;

// Keywords that constrain values beyond what the conversion expresses.
// clang-format off
constexpr std::string_view kUnsupported[] = {
    "pattern", "patternProperties", "multipleOf", "contains", "minContains", "maxContains",
    "not", "if", "then", "else", "dependentRequired", "dependentSchemas", "dependencies",
    "minProperties", "maxProperties", "propertyNames", "unevaluatedProperties",
    "unevaluatedItems"};
// clang-format on

constexpr int kMaxDepth = 64;

// A GBNF literal matching exactly `text` (UTF-8 passes through; the rest is escaped).
std::string literal(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b == 0x7F) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The literal of a JSON value as compact JSON text.
std::string json_literal(const Json& v) {
  return literal(v.dump());
}

std::string sanitize(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    out += ok ? c : '-';
  }
  return out.empty() ? "x" : out;
}

class SchemaConverter {
 public:
  explicit SchemaConverter(const Json& root) : root_(root) {}

  std::string convert() {
    const std::string top = visit(root_, "root-value", "#", 0);
    std::string out = "root ::= " + top + "\n";
    for (const auto& [name, body] : rules_) {
      out += name;
      out += " ::= ";
      out += body;
      out += '\n';
    }
    return out;
  }

 private:
  [[noreturn]] static void bad(const std::string& at, const std::string& what) {
    throw InputError("json schema: " + what + " (at " + at + ")");
  }

  // A new rule name not used yet, derived from `hint`.
  std::string fresh(const std::string& hint) {
    std::string base = sanitize(hint);
    std::string name = base;
    for (int i = 2; taken_.count(name) != 0 || json_rules::find(name) != nullptr; ++i)
      name = base + "-" + std::to_string(i);
    taken_.insert(name);
    return name;
  }
  std::string add(const std::string& hint, const std::string& body) {
    std::string name = fresh(hint);
    rules_.emplace(name, body);
    return name;
  }
  // A fixed rule (and the fixed rules it uses), by name.
  std::string use(std::string_view name) {
    if (!taken_.insert(std::string(name)).second) return std::string(name);
    const json_rules::Rule* r = json_rules::find(name);
    rules_.emplace(std::string(name), std::string(r->body));
    for (const std::string_view u : r->uses) use(u);
    return std::string(name);
  }

  // The GBNF expression for values valid against `s`; `hint` names new rules, `at` is
  // the schema location for messages.
  std::string visit(const Json& s, const std::string& hint, const std::string& at, int depth) {
    if (depth > kMaxDepth) bad(at, "nested too deeply");
    if (s.is_boolean()) {
      if (!s.get<bool>())
        throw UnsupportedError("json schema: 'false' matches nothing (at " + at + ")");
      return use("value");
    }
    if (!s.is_object()) bad(at, "a schema must be an object or a boolean");
    for (const std::string_view k : kUnsupported)
      if (s.contains(k))
        throw UnsupportedError("json schema: '" + std::string(k) + "' is not supported (at " + at +
                               ")");
    if (s.contains("uniqueItems") && s["uniqueItems"] == true)
      throw UnsupportedError("json schema: 'uniqueItems' is not supported (at " + at + ")");
    if (s.contains("$ref")) return ref(s["$ref"], at, depth);
    if (s.contains("const")) return json_literal(s["const"]);
    if (s.contains("enum")) return enumeration(s["enum"], at);
    for (const char* key : {"anyOf", "oneOf"})
      if (s.contains(key)) return any_of(s[key], hint, at + "/" + key, depth);
    if (s.contains("allOf")) {
      const Json& all = s["allOf"];
      if (!all.is_array() || all.size() != 1)
        throw UnsupportedError(
            "json schema: 'allOf' with other than one member is not supported (at " + at + ")");
      return visit(all[0], hint, at + "/allOf/0", depth + 1);
    }
    if (!s.contains("type")) {
      if (s.contains("properties") || s.contains("additionalProperties") || s.contains("required"))
        return typed(s, "object", hint, at, depth);
      for (const char* key : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
        if (s.contains(key))
          throw UnsupportedError("json schema: '" + std::string(key) +
                                 "' without \"type\": \"integer\" or \"number\" (at " + at + ")");
      if (s.contains("items") || s.contains("prefixItems"))
        return typed(s, "array", hint, at, depth);
      return use("value");
    }
    const Json& type = s["type"];
    if (type.is_string()) return typed(s, type.get<std::string>(), hint, at, depth);
    if (!type.is_array() || type.empty())
      bad(at + "/type", "expected a type name or a list of them");
    std::string alts;
    for (const Json& t : type) {
      if (!t.is_string()) bad(at + "/type", "expected a type name");
      alts += (alts.empty() ? "" : " | ") + typed(s, t.get<std::string>(), hint, at, depth);
    }
    return add(hint, alts);
  }

  std::string typed(const Json& s, const std::string& type, const std::string& hint,
                    const std::string& at, int depth) {
    if (type == "object") return object_rule(s, hint, at, depth);
    if (type == "array") return array_rule(s, hint, at, depth);
    if (type == "string") return string_rule(s, hint, at);
    if (type == "integer") return integer_rule(s, hint, at);
    if (type == "number") return number_rule(s, hint, at);
    if (type == "boolean" || type == "null") return use(type);
    bad(at + "/type", "unknown type '" + type + "'");
  }

  std::string ref(const Json& r, const std::string& at, int depth) {
    if (!r.is_string()) bad(at + "/$ref", "expected a string");
    const std::string target = r.get<std::string>();
    if (auto it = refs_.find(target); it != refs_.end()) return it->second;
    if (target.empty() || target[0] != '#')
      throw UnsupportedError(
          "json schema: only references within the document (#/...) are "
          "supported, not '" +
          target + "' (at " + at + ")");
    const Json* node = nullptr;
    try {
      node = &root_.at(Json::json_pointer(target.substr(1)));
    } catch (const nlohmann::json::exception&) {
      bad(at + "/$ref", "'" + target + "' points nowhere in the schema");
    }
    // Named before its body is visited, so recursive references find it.
    std::string name = fresh("ref" + target.substr(target.rfind('/') + 1));
    refs_.emplace(target, name);
    rules_.emplace(name, "");
    rules_[name] = visit(*node, name + "-value", target, depth + 1);
    return name;
  }

  std::string enumeration(const Json& values, const std::string& at) {
    if (!values.is_array() || values.empty()) bad(at + "/enum", "expected a non-empty list");
    std::string alts;
    for (const Json& v : values) alts += (alts.empty() ? "" : " | ") + json_literal(v);
    return "( " + alts + " )";
  }

  std::string any_of(const Json& members, const std::string& hint, const std::string& at,
                     int depth) {
    if (!members.is_array() || members.empty()) bad(at, "expected a non-empty list");
    std::string alts;
    for (size_t i = 0; i < members.size(); ++i)
      alts += (alts.empty() ? "" : " | ") + visit(members[i], hint + "-" + std::to_string(i),
                                                  at + "/" + std::to_string(i), depth + 1);
    return add(hint, alts);
  }

  std::string object_rule(const Json& s, const std::string& hint, const std::string& at, int depth);
  std::string array_rule(const Json& s, const std::string& hint, const std::string& at, int depth);
  std::string string_rule(const Json& s, const std::string& hint, const std::string& at);
  std::string integer_rule(const Json& s, const std::string& hint, const std::string& at);
  std::string number_rule(const Json& s, const std::string& hint, const std::string& at);

  const Json& root_;
  std::map<std::string, std::string> rules_;  // name → body, written in name order
  std::set<std::string> taken_;
  std::map<std::string, std::string> refs_;  // "$ref" target → rule name
};

// Count keywords (minItems, maxLength, …): -1 when absent.
int64_t count_of(const Json& s, const char* key, const std::string& at) {
  if (!s.contains(key)) return -1;
  const Json& v = s[key];
  if (!v.is_number_integer() || v.get<int64_t>() < 0)
    throw InputError("json schema: '" + std::string(key) + "' must be a non-negative integer (at " +
                     at + ")");
  if (v.get<int64_t>() > 100000)
    throw UnsupportedError("json schema: '" + std::string(key) + "' above 100000 (at " + at + ")");
  return v.get<int64_t>();
}

// "{m,n}" (n < 0: unbounded) as GBNF.
std::string bounds(int64_t min, int64_t max) {
  return "{" + std::to_string(min) + "," + (max < 0 ? "" : std::to_string(max)) + "}";
}

std::string SchemaConverter::object_rule(const Json& s, const std::string& hint,
                                         const std::string& at, int depth) {
  const Json empty = Json::object();
  const Json& props = s.contains("properties") ? s["properties"] : empty;
  if (!props.is_object()) bad(at + "/properties", "expected an object");
  std::set<std::string> required;
  if (s.contains("required")) {
    if (!s["required"].is_array()) bad(at + "/required", "expected a list of names");
    for (const Json& r : s["required"]) {
      if (!r.is_string()) bad(at + "/required", "expected a list of names");
      required.insert(r.get<std::string>());
    }
  }
  // Declared properties, then required names that have no schema (any value).
  std::vector<std::pair<std::string, std::string>> kvs;  // (name, key-value expression)
  std::vector<bool> must;
  auto add_kv = [&](const std::string& key, const Json& schema, const std::string& where) {
    const std::string value = visit(schema, hint + "-" + key, where, depth + 1);
    kvs.emplace_back(key, json_literal(Json(key)) + " ws \":\" ws " + value + " ws");
    must.push_back(required.count(key) != 0);
  };
  for (const auto& [key, schema] : props.items()) add_kv(key, schema, at + "/properties/" += key);
  for (const std::string& key : required)
    if (!props.contains(key)) add_kv(key, Json(true), at + "/required");
  use("ws");

  if (kvs.empty()) {
    const Json extra = s.contains("additionalProperties") ? s["additionalProperties"] : Json(true);
    if (extra == false) return literal("{") + " ws " + literal("}");
    if (extra == true) return use("object");
    const std::string value =
        visit(extra, hint + "-value", at + "/additionalProperties", depth + 1);
    const std::string kv = use("string") + " ws \":\" ws " + value + " ws";
    return add(hint, "\"{\" ws ( " + kv + " ( \",\" ws " + kv + " )* )? \"}\"");
  }
  // first_i: properties i.. when none is written yet; rest_i: when one already is (so each
  // needs a comma first). Optional properties may be skipped, in declaration order.
  const size_t n = kvs.size();
  std::string rest, first;  // the rules for i + 1 ("" when i + 1 == n)
  for (size_t i = n; i-- > 0;) {
    const std::string& kv = kvs[i].second;
    const std::string tail = rest.empty() ? "" : " " + rest;
    std::string first_body = kv + tail;
    if (!must[i]) first_body += " | " + (first.empty() ? "\"\"" : first);
    std::string rest_body = must[i] ? "\",\" ws " : "( \",\" ws ";
    rest_body += kv;
    if (!must[i]) rest_body += " )?";
    rest_body += tail;
    first = add(hint + "-from-" + std::to_string(i), first_body);
    if (i > 0) rest = add(hint + "-after-" + std::to_string(i - 1), rest_body);
  }
  return add(hint, "\"{\" ws " + first + " \"}\"");
}

std::string SchemaConverter::array_rule(const Json& s, const std::string& hint,
                                        const std::string& at, int depth) {
  use("ws");
  const int64_t min = count_of(s, "minItems", at);
  const int64_t max = count_of(s, "maxItems", at);
  // Tuples: prefixItems (2020-12) or a list under items (draft 7); exactly those items.
  const Json* tuple = s.contains("prefixItems")                      ? &s["prefixItems"]
                      : s.contains("items") && s["items"].is_array() ? &s["items"]
                                                                     : nullptr;
  if (tuple != nullptr) {
    std::string body = "\"[\" ws";
    for (size_t i = 0; i < tuple->size(); ++i)
      body += std::string(i > 0 ? " \",\" ws " : " ") +
              visit((*tuple)[i], hint + "-" + std::to_string(i), at + "/items/" + std::to_string(i),
                    depth + 1) +
              " ws";
    return add(hint, body + " \"]\"");
  }
  const std::string item = s.contains("items")
                               ? visit(s["items"], hint + "-item", at + "/items", depth + 1)
                               : use("value");
  if (max == 0) return literal("[") + " ws " + literal("]");
  const int64_t lo = min > 0 ? min - 1 : 0;
  if (max >= 0 && lo > max - 1) bad(at, "minItems is above maxItems");
  const std::string list =
      item + " ws ( \",\" ws " + item + " ws )" + bounds(lo, max < 0 ? -1 : max - 1);
  return add(hint, "\"[\" ws " + (min > 0 ? list : "( " + list + " )?") + " \"]\"");
}

std::string SchemaConverter::string_rule(const Json& s, const std::string& hint,
                                         const std::string& at) {
  if (s.contains("format") && s["format"].is_string()) {
    const std::string f = s["format"].get<std::string>();
    if (f == "date" || f == "time" || f == "date-time" || f == "uuid" || f == "email")
      return use(f);
  }
  const int64_t min = count_of(s, "minLength", at);
  const int64_t max = count_of(s, "maxLength", at);
  if (min < 0 && max < 0) return use("string");
  if (max >= 0 && min > max) bad(at, "minLength is above maxLength");
  use("char");
  return add(hint, "\"\\\"\" char" + bounds(std::max<int64_t>(min, 0), max) + " \"\\\"\"");
}

// A numeric bound keyword, absent or a number (draft 4's boolean exclusive* is not read).
std::optional<double> bound(const Json& s, const char* key, const std::string& at) {
  if (!s.contains(key)) return std::nullopt;
  if (s[key].is_boolean())
    throw UnsupportedError("json schema: boolean '" + std::string(key) +
                           "' (draft 4) is not supported (at " + at + ")");
  if (!s[key].is_number())
    throw InputError("json schema: '" + std::string(key) + "' must be a number (at " + at + ")");
  return s[key].get<double>();
}

// A double bound as an int64 bound; beyond the integer grammar's reach it is no bound
// (or, on the wrong side, a bound no integer meets).
std::optional<int64_t> to_int(std::optional<double> x) {
  if (!x) return std::nullopt;
  const auto limit = static_cast<double>(json_rules::kMaxInteger) + 1;
  return static_cast<int64_t>(std::clamp(*x, -limit, limit));
}

std::string SchemaConverter::integer_rule(const Json& s, const std::string& hint,
                                          const std::string& at) {
  std::optional<double> lo = bound(s, "minimum", at), hi = bound(s, "maximum", at);
  if (lo) lo = std::ceil(*lo);
  if (hi) hi = std::floor(*hi);
  if (auto x = bound(s, "exclusiveMinimum", at)) lo = std::max(lo.value_or(*x), std::floor(*x) + 1);
  if (auto x = bound(s, "exclusiveMaximum", at)) hi = std::min(hi.value_or(*x), std::ceil(*x) - 1);
  if (!lo && !hi) return use("integer");
  const std::string range = json_rules::integer_range(to_int(lo), to_int(hi));
  if (range.empty()) bad(at, "no integer lies between the minimum and the maximum");
  return add(hint, range);
}

std::string SchemaConverter::number_rule(const Json& s, const std::string& hint,
                                         const std::string& at) {
  const auto min = bound(s, "minimum", at);
  const bool other =
      s.contains("maximum") || s.contains("exclusiveMinimum") || s.contains("exclusiveMaximum");
  if (!min && !other) return use("number");
  if (other || *min != 0.0)
    throw UnsupportedError(
        "json schema: bounds on non-integer numbers are supported only as minimum 0 (at " + at +
        ")");
  // Non-negative: the number rule without its minus sign.
  return add(hint,
             R"(( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,2} )?)");
}

}  // namespace

std::string json_schema_to_gbnf(std::string_view schema) {
  Json root;
  try {
    root = Json::parse(schema);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("json schema: not valid JSON: ") + e.what());
  }
  return SchemaConverter(root).convert();
}

std::string json_object_gbnf() {
  return json_schema_to_gbnf(R"({"type": "object"})");
}

}  // namespace tq

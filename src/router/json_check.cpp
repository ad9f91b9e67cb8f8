#include "router/json_check.h"

#include <cmath>

namespace tq {
namespace {

using nlohmann::json;

class Checker {
 public:
  explicit Checker(const json& root) : root_(root) {}

  std::optional<std::string> check(const json& v, const json& s, const std::string& at,
                                   int depth = 0) {
    if (depth > 64) return at + ": schema nesting too deep";
    if (s.is_boolean()) {
      if (s.get<bool>()) return std::nullopt;
      return at + ": no value is allowed here";
    }
    if (!s.is_object()) return std::nullopt;
    if (s.contains("$ref") && s["$ref"].is_string()) {
      const std::string ref = s["$ref"];
      if (ref.rfind('#', 0) != 0) return std::nullopt;  // remote refs: not checked
      const json::json_pointer ptr(ref.substr(1));
      if (!root_.contains(ptr)) return at + ": unresolvable $ref " + ref;
      if (auto e = check(v, root_[ptr], at, depth + 1)) return e;
    }
    if (s.contains("type")) {
      const json& t = s["type"];
      bool ok = false;
      std::string wanted;
      if (t.is_string()) {
        ok = json_has_type(v, t.get<std::string>());
        wanted = t.get<std::string>();
      } else if (t.is_array()) {
        for (const auto& one : t) {
          if (!one.is_string()) continue;
          ok = ok || json_has_type(v, one.get<std::string>());
          wanted += (wanted.empty() ? "" : " or ") + one.get<std::string>();
        }
      } else {
        ok = true;
      }
      if (!ok) return at + ": expected " + wanted + ", got " + json_type_name(v);
    }
    if (s.contains("enum") && s["enum"].is_array()) {
      bool found = false;
      for (const auto& e : s["enum"]) found = found || e == v;
      if (!found) return at + ": " + v.dump() + " is not one of " + s["enum"].dump();
    }
    if (s.contains("const") && s["const"] != v)
      return at + ": expected " + s["const"].dump() + ", got " + v.dump();
    if (v.is_string()) {
      const size_t n = utf8_code_points(v.get<std::string>());
      if (s.contains("minLength") && s["minLength"].is_number() &&
          static_cast<double>(n) < s["minLength"].get<double>())
        return at + ": string shorter than minLength " + s["minLength"].dump();
      if (s.contains("maxLength") && s["maxLength"].is_number() &&
          static_cast<double>(n) > s["maxLength"].get<double>())
        return at + ": string longer than maxLength " + s["maxLength"].dump();
    }
    if (v.is_number()) {
      const double d = v.get<double>();
      auto num = [&](const char* k) -> std::optional<double> {
        if (s.contains(k) && s[k].is_number()) return s[k].get<double>();
        return std::nullopt;
      };
      if (auto m = num("minimum"); m && d < *m)
        return at + ": below minimum " + s["minimum"].dump();
      if (auto m = num("maximum"); m && d > *m)
        return at + ": above maximum " + s["maximum"].dump();
      if (auto m = num("exclusiveMinimum"); m && d <= *m)
        return at + ": not above exclusiveMinimum " + s["exclusiveMinimum"].dump();
      if (auto m = num("exclusiveMaximum"); m && d >= *m)
        return at + ": not below exclusiveMaximum " + s["exclusiveMaximum"].dump();
    }
    if (v.is_array()) {
      if (s.contains("minItems") && s["minItems"].is_number() &&
          static_cast<double>(v.size()) < s["minItems"].get<double>())
        return at + ": fewer than minItems " + s["minItems"].dump();
      if (s.contains("maxItems") && s["maxItems"].is_number() &&
          static_cast<double>(v.size()) > s["maxItems"].get<double>())
        return at + ": more than maxItems " + s["maxItems"].dump();
      size_t first = 0;
      if (s.contains("prefixItems") && s["prefixItems"].is_array()) {
        const json& pre = s["prefixItems"];
        for (; first < pre.size() && first < v.size(); ++first)
          if (auto e = check(v[first], pre[first], at + "/" + std::to_string(first), depth + 1))
            return e;
      }
      if (s.contains("items"))
        for (size_t i = first; i < v.size(); ++i)
          if (auto e = check(v[i], s["items"], at + "/" + std::to_string(i), depth + 1)) return e;
    }
    if (v.is_object()) {
      const json empty = json::object();
      const json& props =
          s.contains("properties") && s["properties"].is_object() ? s["properties"] : empty;
      if (s.contains("required") && s["required"].is_array()) {
        for (const auto& r : s["required"])
          if (r.is_string() && !v.contains(r.get<std::string>()))
            return at + ": missing required property \"" + r.get<std::string>() + "\"";
      }
      for (const auto& [key, value] : v.items()) {
        std::string here = at;
        here += '/';
        here += key;
        if (props.contains(key)) {
          if (auto e = check(value, props[key], here, depth + 1)) return e;
        } else if (s.contains("additionalProperties")) {
          const json& extra = s["additionalProperties"];
          if (extra.is_boolean() && !extra.get<bool>()) {
            std::string why = at;
            why += ": property \"";
            why += key;
            why += "\" is not allowed";
            return why;
          }
          if (auto e = check(value, extra, here, depth + 1)) return e;
        }
      }
    }
    if (s.contains("allOf") && s["allOf"].is_array())
      for (const auto& sub : s["allOf"])
        if (auto e = check(v, sub, at, depth + 1)) return e;
    if (s.contains("anyOf") && s["anyOf"].is_array()) {
      bool any = false;
      for (const auto& sub : s["anyOf"]) any = any || !check(v, sub, at, depth + 1);
      if (!any) return at + ": matches none of anyOf";
    }
    if (s.contains("oneOf") && s["oneOf"].is_array()) {
      int n = 0;
      for (const auto& sub : s["oneOf"]) n += check(v, sub, at, depth + 1) ? 0 : 1;
      if (n != 1) return at + ": matches " + std::to_string(n) + " of oneOf (exactly 1 wanted)";
    }
    if (s.contains("not") && !check(v, s["not"], at, depth + 1)) return at + ": matches \"not\"";
    return std::nullopt;
  }

 private:
  const json& root_;
};

}  // namespace

const char* json_type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "value";
  }
}

bool json_has_type(const json& v, const std::string& t) {
  if (t == "number") return v.is_number();
  if (t == "integer") {
    if (v.is_number_integer()) return true;
    if (v.is_number_float()) {
      const double d = v.get<double>();
      return std::isfinite(d) && std::floor(d) == d;
    }
    return false;
  }
  return t == json_type_name(v);
}

size_t utf8_code_points(const std::string& s) {
  size_t n = 0;
  for (const char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::optional<std::string> json_schema_violation(const std::string& text, const json& schema) {
  const json v = json::parse(text, nullptr, false);
  if (v.is_discarded()) return std::string("the answer is not JSON");
  Checker c(schema);
  if (auto e = c.check(v, schema, "")) return e->empty() || e->front() != ':' ? *e : "(root)" + *e;
  return std::nullopt;
}

}  // namespace tq

#include "tasks/jobs/schema_check.h"

#include <cstdio>

#include "router/json_check.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

// Type names and tests are the router's (router/json_check.h): one reading of a value's
// JSON Schema type for the cascade's check and the tasks' (a huge float such as 1e300 is a
// whole number to both, with no cast that could overflow).
std::string type_of(const json& v) {
  return json_type_name(v);
}

std::string where(const std::string& path) {
  return path.empty() ? "/" : path;
}

std::string short_dump(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

void check(const json& v, const json& s, const std::string& path, std::vector<std::string>& out) {
  if (!s.is_object()) return;  // true / {} : anything goes
  if (auto it = s.find("type"); it != s.end()) {
    bool ok = false;
    std::string expected;
    if (it->is_string()) {
      ok = json_has_type(v, it->get<std::string>());
      expected = it->get<std::string>();
    } else if (it->is_array()) {
      for (const auto& t : *it) {
        if (!t.is_string()) continue;
        ok = ok || json_has_type(v, t.get<std::string>());
        expected += (expected.empty() ? "" : " or ") + t.get<std::string>();
      }
    } else {
      ok = true;
    }
    if (!ok) {
      out.push_back(where(path) + ": expected " + expected + ", got " + type_of(v));
      return;  // the other keywords would only repeat the mismatch
    }
  }
  if (auto it = s.find("enum"); it != s.end() && it->is_array()) {
    bool found = false;
    for (const auto& e : *it) found = found || e == v;
    if (!found)
      out.push_back(where(path) + ": " + short_dump(v) + " is not one of " + short_dump(*it));
  }
  if (auto it = s.find("const"); it != s.end() && *it != v)
    out.push_back(where(path) + ": must be " + short_dump(*it));
  if (auto it = s.find("anyOf"); it != s.end() && it->is_array()) {
    bool any = false;
    for (const auto& alt : *it) {
      std::vector<std::string> sub;
      check(v, alt, path, sub);
      any = any || sub.empty();
    }
    if (!any) {
      // {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]} reads better as "give a or b".
      std::string fields;
      bool only_required = true;
      for (const auto& alt : *it) {
        const auto r = alt.find("required");
        only_required = only_required && alt.is_object() && alt.size() == 1 && r != alt.end() &&
                        r->is_array() && r->size() == 1 && (*r)[0].is_string();
        if (only_required)
          fields += (fields.empty() ? "\"" : " or \"") + (*r)[0].get<std::string>() + "\"";
      }
      out.push_back(where(path) + (only_required
                                       ? ": give " + fields
                                       : std::string(": matches none of the allowed forms")));
    }
  }
  if (v.is_string()) {
    const auto str = v.get<std::string>();
    const size_t n = utf8_length(str);
    if (auto it = s.find("minLength");
        it != s.end() && it->is_number() && static_cast<double>(n) < it->get<double>())
      out.push_back(where(path) + ": " + std::to_string(n) + " characters, at least " + it->dump() +
                    " required");
    if (auto it = s.find("maxLength");
        it != s.end() && it->is_number() && static_cast<double>(n) > it->get<double>())
      out.push_back(where(path) + ": " + std::to_string(n) + " characters, at most " + it->dump() +
                    " allowed");
    if (auto it = s.find("format"); it != s.end() && *it == "date" && !is_iso_date(str))
      out.push_back(where(path) + ": \"" + str + "\" is not a date (YYYY-MM-DD)");
  }
  if (v.is_number()) {
    const double d = v.get<double>();
    if (auto it = s.find("minimum"); it != s.end() && it->is_number() && d < it->get<double>())
      out.push_back(where(path) + ": " + v.dump() + " is below the minimum " + it->dump());
    if (auto it = s.find("maximum"); it != s.end() && it->is_number() && d > it->get<double>())
      out.push_back(where(path) + ": " + v.dump() + " is above the maximum " + it->dump());
  }
  if (v.is_array()) {
    const double n = static_cast<double>(v.size());
    if (auto it = s.find("minItems"); it != s.end() && it->is_number() && n < it->get<double>())
      out.push_back(where(path) + ": " + std::to_string(v.size()) + " items, at least " +
                    it->dump() + " required");
    if (auto it = s.find("maxItems"); it != s.end() && it->is_number() && n > it->get<double>())
      out.push_back(where(path) + ": " + std::to_string(v.size()) + " items, at most " +
                    it->dump() + " allowed");
    if (auto it = s.find("items"); it != s.end() && it->is_object())
      for (size_t i = 0; i < v.size(); ++i) check(v[i], *it, path + "/" + std::to_string(i), out);
  }
  if (v.is_object()) {
    const json* props = nullptr;
    if (auto it = s.find("properties"); it != s.end() && it->is_object()) props = &*it;
    if (auto it = s.find("required"); it != s.end() && it->is_array())
      for (const auto& r : *it)
        if (r.is_string() && !v.contains(r.get<std::string>()))
          out.push_back(where(path) + ": missing required field \"" + r.get<std::string>() + "\"");
    const auto extra = s.find("additionalProperties");
    for (const auto& [key, val] : v.items()) {
      std::string sub = path;
      sub.append("/").append(key);
      if (props && props->contains(key)) {
        check(val, (*props)[key], sub, out);
      } else if (extra != s.end()) {
        if (extra->is_boolean() && !extra->get<bool>())
          out.push_back(where(path) + ": unknown field \"" + key + "\"");
        else if (extra->is_object())
          check(val, *extra, sub, out);
      }
    }
  }
}

}  // namespace

std::vector<std::string> schema_problems(const json& value, const json& schema) {
  std::vector<std::string> out;
  check(value, schema, "", out);
  return out;
}

size_t utf8_length(const std::string& s) {
  return utf8_code_points(s);
}

bool is_iso_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  const int y = std::stoi(s.substr(0, 4));
  const int m = std::stoi(s.substr(5, 2));
  const int d = std::stoi(s.substr(8, 2));
  if (m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int max_day = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max_day;
}

}  // namespace tq::tasks

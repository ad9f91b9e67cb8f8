// Attribute access and the methods of str and dict that templates call. The reference
// sandbox is immutable: methods that would change a list or dict are refused.
#include <array>
#include <string_view>

#include "engine/chat/builtins.h"
#include "engine/chat/text.h"

namespace tq::jinja {
namespace {

constexpr std::array<std::string_view, 19> kStrMethods = {
    "strip",      "lstrip",  "rstrip",     "split",   "startswith", "endswith", "upper",
    "lower",      "title",   "capitalize", "replace", "find",       "count",    "join",
    "splitlines", "isdigit", "isalpha",    "isspace", "rsplit"};
constexpr std::array<std::string_view, 4> kDictMethods = {"items", "keys", "values", "get"};
constexpr std::array<std::string_view, 13> kMutators = {
    "append",  "extend", "insert",  "pop",        "remove", "clear",  "sort",
    "reverse", "update", "popitem", "setdefault", "add",    "discard"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& names, const std::string& name) {
  for (auto n : names)
    if (n == name) return true;
  return false;
}

const std::string* opt_string(Interpreter& in, const CallArgs& args, size_t i, const char* kw) {
  const Value* v = find_arg(args, i, kw);
  if (!v || v->is_none()) return nullptr;
  if (!v->is_string()) in.fail(args.line, std::string(kw) + " must be a string or None");
  return &v->as_string();
}

const std::string& req_string(Interpreter& in, const CallArgs& args, size_t i, const char* what) {
  const Value* v = find_arg(args, i, what);
  if (!v || !v->is_string()) in.fail(args.line, std::string(what) + " must be a string");
  return v->as_string();
}

int64_t opt_int(Interpreter& in, const CallArgs& args, size_t i, const char* kw, int64_t dflt) {
  const Value* v = find_arg(args, i, kw);
  if (!v || v->is_none()) return dflt;
  if (!v->is_int()) in.fail(args.line, std::string(kw) + " must be an integer");
  return v->as_int();
}

bool affix_match(Interpreter& in, const std::string& s, const Value& affix, bool prefix, int line) {
  auto one = [&](const Value& a) {
    if (!a.is_string())
      in.fail(line, "startswith/endswith arguments must be str or a tuple of str");
    const auto& x = a.as_string();
    if (x.size() > s.size()) return false;
    return prefix ? s.compare(0, x.size(), x) == 0
                  : s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  if (affix.is_list()) {
    for (const auto& a : affix.as_list())
      if (one(a)) return true;
    return false;
  }
  return one(affix);
}

template <class Pred>
bool all_chars(const std::string& s, Pred pred) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!pred(c)) return false;
  return true;
}

Value str_method(Interpreter& in, const std::string& s, const std::string& m, CallArgs& args) {
  if (m == "strip" || m == "lstrip" || m == "rstrip")
    return Value(text::strip(s, opt_string(in, args, 0, "chars"), m != "rstrip", m != "lstrip"));
  if (m == "split" || m == "rsplit") {
    const int64_t maxsplit = opt_int(in, args, 1, "maxsplit", -1);
    if (m == "rsplit" && maxsplit >= 0) in.fail(args.line, "rsplit with maxsplit is not supported");
    const std::string* sep = opt_string(in, args, 0, "sep");
    if (sep && sep->empty()) in.fail(args.line, "empty separator");
    ValueList out;
    for (auto& piece : text::split(s, sep, maxsplit)) out.emplace_back(std::move(piece));
    return Value(std::move(out));
  }
  if (m == "startswith" || m == "endswith") {
    const Value* a = find_arg(args, 0, "prefix");
    if (!a) in.fail(args.line, m + "() takes at least 1 argument");
    return Value(affix_match(in, s, *a, m == "startswith", args.line));
  }
  if (m == "upper") return Value(text::upper(s));
  if (m == "lower") return Value(text::lower(s));
  if (m == "title") return Value(text::py_title(s));
  if (m == "capitalize") return Value(text::capitalize(s));
  if (m == "replace") {
    const auto& from = req_string(in, args, 0, "old");
    const auto& to = req_string(in, args, 1, "new");
    std::string out = text::replace(s, from, to, opt_int(in, args, 2, "count", -1));
    in.check_size(out.size(), args.line);
    return Value(std::move(out));
  }
  if (m == "find") {
    const size_t at = s.find(req_string(in, args, 0, "sub"));
    return Value(at == std::string::npos ? int64_t{-1}
                                         : static_cast<int64_t>(text::length(s.substr(0, at))));
  }
  if (m == "count") {
    const auto& sub = req_string(in, args, 0, "sub");
    if (sub.empty()) return Value(static_cast<int64_t>(text::length(s) + 1));
    int64_t n = 0;
    for (size_t at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size())) ++n;
    return Value(n);
  }
  if (m == "join") {
    const Value* seq = find_arg(args, 0, "iterable");
    if (!seq) in.fail(args.line, "join() takes exactly one argument");
    std::string out;
    bool first = true;
    for (const auto& item : iterate(in, *seq, args.line)) {
      if (!item.is_string())
        in.fail(args.line, "sequence item: expected str instance, " + item.type_name() + " found");
      if (!first) out += s;
      first = false;
      out += item.as_string();
      in.check_size(out.size(), args.line);
    }
    return Value(std::move(out));
  }
  if (m == "splitlines") {
    ValueList out;
    for (auto& l : text::splitlines(s)) out.emplace_back(std::move(l));
    return Value(std::move(out));
  }
  if (m == "isdigit")
    return Value(all_chars(s, [](unsigned char c) { return c >= '0' && c <= '9'; }));
  if (m == "isalpha")
    return Value(
        all_chars(s, [](unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }));
  return Value(all_chars(s, [](unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }));
}

Value dict_method(Interpreter& in, const ValueDict& d, const std::string& m, CallArgs& args) {
  if (m == "get") {
    const Value* key = find_arg(args, 0, "key");
    if (!key) in.fail(args.line, "get() takes at least 1 argument");
    if (key->is_string())
      if (const Value* v = d.find(key->as_string())) return *v;
    return arg_or(args, 1, "default", Value::none());
  }
  ValueList out;
  for (const auto& [k, v] : d.items()) {
    if (m == "items")
      out.push_back(Value::tuple({Value(k), v}));
    else if (m == "keys")
      out.emplace_back(k);
    else
      out.push_back(v);
  }
  return Value(std::move(out));
}

}  // namespace

Value get_attr(Interpreter& in, const Value& obj, const std::string& name, int line) {
  require_defined(in, obj, line);
  const std::string type = obj.is_none() ? "None" : obj.type_name() + " object";
  if ((obj.is_list() || obj.is_dict()) && one_of(kMutators, name))
    return Value::undefined("access to attribute '" + name + "' of '" + obj.type_name() +
                            "' object is unsafe.");
  if (obj.is_dict()) {
    // Python attributes win over keys for `.`: `d.items` is the method.
    if (one_of(kDictMethods, name)) {
      return Value::native(name, [obj, name](Interpreter& i, CallArgs& args) {
        return dict_method(i, obj.as_dict(), name, args);
      });
    }
    if (const Value* v = obj.as_dict().find(name)) return *v;
  } else if (obj.is_namespace()) {
    if (const Value* v = obj.as_namespace().find(name)) return *v;
  } else if (obj.is_string() && one_of(kStrMethods, name)) {
    return Value::native(name, [obj, name](Interpreter& i, CallArgs& args) {
      return str_method(i, obj.as_string(), name, args);
    });
  }
  return Value::undefined("'" + type + "' has no attribute '" + name + "'");
}

}  // namespace tq::jinja

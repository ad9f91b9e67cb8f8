// Jinja2's built-in filters that chat templates use, with Jinja2's defaults (sort and
// unique ignore case unless told otherwise, `default` only replaces Undefined unless its
// second argument is true) and Hugging Face's `tojson` (no HTML escaping, keys in order,
// non-ASCII kept).
#include <algorithm>
#include <charconv>
#include <cmath>

#include "engine/chat/builtins.h"
#include "engine/chat/json.h"
#include "engine/chat/text.h"

namespace tq::jinja {
namespace {

using Filter = Value (*)(Interpreter&, const Value&, CallArgs&);

bool flag(const CallArgs& args, size_t i, const char* kw, bool dflt) {
  const Value* v = find_arg(args, i, kw);
  return v ? v->truthy() : dflt;
}

const std::string* opt_str(Interpreter& in, const CallArgs& args, size_t i, const char* kw) {
  const Value* v = find_arg(args, i, kw);
  if (!v || v->is_none()) return nullptr;
  if (!v->is_string()) in.fail(args.line, std::string("argument '") + kw + "' must be a string");
  return &v->as_string();
}

// Jinja2's attribute lookup for map/sort/selectattr: dotted paths, integer parts index.
Value attribute_path(Interpreter& in, const Value& item, const std::string& path, int line) {
  Value cur = item;
  size_t start = 0;
  for (;;) {
    const size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    int64_t idx = 0;
    auto r = std::from_chars(part.data(), part.data() + part.size(), idx);
    if (!part.empty() && r.ec == std::errc() && r.ptr == part.data() + part.size())
      cur = get_item(in, cur, Value(idx), line);
    else
      cur = get_item(in, cur, Value(part), line);
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

// Sort key comparison; strings compare case-folded unless case_sensitive.
bool sort_less(Interpreter& in, const Value& a, const Value& b, bool case_sensitive, int line) {
  if (!case_sensitive && a.is_string() && b.is_string())
    return text::lower(a.as_string()) < text::lower(b.as_string());
  return less_than(in, a, b, line);
}

Value f_tojson(Interpreter& in, const Value& v, CallArgs& args) {
  JsonFormat f;
  if (const Value* ind = find_arg(args, 0, "indent"); ind && !ind->is_none()) {
    if (ind->is_int())
      f.indent = std::string(static_cast<size_t>(std::clamp<int64_t>(ind->as_int(), 0, 64)), ' ');
    else if (ind->is_string())
      f.indent = ind->as_string();
    else
      in.fail(args.line, "tojson: indent must be an integer or a string");
  }
  f.ensure_ascii = flag(args, 99, "ensure_ascii", false);
  f.sort_keys = flag(args, 99, "sort_keys", false);
  if (const Value* sep = find_arg(args, 99, "separators"); sep && sep->is_list()) {
    const auto& l = sep->as_list();
    if (l.size() != 2 || !l[0].is_string() || !l[1].is_string())
      in.fail(args.line, "tojson: separators must be a pair of strings");
    f.item_separator = l[0].as_string();
    f.key_separator = l[1].as_string();
  }
  require_defined(in, v, args.line);
  try {
    std::string out = to_json(v, f);
    in.check_size(out.size(), args.line);
    return Value(std::move(out));
  } catch (const TemplateError& e) {
    in.fail(args.line, e.message());
  }
}

Value f_trim(Interpreter& in, const Value& v, CallArgs& args) {
  return Value(text::strip(v.str(), opt_str(in, args, 0, "chars"), true, true));
}

Value f_items(Interpreter& in, const Value& v, CallArgs& args) {
  if (v.is_undefined()) return Value(ValueList{});
  if (!v.is_dict()) in.fail(args.line, "Can only get item pairs from a mapping.");
  ValueList out;
  for (const auto& [k, x] : v.as_dict().items()) out.push_back(Value::tuple({Value(k), x}));
  return Value(std::move(out));
}

Value f_length(Interpreter& in, const Value& v, CallArgs& args) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
      return Value(0);
    case Value::Kind::String:
      return Value(static_cast<int64_t>(text::length(v.as_string())));
    case Value::Kind::List:
      return Value(static_cast<int64_t>(v.as_list().size()));
    case Value::Kind::Dict:
      return Value(static_cast<int64_t>(v.as_dict().size()));
    default:
      in.fail(args.line, "object of type '" + v.type_name() + "' has no len()");
  }
}

Value f_string(Interpreter&, const Value& v, CallArgs&) {
  return Value(v.str());
}
Value f_upper(Interpreter&, const Value& v, CallArgs&) {
  return Value(text::upper(v.str()));
}
Value f_lower(Interpreter&, const Value& v, CallArgs&) {
  return Value(text::lower(v.str()));
}
Value f_title(Interpreter&, const Value& v, CallArgs&) {
  return Value(text::jinja_title(v.str()));
}
Value f_capitalize(Interpreter&, const Value& v, CallArgs&) {
  return Value(text::capitalize(v.str()));
}
Value f_safe(Interpreter&, const Value& v, CallArgs&) {
  return Value::markup(v.str());
}

Value f_replace(Interpreter& in, const Value& v, CallArgs& args) {
  const std::string* from = opt_str(in, args, 0, "old");
  const std::string* to = opt_str(in, args, 1, "new");
  if (!from || !to) in.fail(args.line, "replace needs the old and new strings");
  const Value* count = find_arg(args, 2, "count");
  std::string out =
      text::replace(v.str(), *from, *to, count && count->is_int() ? count->as_int() : int64_t{-1});
  in.check_size(out.size(), args.line);
  return Value(std::move(out));
}

Value f_join(Interpreter& in, const Value& v, CallArgs& args) {
  const std::string* sep = opt_str(in, args, 0, "d");
  const std::string* attr = opt_str(in, args, 1, "attribute");
  std::string out;
  bool first = true;
  for (const auto& item : iterate(in, v, args.line)) {
    if (!first && sep) out += *sep;
    first = false;
    out += attr ? attribute_path(in, item, *attr, args.line).str() : item.str();
    in.check_size(out.size(), args.line);
  }
  return Value(std::move(out));
}

Value f_first(Interpreter& in, const Value& v, CallArgs& args) {
  auto items = iterate(in, v, args.line);
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}

Value f_last(Interpreter& in, const Value& v, CallArgs& args) {
  auto items = iterate(in, v, args.line);
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

Value f_default(Interpreter&, const Value& v, CallArgs& args) {
  const bool boolean = flag(args, 1, "boolean", false);
  if (v.is_undefined() || (boolean && !v.truthy()))
    return arg_or(args, 0, "default_value", Value(std::string()));
  return v;
}

Value f_list(Interpreter& in, const Value& v, CallArgs& args) {
  return Value(iterate(in, v, args.line));
}

Value f_map(Interpreter& in, const Value& v, CallArgs& args) {
  ValueList out;
  const auto items = iterate(in, v, args.line);
  if (const std::string* attr = opt_str(in, args, 99, "attribute")) {
    const Value* dflt = find_arg(args, 99, "default");
    for (const auto& item : items) {
      Value x = attribute_path(in, item, *attr, args.line);
      out.push_back(x.is_undefined() && dflt ? *dflt : x);
    }
    return Value(std::move(out));
  }
  if (args.positional.empty() || !args.positional[0].is_string())
    in.fail(args.line, "map needs a filter name or attribute=");
  const std::string name = args.positional[0].as_string();
  CallArgs rest;
  rest.line = args.line;
  rest.positional.assign(args.positional.begin() + 1, args.positional.end());
  rest.keyword = args.keyword;
  for (const auto& item : items) out.push_back(apply_filter(in, name, item, rest));
  return Value(std::move(out));
}

// select / reject / selectattr / rejectattr share one loop.
Value select_items(Interpreter& in, const Value& v, CallArgs& args, bool by_attr, bool keep) {
  size_t next = 0;
  std::string attr;
  if (by_attr) {
    if (args.positional.empty() || !args.positional[0].is_string())
      in.fail(args.line, "selectattr/rejectattr need an attribute name");
    attr = args.positional[0].as_string();
    next = 1;
  }
  std::string test;
  CallArgs test_args;
  test_args.line = args.line;
  if (args.positional.size() > next) {
    if (!args.positional[next].is_string()) in.fail(args.line, "the test name must be a string");
    test = args.positional[next].as_string();
    test_args.positional.assign(args.positional.begin() + static_cast<long>(next) + 1,
                                args.positional.end());
  }
  ValueList out;
  // Jinja2 skips the loop for a falsy input (None, Undefined, empty).
  if (!v.truthy()) return Value(std::move(out));
  for (const auto& item : iterate(in, v, args.line)) {
    const Value subject = by_attr ? attribute_path(in, item, attr, args.line) : item;
    const bool ok = test.empty() ? subject.truthy() : apply_test(in, test, subject, test_args);
    if (ok == keep) out.push_back(item);
  }
  return Value(std::move(out));
}

Value f_select(Interpreter& in, const Value& v, CallArgs& a) {
  return select_items(in, v, a, false, true);
}
Value f_reject(Interpreter& in, const Value& v, CallArgs& a) {
  return select_items(in, v, a, false, false);
}
Value f_selectattr(Interpreter& in, const Value& v, CallArgs& a) {
  return select_items(in, v, a, true, true);
}
Value f_rejectattr(Interpreter& in, const Value& v, CallArgs& a) {
  return select_items(in, v, a, true, false);
}

Value f_unique(Interpreter& in, const Value& v, CallArgs& args) {
  const bool cs = flag(args, 0, "case_sensitive", false);
  const std::string* attr = opt_str(in, args, 1, "attribute");
  ValueList out;
  ValueList seen;
  for (const auto& item : iterate(in, v, args.line)) {
    Value key = attr ? attribute_path(in, item, *attr, args.line) : item;
    if (!cs && key.is_string()) key = Value(text::lower(key.as_string()));
    bool dup = false;
    for (const auto& s : seen)
      if (values_equal(s, key)) {
        dup = true;
        break;
      }
    if (dup) continue;
    seen.push_back(std::move(key));
    out.push_back(item);
  }
  return Value(std::move(out));
}

Value f_sort(Interpreter& in, const Value& v, CallArgs& args) {
  const bool reverse = flag(args, 0, "reverse", false);
  const bool cs = flag(args, 1, "case_sensitive", false);
  const std::string* attr = opt_str(in, args, 2, "attribute");
  ValueList items = iterate(in, v, args.line);
  std::vector<std::pair<Value, size_t>> keyed;
  for (size_t i = 0; i < items.size(); ++i)
    keyed.emplace_back(attr ? attribute_path(in, items[i], *attr, args.line) : items[i], i);
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    return reverse ? sort_less(in, b.first, a.first, cs, args.line)
                   : sort_less(in, a.first, b.first, cs, args.line);
  });
  ValueList out;
  for (const auto& k : keyed) out.push_back(items[k.second]);
  return Value(std::move(out));
}

Value f_dictsort(Interpreter& in, const Value& v, CallArgs& args) {
  if (!v.is_dict()) in.fail(args.line, "dictsort needs a mapping");
  const bool cs = flag(args, 0, "case_sensitive", false);
  const std::string* by = opt_str(in, args, 1, "by");
  const bool by_value = by && *by == "value";
  const bool reverse = flag(args, 2, "reverse", false);
  auto items = v.as_dict().items();
  std::stable_sort(items.begin(), items.end(), [&](const auto& a, const auto& b) {
    const Value ka = by_value ? a.second : Value(a.first);
    const Value kb = by_value ? b.second : Value(b.first);
    return reverse ? sort_less(in, kb, ka, cs, args.line) : sort_less(in, ka, kb, cs, args.line);
  });
  ValueList out;
  for (const auto& [k, x] : items) out.push_back(Value::tuple({Value(k), x}));
  return Value(std::move(out));
}

Value f_int(Interpreter&, const Value& v, CallArgs& args) {
  Value dflt = arg_or(args, 0, "default", Value(0));
  if (v.is_int()) return v;
  if (v.is_bool()) return Value(static_cast<int64_t>(v.as_bool()));
  if (v.is_float()) {
    const double d = std::trunc(v.as_float());
    if (!(std::abs(d) < 9.2e18)) return dflt;
    return Value(static_cast<int64_t>(d));
  }
  if (v.is_string()) {
    const std::string s = text::strip(v.as_string(), nullptr, true, true);
    int64_t i = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), i);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return Value(i);
    double d = 0;
    auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
    if (rd.ec == std::errc() && rd.ptr == s.data() + s.size() && !s.empty() && std::abs(d) < 9.2e18)
      return Value(static_cast<int64_t>(d));
  }
  return dflt;
}

Value f_float(Interpreter&, const Value& v, CallArgs& args) {
  Value dflt = arg_or(args, 0, "default", Value(0.0));
  if (v.is_number()) return Value(v.as_double());
  if (v.is_string()) {
    const std::string s = text::strip(v.as_string(), nullptr, true, true);
    double d = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return Value(d);
  }
  return dflt;
}

Value f_abs(Interpreter& in, const Value& v, CallArgs& args) {
  if (v.is_float()) return Value(std::abs(v.as_float()));
  if (v.is_number()) {
    const Value i = v.is_bool() ? Value(static_cast<int64_t>(v.as_bool())) : v;
    return i.as_int() < 0 ? negate(in, i, args.line) : i;
  }
  in.fail(args.line, "bad operand type for abs(): '" + v.type_name() + "'");
}

Value f_round(Interpreter& in, const Value& v, CallArgs& args) {
  if (!v.is_number()) in.fail(args.line, "round needs a number");
  const Value prec = arg_or(args, 0, "precision", Value(0));
  const std::string* method = opt_str(in, args, 1, "method");
  const double scale = std::pow(10.0, static_cast<double>(prec.is_int() ? prec.as_int() : 0));
  const double x = v.as_double() * scale;
  // Python's round() goes to even on a tie (2.5 → 2.0); so does nearbyint's default mode.
  double r = std::nearbyint(x);
  if (method && *method == "floor") r = std::floor(x);
  if (method && *method == "ceil") r = std::ceil(x);
  return Value(r / scale);
}

Value f_indent(Interpreter& in, const Value& v, CallArgs& args) {
  std::string pad = "    ";
  if (const Value* w = find_arg(args, 0, "width")) {
    if (w->is_string())
      pad = w->as_string();
    else if (w->is_int())
      pad = std::string(static_cast<size_t>(std::clamp<int64_t>(w->as_int(), 0, 256)), ' ');
  }
  const bool first = flag(args, 1, "first", false);
  const bool blank = flag(args, 2, "blank", false);
  // Jinja2 appends a newline before splitting, so a trailing newline survives.
  const auto lines = text::splitlines(v.str() + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out += '\n';
      if (blank || !lines[i].empty()) out += pad;
    }
    out += lines[i];
    in.check_size(out.size(), args.line);
  }
  if (first) out = pad + out;
  return Value(std::move(out));
}

Value f_escape(Interpreter&, const Value& v, CallArgs&) {
  if (v.is_markup()) return v;  // already escaped
  return Value::markup(html_escape(v.str()));
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

Value f_wordcount(Interpreter&, const Value& v, CallArgs&) {
  int64_t n = 0;
  bool in_word = false;
  for (unsigned char c : v.str()) {
    const bool w =
        c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Value(n);
}

Value f_batch(Interpreter& in, const Value& v, CallArgs& args) {
  const Value size = arg_or(args, 0, "linecount", Value(1));
  if (!size.is_int() || size.as_int() <= 0) in.fail(args.line, "batch size must be positive");
  const Value* fill = find_arg(args, 1, "fill_with");
  const auto n = static_cast<size_t>(size.as_int());
  ValueList out;
  ValueList cur;
  for (const auto& item : iterate(in, v, args.line)) {
    cur.push_back(item);
    if (cur.size() == n) out.emplace_back(std::exchange(cur, {}));
  }
  if (!cur.empty()) {
    if (fill && !fill->is_none())
      while (cur.size() < n) cur.push_back(*fill);
    out.emplace_back(std::move(cur));
  }
  return Value(std::move(out));
}

Value f_reverse(Interpreter& in, const Value& v, CallArgs& args) {
  auto items = iterate(in, v, args.line);
  std::reverse(items.begin(), items.end());
  if (!v.is_string()) return Value(std::move(items));
  std::string out;
  for (const auto& c : items) out += c.as_string();
  return Value(std::move(out));
}

Value f_sum(Interpreter& in, const Value& v, CallArgs& args) {
  const std::string* attr = opt_str(in, args, 0, "attribute");
  Value total = arg_or(args, 1, "start", Value(0));
  for (const auto& item : iterate(in, v, args.line))
    total = binary_op(in, "+", total, attr ? attribute_path(in, item, *attr, args.line) : item,
                      args.line);
  return total;
}

Value min_max(Interpreter& in, const Value& v, CallArgs& args, bool want_max) {
  const bool cs = flag(args, 0, "case_sensitive", false);
  const std::string* attr = opt_str(in, args, 1, "attribute");
  const auto items = iterate(in, v, args.line);
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    const Value a = attr ? attribute_path(in, items[i], *attr, args.line) : items[i];
    const Value b = attr ? attribute_path(in, items[best], *attr, args.line) : items[best];
    if (want_max ? sort_less(in, b, a, cs, args.line) : sort_less(in, a, b, cs, args.line))
      best = i;
  }
  return items[best];
}

Value f_min(Interpreter& in, const Value& v, CallArgs& a) {
  return min_max(in, v, a, false);
}
Value f_max(Interpreter& in, const Value& v, CallArgs& a) {
  return min_max(in, v, a, true);
}

Value f_attr(Interpreter& in, const Value& v, CallArgs& args) {
  const std::string* name = opt_str(in, args, 0, "name");
  if (!name) in.fail(args.line, "attr needs a name");
  return get_attr(in, v, *name, args.line);
}

Value f_center(Interpreter&, const Value& v, CallArgs& args) {
  const Value w = arg_or(args, 0, "width", Value(80));
  std::string s = v.str();
  const auto len = static_cast<int64_t>(text::length(s));
  const int64_t width = w.is_int() ? std::min<int64_t>(w.as_int(), 4096) : 80;
  if (width <= len) return Value(s);
  // Python's str.center puts the odd space on the right only when the padding is odd and
  // the width is even... it uses left = pad/2 + (pad & width & 1).
  const int64_t pad = width - len;
  const int64_t left = pad / 2 + (pad & width & 1);
  return Value(std::string(static_cast<size_t>(left), ' ') + s +
               std::string(static_cast<size_t>(pad - left), ' '));
}

struct NamedFilter {
  const char* name;
  Filter fn;
};

constexpr NamedFilter kFilters[] = {
    {"tojson", f_tojson},
    {"trim", f_trim},
    {"items", f_items},
    {"length", f_length},
    {"count", f_length},
    {"string", f_string},
    {"upper", f_upper},
    {"lower", f_lower},
    {"title", f_title},
    {"capitalize", f_capitalize},
    {"safe", f_safe},
    {"replace", f_replace},
    {"join", f_join},
    {"first", f_first},
    {"last", f_last},
    {"default", f_default},
    {"d", f_default},
    {"list", f_list},
    {"map", f_map},
    {"select", f_select},
    {"reject", f_reject},
    {"selectattr", f_selectattr},
    {"rejectattr", f_rejectattr},
    {"unique", f_unique},
    {"sort", f_sort},
    {"dictsort", f_dictsort},
    {"int", f_int},
    {"float", f_float},
    {"abs", f_abs},
    {"round", f_round},
    {"indent", f_indent},
    {"escape", f_escape},
    {"e", f_escape},
    {"forceescape", f_escape},
    {"wordcount", f_wordcount},
    {"batch", f_batch},
    {"reverse", f_reverse},
    {"sum", f_sum},
    {"min", f_min},
    {"max", f_max},
    {"attr", f_attr},
    {"center", f_center},
};

}  // namespace

Value apply_filter(Interpreter& in, const std::string& name, const Value& input, CallArgs& args) {
  for (const auto& f : kFilters)
    if (name == f.name) return f.fn(in, input, args);
  in.fail(args.line, "no filter named '" + name + "'");
}

}  // namespace tq::jinja

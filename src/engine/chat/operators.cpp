// Python semantics for the template operators, with the error texts Python and Jinja2
// give, so a failing template reads the same as under the reference.
#include <cmath>
#include <limits>

#include "engine/chat/builtins.h"
#include "engine/chat/text.h"

namespace tq::jinja {
namespace {

// Jinja2 names the missing thing by the container's type ("'dict object' has no …").
std::string type_repr(const Value& obj) {
  return obj.is_none() ? "None" : obj.type_name() + " object";
}

Value missing_attr(const Value& obj, const std::string& key) {
  return Value::undefined("'" + type_repr(obj) + "' has no attribute '" + key + "'");
}

Value missing_element(const Value& obj, const Value& key) {
  return Value::undefined("'" + type_repr(obj) + "' has no element " + key.repr());
}

bool is_integral(const Value& v) {
  return v.is_int() || v.is_bool();
}
int64_t integral(const Value& v) {
  return v.is_bool() ? static_cast<int64_t>(v.as_bool()) : v.as_int();
}

[[noreturn]] void unsupported(Interpreter& in, const std::string& op, const Value& a,
                              const Value& b, int line) {
  in.fail(line, "unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" +
                    b.type_name() + "'");
}

Value repeat(Interpreter& in, const Value& seq, int64_t n, int line) {
  if (n <= 0) return seq.is_string() ? Value(std::string()) : Value(ValueList{});
  if (seq.is_string()) {
    const auto& s = seq.as_string();
    in.check_size(s.size() * static_cast<uint64_t>(n), line);
    std::string out;
    for (int64_t i = 0; i < n; ++i) out += s;
    return Value(std::move(out));
  }
  const auto& l = seq.as_list();
  in.check_size(l.size() * static_cast<uint64_t>(n), line);
  ValueList out;
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), l.begin(), l.end());
  return Value(std::move(out));
}

Value int_arith(Interpreter& in, const std::string& op, int64_t x, int64_t y, int line) {
  int64_t r = 0;
  bool overflow = false;
  if (op == "+") {
    overflow = __builtin_add_overflow(x, y, &r);
  } else if (op == "-") {
    overflow = __builtin_sub_overflow(x, y, &r);
  } else if (op == "*") {
    overflow = __builtin_mul_overflow(x, y, &r);
  } else if (op == "/") {
    if (y == 0) in.fail(line, "division by zero");
    return Value(static_cast<double>(x) / static_cast<double>(y));
  } else if (op == "//" || op == "%") {
    if (y == 0) in.fail(line, "integer division or modulo by zero");
    if (x == std::numeric_limits<int64_t>::min() && y == -1) in.fail(line, "integer overflow");
    int64_t q = x / y;
    int64_t m = x % y;
    if (m != 0 && ((m < 0) != (y < 0))) {  // Python floors toward -infinity
      --q;
      m += y;
    }
    return Value(op == "//" ? q : m);
  } else if (op == "**") {
    if (y < 0) return Value(std::pow(static_cast<double>(x), static_cast<double>(y)));
    r = 1;
    int64_t base = x;
    for (int64_t e = y; e > 0 && !overflow; e >>= 1) {
      if (e & 1) overflow = __builtin_mul_overflow(r, base, &r);
      if (e > 1 && !overflow) overflow = __builtin_mul_overflow(base, base, &base);
    }
  }
  if (overflow) in.fail(line, "integer overflow in '" + op + "'");
  return Value(r);
}

Value float_arith(Interpreter& in, const std::string& op, double x, double y, int line) {
  if (op == "+") return Value(x + y);
  if (op == "-") return Value(x - y);
  if (op == "*") return Value(x * y);
  if (op == "/") {
    if (y == 0) in.fail(line, "float division by zero");
    return Value(x / y);
  }
  if (op == "//" || op == "%") {
    if (y == 0) in.fail(line, "float modulo");
    const double q = std::floor(x / y);
    return Value(op == "//" ? q : x - q * y);
  }
  return Value(std::pow(x, y));
}

}  // namespace

void require_defined(Interpreter& in, const Value& v, int line) {
  if (v.is_undefined()) {
    const auto& hint = v.undefined_hint();
    in.fail(line, hint.empty() ? "value is undefined" : hint);
  }
}

Value negate(Interpreter& in, const Value& v, int line) {
  require_defined(in, v, line);
  if (is_integral(v)) {
    if (integral(v) == std::numeric_limits<int64_t>::min()) in.fail(line, "integer overflow");
    return Value(-integral(v));
  }
  if (v.is_float()) return Value(-v.as_float());
  in.fail(line, "bad operand type for unary -: '" + v.type_name() + "'");
}

bool less_than(Interpreter& in, const Value& a, const Value& b, int line) {
  require_defined(in, a, line);
  require_defined(in, b, line);
  if (a.is_number() && b.is_number()) {
    if (is_integral(a) && is_integral(b)) return integral(a) < integral(b);
    return a.as_double() < b.as_double();
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_list() && b.is_list()) {
    const auto& x = a.as_list();
    const auto& y = b.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (values_equal(x[i], y[i])) continue;
      return less_than(in, x[i], y[i], line);
    }
    return x.size() < y.size();
  }
  in.fail(line, "'<' not supported between instances of '" + a.type_name() + "' and '" +
                    b.type_name() + "'");
}

Value binary_op(Interpreter& in, const std::string& op, const Value& a, const Value& b, int line) {
  if (op == "~") {
    std::string s = a.str() + b.str();
    in.check_size(s.size(), line);
    return Value(std::move(s));
  }
  if (op == "==") return Value(values_equal(a, b));
  if (op == "!=") return Value(!values_equal(a, b));
  if (op == "<") return Value(less_than(in, a, b, line));
  if (op == ">") return Value(less_than(in, b, a, line));
  if (op == "<=") return Value(!less_than(in, b, a, line));
  if (op == ">=") return Value(!less_than(in, a, b, line));
  if (op == "in") return Value(contains(in, b, a, line));
  if (op == "not in") return Value(!contains(in, b, a, line));

  require_defined(in, a, line);
  require_defined(in, b, line);
  if (a.is_number() && b.is_number()) {
    if (is_integral(a) && is_integral(b)) return int_arith(in, op, integral(a), integral(b), line);
    return float_arith(in, op, a.as_double(), b.as_double(), line);
  }
  if (op == "+") {
    if (a.is_string() && b.is_string() && (a.is_markup() || b.is_markup())) {
      // Markup + str escapes the plain side and stays Markup.
      std::string s = (a.is_markup() ? a.as_string() : html_escape(a.as_string())) +
                      (b.is_markup() ? b.as_string() : html_escape(b.as_string()));
      in.check_size(s.size(), line);
      return Value::markup(std::move(s));
    }
    if (a.is_string() && b.is_string()) {
      in.check_size(a.as_string().size() + b.as_string().size(), line);
      return Value(a.as_string() + b.as_string());
    }
    if (a.is_list() && b.is_list()) {
      in.check_size(a.as_list().size() + b.as_list().size(), line);
      ValueList out = a.as_list();
      out.insert(out.end(), b.as_list().begin(), b.as_list().end());
      return Value(std::move(out));
    }
    if (a.is_string())
      in.fail(line, "can only concatenate str (not \"" + b.type_name() + "\") to str");
    if (a.is_list())
      in.fail(line, "can only concatenate list (not \"" + b.type_name() + "\") to list");
  }
  if (op == "*") {
    if ((a.is_string() || a.is_list()) && is_integral(b)) return repeat(in, a, integral(b), line);
    if ((b.is_string() || b.is_list()) && is_integral(a)) return repeat(in, b, integral(a), line);
  }
  unsupported(in, op, a, b, line);
}

ValueList iterate(Interpreter& in, const Value& v, int line) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
      return {};
    case Value::Kind::List:
      return v.as_list();
    case Value::Kind::String: {
      ValueList out;
      for (auto& c : text::chars(v.as_string())) out.emplace_back(std::move(c));
      return out;
    }
    case Value::Kind::Dict: {
      ValueList out;
      for (const auto& [k, _] : v.as_dict().items()) out.emplace_back(k);
      return out;
    }
    default:
      in.fail(line, "'" + v.type_name() + "' object is not iterable");
  }
}

bool contains(Interpreter& in, const Value& container, const Value& item, int line) {
  switch (container.kind()) {
    case Value::Kind::Undefined:
      return false;
    case Value::Kind::String:
      if (!item.is_string())
        in.fail(line, "'in <string>' requires string as left operand, not " + item.type_name());
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Kind::List:
      for (const auto& x : container.as_list())
        if (values_equal(x, item)) return true;
      return false;
    case Value::Kind::Dict:
      return item.is_string() && container.as_dict().find(item.as_string()) != nullptr;
    default:
      in.fail(line, "argument of type '" + container.type_name() + "' is not iterable");
  }
}

Value get_item(Interpreter& in, const Value& obj, const Value& key, int line) {
  require_defined(in, obj, line);
  if (obj.is_dict()) {
    if (key.is_string()) {
      if (const Value* v = obj.as_dict().find(key.as_string())) return *v;
      return missing_attr(obj, key.as_string());
    }
    return missing_element(obj, key);
  }
  if (obj.is_namespace() && key.is_string()) return get_attr(in, obj, key.as_string(), line);
  if ((obj.is_list() || obj.is_string()) && is_integral(key)) {
    int64_t i = integral(key);
    if (obj.is_list()) {
      const auto& l = obj.as_list();
      const auto n = static_cast<int64_t>(l.size());
      if (i < 0) i += n;
      if (i < 0 || i >= n) return missing_element(obj, key);
      return l[static_cast<size_t>(i)];
    }
    auto cs = text::chars(obj.as_string());
    const auto n = static_cast<int64_t>(cs.size());
    if (i < 0) i += n;
    if (i < 0 || i >= n) return missing_element(obj, key);
    return Value(std::move(cs[static_cast<size_t>(i)]));
  }
  if (key.is_string()) return get_attr(in, obj, key.as_string(), line);
  return missing_element(obj, key);
}

Value get_slice(Interpreter& in, const Value& obj, const Value& start, const Value& stop,
                const Value& step, int line) {
  require_defined(in, obj, line);
  if (!obj.is_list() && !obj.is_string())
    in.fail(line, "'" + obj.type_name() + "' object is not subscriptable");
  auto bound = [&](const Value& v, int64_t fallback) -> int64_t {
    if (v.is_undefined() || v.is_none()) return fallback;
    if (!is_integral(v)) in.fail(line, "slice indices must be integers or None");
    return integral(v);
  };
  const int64_t st = bound(step, 1);
  if (st == 0) in.fail(line, "slice step cannot be zero");
  ValueList items;
  std::vector<std::string> cs;
  int64_t n = 0;
  if (obj.is_list()) {
    n = static_cast<int64_t>(obj.as_list().size());
  } else {
    cs = text::chars(obj.as_string());
    n = static_cast<int64_t>(cs.size());
  }
  // Python's slice.indices(): clamp into range, negative counting from the end.
  auto clamp = [&](int64_t i, bool is_start) {
    if (i < 0) i += n;
    if (st > 0) return std::min(std::max<int64_t>(i, 0), n);
    (void)is_start;
    return std::min(std::max<int64_t>(i, -1), n - 1);
  };
  const int64_t b = clamp(bound(start, st > 0 ? 0 : n - 1), true);
  const int64_t e =
      (stop.is_undefined() || stop.is_none()) ? (st > 0 ? n : -1) : clamp(bound(stop, 0), false);
  std::string s;
  for (int64_t i = b; st > 0 ? i < e : i > e; i += st) {
    if (obj.is_list())
      items.push_back(obj.as_list()[static_cast<size_t>(i)]);
    else
      s += cs[static_cast<size_t>(i)];
  }
  if (obj.is_list()) return Value(std::move(items));
  return Value(std::move(s));
}

}  // namespace tq::jinja

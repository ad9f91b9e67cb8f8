// The values a chat template computes with. They follow Python's data model as Jinja2
// exposes it (templates are written against that): None, bool, int, float, str, list,
// insertion-ordered dict, plus Jinja2's Undefined, `namespace()` objects and callables
// (macros, built-in functions, bound methods such as `"x".strip`).
//
// Lists and dicts are immutable once built (the reference runs templates in an immutable
// sandbox), so they are shared by pointer; a namespace is the one mutable object and has
// reference semantics, as in Python.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tq::jinja {

class Value;
class ValueDict;
class Callable;
class Interpreter;
struct CallArgs;

using ValueList = std::vector<Value>;
using NativeFunction = std::function<Value(Interpreter&, CallArgs&)>;

struct Undefined {
  // What to say when the value is used in a way that needs it ("'x' is undefined").
  std::string hint;
};

class Value {
 public:
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Callable };

  Value() : v_(Undefined{}) {}
  static Value undefined(std::string hint) { return Value(Undefined{std::move(hint)}); }
  static Value none() { return Value(nullptr); }
  // Implicit on purpose: built-ins and tests read naturally with literal arguments.
  Value(bool b) : v_(b) {}
  Value(int64_t i) : v_(i) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(ValueList l);
  Value(ValueDict d);
  // A Python tuple: a list that prints with parentheses (dict items, `(a, b)`, varargs).
  static Value tuple(ValueList l);
  // A markupsafe.Markup string (`|safe`, `|escape`): adding a plain string to it escapes
  // that string, which some templates (functionary) rely on.
  static Value markup(std::string s);
  static Value make_namespace(ValueDict attrs);
  static Value make_callable(std::shared_ptr<Callable> c) { return Value(std::move(c)); }
  static Value native(std::string name, NativeFunction fn);

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_undefined() const { return kind() == Kind::Undefined; }
  bool is_none() const { return kind() == Kind::None; }
  bool is_bool() const { return kind() == Kind::Bool; }
  bool is_int() const { return kind() == Kind::Int; }
  bool is_float() const { return kind() == Kind::Float; }
  bool is_number() const { return is_int() || is_float() || is_bool(); }
  bool is_string() const { return kind() == Kind::String; }
  bool is_list() const { return kind() == Kind::List; }
  bool is_dict() const { return kind() == Kind::Dict; }
  bool is_namespace() const { return kind() == Kind::Namespace; }
  bool is_callable() const { return kind() == Kind::Callable; }
  bool is_tuple() const { return tuple_; }
  bool is_markup() const { return markup_; }

  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_float() const { return std::get<double>(v_); }
  // Ints, floats and bools as a double (callers check is_number first).
  double as_double() const;
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const ValueList& as_list() const { return *std::get<std::shared_ptr<const ValueList>>(v_); }
  const ValueDict& as_dict() const { return *std::get<std::shared_ptr<const ValueDict>>(v_); }
  ValueDict& as_namespace() const { return *std::get<std::shared_ptr<ValueDict>>(v_); }
  Callable& as_callable() const { return *std::get<std::shared_ptr<Callable>>(v_); }
  const std::string& undefined_hint() const { return std::get<Undefined>(v_).hint; }

  // Python truthiness: empty strings/lists/dicts, 0, None and Undefined are false.
  bool truthy() const;
  // Python's str() (what `{{ x }}` prints): Undefined prints as nothing.
  std::string str() const;
  // Python's repr(): strings quoted, used inside printed lists and dicts.
  std::string repr() const;
  // Python's name for the type, as error messages give it ("dict", "str", "NoneType").
  std::string type_name() const;

 private:
  using Storage = std::variant<Undefined, std::nullptr_t, bool, int64_t, double, std::string,
                               std::shared_ptr<const ValueList>, std::shared_ptr<const ValueDict>,
                               std::shared_ptr<ValueDict>, std::shared_ptr<Callable>>;
  explicit Value(Undefined u) : v_(std::move(u)) {}
  explicit Value(std::nullptr_t) : v_(nullptr) {}
  explicit Value(std::shared_ptr<ValueDict> ns) : v_(std::move(ns)) {}
  explicit Value(std::shared_ptr<Callable> c) : v_(std::move(c)) {}
  Storage v_;
  bool tuple_ = false;
  bool markup_ = false;
};

// Insertion-ordered string-keyed dict (JSON objects and template dict literals).
class ValueDict {
 public:
  const Value* find(std::string_view key) const;
  // Replaces the value of an existing key in place, or appends.
  void set(std::string key, Value v);
  const std::vector<std::pair<std::string, Value>>& items() const { return items_; }
  size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, Value>> items_;
};

// Arguments of a call: positional then keyword, in source order.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
  int line = 0;
};

// Anything a template can call. `call` may throw TemplateError.
class Callable {
 public:
  virtual ~Callable() = default;
  virtual Value call(Interpreter& interp, CallArgs& args) = 0;
  virtual std::string name() const = 0;
};

// Python ==: numbers compare by value across int/float/bool, containers deeply.
bool values_equal(const Value& a, const Value& b);

// Python's repr() of a float ("1.0", "0.1", "1e-05", "1e+16", "inf", "nan").
std::string python_float_repr(double d);

}  // namespace tq::jinja

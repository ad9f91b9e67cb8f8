// Jinja2's `is` tests, typed the way Python sees the values (bool counts as a number,
// Undefined is iterable and empty).
#include "engine/chat/builtins.h"

namespace tq::jinja {
namespace {

const Value& operand(Interpreter& in, const CallArgs& args, const std::string& test) {
  if (args.positional.empty()) in.fail(args.line, "test '" + test + "' needs an argument");
  return args.positional[0];
}

}  // namespace

bool apply_test(Interpreter& in, const std::string& name, const Value& v, CallArgs& args) {
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "string") return v.is_string();
  if (name == "number") return v.is_number();
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.as_bool();
  if (name == "false") return v.is_bool() && !v.as_bool();
  if (name == "mapping") return v.is_dict();
  if (name == "iterable") return v.is_list() || v.is_string() || v.is_dict() || v.is_undefined();
  if (name == "sequence") return v.is_list() || v.is_string() || v.is_dict();
  if (name == "callable") return v.is_callable();
  if (name == "lower")
    return v.is_string() && v.as_string() == v.str() &&
           v.as_string().find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos;
  if (name == "upper")
    return v.is_string() &&
           v.as_string().find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos;
  if (name == "odd" || name == "even") {
    if (!v.is_int()) in.fail(args.line, "test '" + name + "' needs an integer");
    return (v.as_int() % 2 != 0) == (name == "odd");
  }
  if (name == "divisibleby") {
    const Value& n = operand(in, args, name);
    if (!v.is_int() || !n.is_int()) in.fail(args.line, "divisibleby needs integers");
    if (n.as_int() == 0) in.fail(args.line, "integer division or modulo by zero");
    return v.as_int() % n.as_int() == 0;
  }
  if (name == "equalto" || name == "eq" || name == "==")
    return values_equal(v, operand(in, args, name));
  if (name == "ne" || name == "!=") return !values_equal(v, operand(in, args, name));
  if (name == "sameas") {
    const Value& o = operand(in, args, name);
    return (v.is_none() && o.is_none()) ||
           (v.is_bool() && o.is_bool() && v.as_bool() == o.as_bool()) ||
           ((v.is_namespace() || v.is_callable()) && values_equal(v, o));
  }
  if (name == "lt" || name == "lessthan" || name == "<")
    return less_than(in, v, operand(in, args, name), args.line);
  if (name == "gt" || name == "greaterthan" || name == ">")
    return less_than(in, operand(in, args, name), v, args.line);
  if (name == "le" || name == "<=") return !less_than(in, operand(in, args, name), v, args.line);
  if (name == "ge" || name == ">=") return !less_than(in, v, operand(in, args, name), args.line);
  if (name == "in") return contains(in, operand(in, args, name), v, args.line);
  in.fail(args.line, "no test named '" + name + "'");
}

}  // namespace tq::jinja

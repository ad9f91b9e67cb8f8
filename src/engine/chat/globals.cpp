// Global functions a chat template can call: the ones Hugging Face adds
// (raise_exception, strftime_now) and Jinja2's (range, namespace, dict).
#include <ctime>

#include "engine/chat/builtins.h"

namespace tq::jinja {

const Value* find_arg(const CallArgs& args, size_t index, const char* keyword) {
  for (const auto& [k, v] : args.keyword)
    if (k == keyword) return &v;
  return index < args.positional.size() ? &args.positional[index] : nullptr;
}

Value arg_or(const CallArgs& args, size_t index, const char* keyword, Value fallback) {
  const Value* v = find_arg(args, index, keyword);
  if (v) return *v;
  return fallback;
}

Clock system_clock_local() {
  return [] {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm;
  };
}

namespace {

Value range(Interpreter& in, CallArgs& args) {
  int64_t start = 0;
  int64_t stop = 0;
  int64_t step = 1;
  for (const auto& a : args.positional)
    if (!a.is_int()) in.fail(args.line, "range() arguments must be integers");
  if (args.positional.size() == 1) {
    stop = args.positional[0].as_int();
  } else if (args.positional.size() == 2 || args.positional.size() == 3) {
    start = args.positional[0].as_int();
    stop = args.positional[1].as_int();
    if (args.positional.size() == 3) step = args.positional[2].as_int();
  } else {
    in.fail(args.line, "range() takes 1 to 3 arguments");
  }
  if (step == 0) in.fail(args.line, "range() arg 3 must not be zero");
  // Count first (the difference of two int64 bounds fits in uint64), then refuse ranges
  // past the limit before allocating anything.
  uint64_t n = 0;
  if (step > 0 && stop > start) {
    const uint64_t diff = static_cast<uint64_t>(stop) - static_cast<uint64_t>(start);
    const auto s = static_cast<uint64_t>(step);
    n = diff / s + (diff % s != 0);
  } else if (step < 0 && stop < start) {
    const uint64_t diff = static_cast<uint64_t>(start) - static_cast<uint64_t>(stop);
    const uint64_t s = 0 - static_cast<uint64_t>(step);
    n = diff / s + (diff % s != 0);
  }
  if (n > static_cast<uint64_t>(in.limits().max_range))
    in.fail(args.line, "range too big: " + std::to_string(n) + " items (the sandbox allows " +
                           std::to_string(in.limits().max_range) + ")");
  ValueList out;
  out.reserve(static_cast<size_t>(n));
  for (uint64_t i = 0; i < n; ++i) out.emplace_back(start + static_cast<int64_t>(i) * step);
  return Value(std::move(out));
}

Value make_namespace(Interpreter& in, CallArgs& args) {
  ValueDict attrs;
  for (const auto& a : args.positional) {
    if (!a.is_dict()) in.fail(args.line, "namespace() takes a mapping or keyword arguments");
    for (const auto& [k, v] : a.as_dict().items()) attrs.set(k, v);
  }
  for (const auto& [k, v] : args.keyword) attrs.set(k, v);
  return in.make_namespace(std::move(attrs));
}

Value make_dict(Interpreter& in, CallArgs& args) {
  ValueDict d;
  for (const auto& a : args.positional) {
    if (!a.is_dict()) in.fail(args.line, "dict() takes a mapping or keyword arguments");
    for (const auto& [k, v] : a.as_dict().items()) d.set(k, v);
  }
  for (const auto& [k, v] : args.keyword) d.set(k, v);
  return Value(std::move(d));
}

Value raise_exception(Interpreter& in, CallArgs& args) {
  const Value* msg = find_arg(args, 0, "message");
  in.fail(args.line, msg ? msg->str() : std::string("raise_exception() called"));
}

}  // namespace

ValueDict make_globals(const Clock& clock) {
  ValueDict g;
  g.set("range", Value::native("range", range));
  g.set("namespace", Value::native("namespace", make_namespace));
  g.set("dict", Value::native("dict", make_dict));
  g.set("raise_exception", Value::native("raise_exception", raise_exception));
  g.set("strftime_now", Value::native("strftime_now", [clock](Interpreter& in, CallArgs& args) {
          const Value* fmt = find_arg(args, 0, "format");
          if (!fmt || !fmt->is_string()) in.fail(args.line, "strftime_now() needs a format string");
          const std::tm tm = clock();
          char buf[512];
          // strftime returns 0 both for overflow and for an empty result; both print "".
          const size_t n = fmt->as_string().size() < 200
                               ? std::strftime(buf, sizeof(buf), fmt->as_string().c_str(), &tm)
                               : 0;
          return Value(std::string(buf, n));
        }));
  return g;
}

}  // namespace tq::jinja

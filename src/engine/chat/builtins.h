// What the interpreter delegates: Python operator semantics, attribute and item access
// (including the str/dict methods templates call), filters, tests and global functions.
#pragma once

#include <chrono>
#include <ctime>
#include <functional>
#include <optional>
#include <string>

#include "engine/chat/interpreter.h"
#include "engine/chat/value.h"

namespace tq::jinja {

// ---- operators.cpp ----
// op: + - * / // % ** ~ == != < > <= >= in "not in"
Value binary_op(Interpreter& in, const std::string& op, const Value& a, const Value& b, int line);
Value negate(Interpreter& in, const Value& v, int line);
// Fails for Undefined with its hint ("'x' is undefined"), as Jinja2's default Undefined does.
void require_defined(Interpreter& in, const Value& v, int line);
// Python iteration: lists, str by character, dict by key, Undefined as empty.
ValueList iterate(Interpreter& in, const Value& v, int line);
bool contains(Interpreter& in, const Value& container, const Value& item, int line);
Value get_item(Interpreter& in, const Value& obj, const Value& key, int line);
Value get_slice(Interpreter& in, const Value& obj, const Value& start, const Value& stop,
                const Value& step, int line);
// Python ordering for sort/min/max: numbers, strings, lists; fails across types.
bool less_than(Interpreter& in, const Value& a, const Value& b, int line);

// ---- methods.cpp ----
// `obj.name`: dict keys, namespace attributes, and bound methods of str and dict.
Value get_attr(Interpreter& in, const Value& obj, const std::string& name, int line);

// ---- filters.cpp ----
// markupsafe.escape: & < > " ' as HTML entities.
std::string html_escape(const std::string& s);
Value apply_filter(Interpreter& in, const std::string& name, const Value& input, CallArgs& args);

// ---- tests.cpp ----
bool apply_test(Interpreter& in, const std::string& name, const Value& input, CallArgs& args);

// ---- globals.cpp ----
// The clock strftime_now() reads: local time now, unless fixed (tests, --now).
using Clock = std::function<std::tm()>;
Clock system_clock_local();
ValueDict make_globals(const Clock& clock);

// Argument helpers for built-ins: positional index or keyword, with a default.
const Value* find_arg(const CallArgs& args, size_t index, const char* keyword);
Value arg_or(const CallArgs& args, size_t index, const char* keyword, Value fallback);

}  // namespace tq::jinja

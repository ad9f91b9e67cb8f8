// Runs a parsed template. Sandboxed like the reference's ImmutableSandboxedEnvironment:
// templates see only the variables and functions they are given (no I/O, no attribute
// access beyond data and a fixed set of str/dict methods, no mutation of lists or dicts),
// and every render is bounded in steps, output size, call depth and range() length, so a
// hostile template ends with a TemplateError instead of hanging or exhausting memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/chat/ast.h"
#include "engine/chat/template_error.h"
#include "engine/chat/value.h"

namespace tq::jinja {

struct RenderLimits {
  uint64_t max_steps = 20'000'000;  // statements + expression nodes evaluated
  size_t max_output = 16u << 20;    // bytes of output, and of any one string or list
  int max_call_depth = 64;          // nested macro calls
  int64_t max_range = 100'000;      // range() length (the reference sandbox's MAX_RANGE)
};

struct Frame;

class Interpreter {
 public:
  Interpreter(const Program& program, const RenderLimits& limits);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Renders with `globals` (functions) and `vars` (the template's inputs) visible.
  std::string render(const ValueDict& globals, const ValueDict& vars);

  // For built-ins: calls anything callable (macros, natives, bound methods).
  Value call(const Value& callee, CallArgs& args, int line);
  [[noreturn]] void fail(int line, const std::string& message) const;
  // Throws when a string or list being built would pass the size limit; charges the
  // copy against the step budget.
  void check_size(size_t n, int line);
  const RenderLimits& limits() const { return limits_; }
  // Makes a namespace() object owned by this render. A namespace can end up holding
  // itself (`{% set ns.me = ns %}`), which reference counting alone would leak; the
  // render empties every namespace it made when it ends.
  Value make_namespace(ValueDict attrs);
  // The line being evaluated, for errors raised deep inside built-ins.
  int current_line() const { return line_; }

 private:
  enum class Flow { Normal, Break, Continue };
  class MacroCallable;
  class CallerCallable;

  void release_namespaces();
  Flow exec_body(const Body& body);
  Flow exec(const Stmt& s);
  Flow exec_for(const Stmt& s);
  void exec_set(const Stmt& s);
  void assign(const Expr& target, const Value& v, int line);
  std::string capture(const Body& body);
  Value call_macro(const Stmt& def, CallArgs& args, const Value* caller, int line);

  Value eval(const Expr& e);
  Value eval_call(const Expr& e);
  Value eval_filter(const Expr& e);
  Value apply_filter_chain(const Expr& chain, const Value& input);
  CallArgs eval_args(const Expr& e, size_t first_positional);
  Value lookup(const std::string& name) const;
  void tick(int line);
  void emit(const std::string& s);

  const Program& program_;
  RenderLimits limits_;
  std::shared_ptr<Frame> frame_;  // innermost scope
  std::shared_ptr<Frame> root_;   // the template's top-level scope (macros run under it)
  std::string* out_ = nullptr;
  std::vector<Value> namespaces_;  // every namespace made, emptied at the end
  uint64_t steps_ = 0;
  int call_depth_ = 0;
  int eval_depth_ = 0;  // exec/eval recursion, bounding native stack use
  int line_ = 0;
};

}  // namespace tq::jinja

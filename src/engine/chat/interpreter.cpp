#include "engine/chat/interpreter.h"

#include "engine/chat/builtins.h"

namespace tq::jinja {

// A scope. Loops and macro calls open one; `if` does not (Jinja2 scoping: a `set` inside a
// loop body is gone after the loop, which is why templates use namespace()).
struct Frame {
  std::vector<std::pair<std::string, Value>> vars;
  std::shared_ptr<Frame> parent;

  const Value* find(const std::string& name) const {
    for (const Frame* f = this; f; f = f->parent.get())
      for (const auto& [k, v] : f->vars)
        if (k == name) return &v;
    return nullptr;
  }
  void set(const std::string& name, Value v) {
    for (auto& [k, old] : vars)
      if (k == name) {
        old = std::move(v);
        return;
      }
    vars.emplace_back(name, std::move(v));
  }
};

namespace {

// Native stack use grows with expression nesting times macro recursion; this bounds both.
constexpr int kMaxEvalDepth = 1000;

struct DepthGuard {
  DepthGuard(int& depth, Interpreter& in) : depth_(depth) {
    if (++depth_ > kMaxEvalDepth) in.fail(in.current_line(), "template recursion too deep");
  }
  ~DepthGuard() { --depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  int& depth_;
};

}  // namespace

class Interpreter::MacroCallable final : public Callable {
 public:
  explicit MacroCallable(const Stmt& def) : def_(def) {}
  Value call(Interpreter& in, CallArgs& args) override {
    return in.call_macro(def_, args, nullptr, args.line);
  }
  std::string name() const override { return def_.text; }
  const Stmt& def() const { return def_; }

 private:
  const Stmt& def_;
};

// caller() inside a macro invoked by {% call %}: renders the call block's body in the
// scope where the block stands.
class Interpreter::CallerCallable final : public Callable {
 public:
  CallerCallable(const Stmt& block, std::shared_ptr<Frame> scope)
      : block_(block), scope_(std::move(scope)) {}
  Value call(Interpreter& in, CallArgs& args) override {
    auto frame = std::make_shared<Frame>();
    frame->parent = scope_;
    for (size_t i = 0; i < block_.params.size(); ++i) {
      const auto& p = block_.params[i];
      const Value* v = find_arg(args, i, p.name.c_str());
      frame->set(p.name, v ? *v : Value::undefined("'" + p.name + "' is undefined"));
    }
    auto saved = std::exchange(in.frame_, frame);
    std::string out;
    try {
      out = in.capture(block_.bodies[0]);
    } catch (...) {
      in.frame_ = saved;
      throw;
    }
    in.frame_ = saved;
    return Value(std::move(out));
  }
  std::string name() const override { return "caller"; }

 private:
  const Stmt& block_;
  std::shared_ptr<Frame> scope_;
};

Interpreter::Interpreter(const Program& program, const RenderLimits& limits)
    : program_(program), limits_(limits) {}

Interpreter::~Interpreter() {
  release_namespaces();
}

Value Interpreter::make_namespace(ValueDict attrs) {
  namespaces_.push_back(Value::make_namespace(std::move(attrs)));
  return namespaces_.back();
}

void Interpreter::release_namespaces() {
  for (auto& ns : namespaces_) ns.as_namespace() = ValueDict{};
  namespaces_.clear();
}

void Interpreter::fail(int line, const std::string& message) const {
  throw TemplateError(line, message);
}

void Interpreter::check_size(size_t n, int line) {
  steps_ += n / 1024;
  if (n > limits_.max_output)
    fail(line, "value too large: " + std::to_string(n) + " (the sandbox allows " +
                   std::to_string(limits_.max_output) + ")");
}

void Interpreter::tick(int line) {
  line_ = line;
  if (++steps_ > limits_.max_steps)
    fail(line, "template ran too long (more than " + std::to_string(limits_.max_steps) + " steps)");
}

void Interpreter::emit(const std::string& s) {
  out_->append(s);
  // Charge what was appended, not the whole buffer (that would be quadratic).
  steps_ += s.size() / 1024;
  if (out_->size() > limits_.max_output)
    fail(line_, "output too large: more than " + std::to_string(limits_.max_output) + " bytes");
}

std::string Interpreter::render(const ValueDict& globals, const ValueDict& vars) {
  auto g = std::make_shared<Frame>();
  for (const auto& [k, v] : globals.items()) g->set(k, v);
  root_ = std::make_shared<Frame>();
  root_->parent = g;
  for (const auto& [k, v] : vars.items()) root_->set(k, v);
  frame_ = root_;
  steps_ = 0;
  call_depth_ = 0;
  eval_depth_ = 0;
  std::string out;
  out_ = &out;
  exec_body(program_.body);
  out_ = nullptr;
  frame_.reset();
  root_.reset();
  release_namespaces();
  return out;
}

std::string Interpreter::capture(const Body& body) {
  std::string buf;
  std::string* saved = std::exchange(out_, &buf);
  try {
    exec_body(body);
  } catch (...) {
    out_ = saved;
    throw;
  }
  out_ = saved;
  return buf;
}

Interpreter::Flow Interpreter::exec_body(const Body& body) {
  for (const auto& s : body) {
    const Flow f = exec(*s);
    if (f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Stmt& s) {
  tick(s.line);
  DepthGuard guard(eval_depth_, *this);
  switch (s.kind) {
    case Stmt::Kind::Text:
      emit(s.text);
      return Flow::Normal;
    case Stmt::Kind::Output:
      emit(eval(*s.expr).str());
      return Flow::Normal;
    case Stmt::Kind::If:
      for (size_t i = 0; i < s.conditions.size(); ++i)
        if (eval(*s.conditions[i]).truthy()) return exec_body(s.bodies[i]);
      if (s.bodies.size() > s.conditions.size()) return exec_body(s.bodies.back());
      return Flow::Normal;
    case Stmt::Kind::For:
      return exec_for(s);
    case Stmt::Kind::Set:
      assign(*s.target, eval(*s.expr), s.line);
      return Flow::Normal;
    case Stmt::Kind::SetBlock:
      assign(*s.target, apply_filter_chain(*s.expr, Value(capture(s.bodies[0]))), s.line);
      return Flow::Normal;
    case Stmt::Kind::FilterBlock:
      emit(apply_filter_chain(*s.expr, Value(capture(s.bodies[0]))).str());
      return Flow::Normal;
    case Stmt::Kind::Macro:
      frame_->set(s.text, Value::make_callable(std::make_shared<MacroCallable>(s)));
      return Flow::Normal;
    case Stmt::Kind::CallBlock: {
      const Expr& call = *s.expr;
      const Value callee = eval(*call.items[0]);
      if (!callee.is_callable()) fail(s.line, "{% call %} needs a macro");
      auto* macro = dynamic_cast<MacroCallable*>(&callee.as_callable());
      if (!macro) fail(s.line, "{% call %} needs a macro");
      CallArgs args = eval_args(call, 1);
      const Value caller = Value::make_callable(std::make_shared<CallerCallable>(s, frame_));
      emit(call_macro(macro->def(), args, &caller, s.line).str());
      return Flow::Normal;
    }
    case Stmt::Kind::Break:
      return Flow::Break;
    case Stmt::Kind::Continue:
      return Flow::Continue;
  }
  return Flow::Normal;
}

void Interpreter::assign(const Expr& target, const Value& v, int line) {
  switch (target.kind) {
    case Expr::Kind::Name:
      frame_->set(target.name, v);
      return;
    case Expr::Kind::Tuple: {
      if (!v.is_list()) fail(line, "cannot unpack non-sequence " + v.type_name());
      const auto& items = v.as_list();
      if (items.size() != target.items.size())
        fail(line, (items.size() > target.items.size() ? "too many" : "not enough") +
                       std::string(" values to unpack (expected ") +
                       std::to_string(target.items.size()) + ", got " +
                       std::to_string(items.size()) + ")");
      for (size_t i = 0; i < items.size(); ++i) assign(*target.items[i], items[i], line);
      return;
    }
    case Expr::Kind::GetAttr: {
      const Value obj = eval(*target.items[0]);
      if (!obj.is_namespace()) fail(line, "cannot assign attribute on non-namespace object");
      obj.as_namespace().set(target.name, v);
      return;
    }
    default:
      fail(line, "cannot assign to this expression");
  }
}

Interpreter::Flow Interpreter::exec_for(const Stmt& s) {
  const Value seq = eval(*s.expr);
  ValueList items =
      seq.is_dict() || seq.is_list() || seq.is_string() || seq.is_undefined()
          ? iterate(*this, seq, s.line)
          : (fail(s.line, "'" + seq.type_name() + "' object is not iterable"), ValueList{});
  auto frame = std::make_shared<Frame>();
  frame->parent = frame_;
  auto saved = std::exchange(frame_, frame);
  struct Restore {
    Interpreter& in;
    std::shared_ptr<Frame> saved;
    ~Restore() { in.frame_ = std::move(saved); }
  } restore{*this, saved};

  if (s.cond) {  // `for x in xs if cond`: filtered before loop.length is known
    ValueList kept;
    for (auto& item : items) {
      tick(s.line);
      assign(*s.target, item, s.line);
      if (eval(*s.cond).truthy()) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) {
    if (s.bodies.size() > 1) {
      frame_ = saved;
      exec_body(s.bodies[1]);
    }
    return Flow::Normal;
  }
  // One mutable `loop` object updated in place, as Jinja2's LoopContext is: building a
  // fresh one per iteration dominated the cost of tight loops.
  const auto n = static_cast<int64_t>(items.size());
  auto position = std::make_shared<int64_t>(0);
  const Value loop = make_namespace({});
  ValueDict& lv = loop.as_namespace();
  lv.set("length", Value(n));
  lv.set("depth", Value(1));
  lv.set("depth0", Value(0));
  lv.set("cycle", Value::native("cycle", [position](Interpreter& in, CallArgs& args) {
           if (args.positional.empty()) in.fail(args.line, "no items for cycling given");
           return args.positional[static_cast<size_t>(*position) % args.positional.size()];
         }));
  frame_->set("loop", loop);
  for (int64_t i = 0; i < n; ++i) {
    tick(s.line);
    const auto idx = static_cast<size_t>(i);
    *position = i;
    assign(*s.target, items[idx], s.line);
    lv.set("index", Value(i + 1));
    lv.set("index0", Value(i));
    lv.set("revindex", Value(n - i));
    lv.set("revindex0", Value(n - i - 1));
    lv.set("first", Value(i == 0));
    lv.set("last", Value(i == n - 1));
    lv.set("previtem", i > 0 ? items[idx - 1] : Value::undefined("there is no previous item"));
    lv.set("nextitem", i + 1 < n ? items[idx + 1] : Value::undefined("there is no next item"));
    frame_->set("loop", loop);  // the body may have rebound the name
    if (exec_body(s.bodies[0]) == Flow::Break) break;
  }
  return Flow::Normal;
}

Value Interpreter::call_macro(const Stmt& def, CallArgs& args, const Value* caller, int line) {
  if (call_depth_ >= limits_.max_call_depth)
    fail(line, "macro calls nested too deeply (more than " +
                   std::to_string(limits_.max_call_depth) + ")");
  auto frame = std::make_shared<Frame>();
  frame->parent = root_;
  auto saved = std::exchange(frame_, frame);
  ++call_depth_;
  std::string out;
  try {
    const auto& params = def.params;
    ValueList varargs;
    for (size_t i = 0; i < args.positional.size(); ++i) {
      if (i < params.size())
        frame->set(params[i].name, args.positional[i]);
      else
        varargs.push_back(args.positional[i]);
    }
    ValueDict kwargs;
    for (const auto& [k, v] : args.keyword) {
      bool is_param = false;
      for (const auto& p : params) is_param = is_param || p.name == k;
      if (is_param)
        frame->set(k, v);
      else
        kwargs.set(k, v);
    }
    for (const auto& p : params) {
      bool bound = false;
      for (const auto& [k, _] : frame->vars) bound = bound || k == p.name;
      if (bound) continue;
      frame->set(p.name, p.default_value ? eval(*p.default_value)
                                         : Value::undefined("'" + p.name + "' is undefined"));
    }
    frame->set("varargs", Value::tuple(std::move(varargs)));
    frame->set("kwargs", Value(std::move(kwargs)));
    if (caller) frame->set("caller", *caller);
    out = capture(def.bodies[0]);
  } catch (...) {
    frame_ = saved;
    --call_depth_;
    throw;
  }
  frame_ = saved;
  --call_depth_;
  return Value(std::move(out));
}

Value Interpreter::lookup(const std::string& name) const {
  if (const Value* v = frame_->find(name)) return *v;
  return Value::undefined("'" + name + "' is undefined");
}

CallArgs Interpreter::eval_args(const Expr& e, size_t first_positional) {
  CallArgs args;
  args.line = e.line;
  for (size_t i = first_positional; i < e.items.size(); ++i)
    args.positional.push_back(eval(*e.items[i]));
  for (const auto& [k, v] : e.kwargs) args.keyword.emplace_back(k, eval(*v));
  return args;
}

Value Interpreter::call(const Value& callee, CallArgs& args, int line) {
  require_defined(*this, callee, line);
  if (!callee.is_callable()) fail(line, "'" + callee.type_name() + "' object is not callable");
  return callee.as_callable().call(*this, args);
}

Value Interpreter::eval_call(const Expr& e) {
  const Value callee = eval(*e.items[0]);
  CallArgs args = eval_args(e, 1);
  return call(callee, args, e.line);
}

Value Interpreter::apply_filter_chain(const Expr& chain, const Value& input) {
  if (chain.kind != Expr::Kind::Filter) return input;  // the placeholder at the bottom
  const Value v = apply_filter_chain(*chain.items[0], input);
  CallArgs args = eval_args(chain, 1);
  return apply_filter(*this, chain.name, v, args);
}

Value Interpreter::eval(const Expr& e) {
  tick(e.line);
  DepthGuard guard(eval_depth_, *this);
  switch (e.kind) {
    case Expr::Kind::Literal:
      return e.value;
    case Expr::Kind::Name:
      return lookup(e.name);
    case Expr::Kind::List:
    case Expr::Kind::Tuple: {
      ValueList out;
      for (const auto& item : e.items) out.push_back(eval(*item));
      if (e.kind == Expr::Kind::Tuple) return Value::tuple(std::move(out));
      return Value(std::move(out));
    }
    case Expr::Kind::Dict: {
      ValueDict d;
      for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
        const Value k = eval(*e.items[i]);
        if (!k.is_string()) fail(e.line, "dict keys must be strings here");
        d.set(k.as_string(), eval(*e.items[i + 1]));
      }
      return Value(std::move(d));
    }
    case Expr::Kind::GetAttr:
      return get_attr(*this, eval(*e.items[0]), e.name, e.line);
    case Expr::Kind::GetItem:
      return get_item(*this, eval(*e.items[0]), eval(*e.items[1]), e.line);
    case Expr::Kind::Slice: {
      auto part = [&](size_t i) { return e.items[i] ? eval(*e.items[i]) : Value::none(); };
      return get_slice(*this, eval(*e.items[0]), part(1), part(2), part(3), e.line);
    }
    case Expr::Kind::Call:
      return eval_call(e);
    case Expr::Kind::Filter: {
      const Value v = eval(*e.items[0]);
      CallArgs args = eval_args(e, 1);
      return apply_filter(*this, e.name, v, args);
    }
    case Expr::Kind::Test: {
      const Value v = eval(*e.items[0]);
      CallArgs args = eval_args(e, 1);
      return Value(apply_test(*this, e.name, v, args) != e.negated);
    }
    case Expr::Kind::Not:
      return Value(!eval(*e.items[0]).truthy());
    case Expr::Kind::Neg:
      return negate(*this, eval(*e.items[0]), e.line);
    case Expr::Kind::Pos: {
      Value v = eval(*e.items[0]);
      if (!v.is_number()) fail(e.line, "bad operand type for unary +: '" + v.type_name() + "'");
      return v;
    }
    case Expr::Kind::Binary: {
      const Value a = eval(*e.items[0]);
      const Value b = eval(*e.items[1]);
      return binary_op(*this, e.name, a, b, e.line);
    }
    case Expr::Kind::And: {
      Value a = eval(*e.items[0]);
      return a.truthy() ? eval(*e.items[1]) : a;
    }
    case Expr::Kind::Or: {
      Value a = eval(*e.items[0]);
      return a.truthy() ? a : eval(*e.items[1]);
    }
    case Expr::Kind::Condition:
      if (eval(*e.items[0]).truthy()) return eval(*e.items[1]);
      if (e.items[2]) return eval(*e.items[2]);
      return Value::undefined("the inline if-expression on line " + std::to_string(e.line) +
                              " evaluated to false and no else section was defined.");
  }
  return Value();
}

}  // namespace tq::jinja

#include "engine/chat/parser.h"

#include <charconv>
#include <initializer_list>

#include "engine/chat/lexer.h"
#include "engine/chat/template_error.h"

namespace tq::jinja {
namespace {

constexpr int kMaxNesting = 200;

using T = Token::Type;

ExprPtr make(Expr::Kind kind, int line) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->line = line;
  return e;
}

ExprPtr make_binary(Expr::Kind kind, std::string op, ExprPtr a, ExprPtr b) {
  auto e = make(kind, a->line);
  e->name = std::move(op);
  e->items.push_back(std::move(a));
  e->items.push_back(std::move(b));
  return e;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Program program() {
    Program p;
    std::string which;
    p.body = body({}, which);
    return p;
  }

 private:
  // ---- token helpers ----
  const Token& peek(size_t ahead = 0) const {
    const size_t k = std::min(i_ + ahead, t_.size() - 1);
    return t_[k];
  }
  const Token& next() {
    const Token& tok = t_[i_];
    if (i_ + 1 < t_.size()) ++i_;
    return tok;
  }
  bool is_op(std::string_view op, size_t ahead = 0) const {
    return peek(ahead).type == T::Op && peek(ahead).value == op;
  }
  bool is_name(std::string_view name, size_t ahead = 0) const {
    return peek(ahead).type == T::Name && peek(ahead).value == name;
  }
  bool skip_op(std::string_view op) {
    if (!is_op(op)) return false;
    next();
    return true;
  }
  bool skip_name(std::string_view name) {
    if (!is_name(name)) return false;
    next();
    return true;
  }
  [[noreturn]] void fail(const std::string& what) const { throw TemplateError(peek().line, what); }
  static std::string describe(const Token& tok) {
    switch (tok.type) {
      case T::End:
        return "end of template";
      case T::BlockEnd:
        return "'%}'";
      case T::VarEnd:
        return "'}}'";
      case T::Text:
        return "text";
      case T::String:
        return "string";
      default:
        return "'" + tok.value + "'";
    }
  }
  void expect_op(std::string_view op) {
    if (!skip_op(op)) fail("expected '" + std::string(op) + "', found " + describe(peek()));
  }
  void expect(T type, const char* what) {
    if (peek().type != type) fail(std::string("expected ") + what + ", found " + describe(peek()));
    next();
  }
  std::string expect_name() {
    if (peek().type != T::Name) fail("expected a name, found " + describe(peek()));
    return next().value;
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxNesting) p_.fail("template nested too deeply");
    }
    ~DepthGuard() { --p_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    Parser& p_;
  };

  // ---- statements ----

  // Parses statements until a block tag whose keyword is in `stops` (consumed, returned in
  // `which`; the rest of that tag is left to the caller) or the end of the template.
  Body body(std::initializer_list<std::string_view> stops, std::string& which) {
    DepthGuard guard(*this);
    Body out;
    for (;;) {
      const Token& tok = peek();
      if (tok.type == T::End) {
        if (stops.size() != 0)
          fail("unexpected end of template: missing {% " + std::string(*(stops.end() - 1)) + " %}");
        return out;
      }
      if (tok.type == T::Text) {
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::Text;
        s->line = tok.line;
        s->text = tok.value;
        out.push_back(std::move(s));
        next();
        continue;
      }
      if (tok.type == T::VarBegin) {
        next();
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::Output;
        s->line = tok.line;
        s->expr = tuple(true);
        expect(T::VarEnd, "'}}'");
        out.push_back(std::move(s));
        continue;
      }
      if (tok.type != T::BlockBegin) fail("unexpected " + describe(tok));
      const Token& kw = peek(1);
      if (kw.type != T::Name) {
        next();
        fail("expected a statement keyword, found " + describe(kw));
      }
      for (auto stop : stops) {
        if (kw.value == stop) {
          next();
          next();
          which = kw.value;
          return out;
        }
      }
      next();
      out.push_back(statement());
    }
  }

  StmtPtr statement() {
    const Token& kw = next();
    auto s = std::make_unique<Stmt>();
    s->line = kw.line;
    const std::string& k = kw.value;
    std::string which;
    if (k == "if") {
      s->kind = Stmt::Kind::If;
      s->conditions.push_back(tuple(true));
      expect(T::BlockEnd, "'%}'");
      for (;;) {
        s->bodies.push_back(body({"elif", "else", "endif"}, which));
        if (which == "elif") {
          s->conditions.push_back(tuple(true));
          expect(T::BlockEnd, "'%}'");
          continue;
        }
        if (which == "else") {
          expect(T::BlockEnd, "'%}'");
          s->bodies.push_back(body({"endif"}, which));
        }
        break;
      }
    } else if (k == "for") {
      s->kind = Stmt::Kind::For;
      s->target = assign_target(false);
      if (!skip_name("in")) fail("expected 'in' in for loop, found " + describe(peek()));
      s->expr = tuple(false);
      if (skip_name("if")) s->cond = expression(true);
      if (is_name("recursive")) fail("recursive loops are not supported");
      expect(T::BlockEnd, "'%}'");
      ++loop_depth_;
      s->bodies.push_back(body({"else", "endfor"}, which));
      --loop_depth_;
      if (which == "else") {
        expect(T::BlockEnd, "'%}'");
        s->bodies.push_back(body({"endfor"}, which));
      }
    } else if (k == "set") {
      s->target = assign_target(true);
      if (skip_op("=")) {
        s->kind = Stmt::Kind::Set;
        s->expr = tuple(true);
      } else {
        if (s->target->kind != Expr::Kind::Name) fail("a block set assigns one name");
        s->kind = Stmt::Kind::SetBlock;
        s->text = s->target->name;
        s->expr = filter_chain(make(Expr::Kind::Name, s->line));
        expect(T::BlockEnd, "'%}'");
        s->bodies.push_back(body({"endset"}, which));
      }
    } else if (k == "macro") {
      s->kind = Stmt::Kind::Macro;
      s->text = expect_name();
      s->params = params();
      expect(T::BlockEnd, "'%}'");
      const int saved = loop_depth_;
      loop_depth_ = 0;
      s->bodies.push_back(body({"endmacro"}, which));
      loop_depth_ = saved;
      if (peek().type == T::Name) next();  // {% endmacro name %}
    } else if (k == "call") {
      s->kind = Stmt::Kind::CallBlock;
      if (is_op("(")) s->params = params();
      s->expr = expression(true);
      if (s->expr->kind != Expr::Kind::Call) fail("{% call %} needs a macro call");
      expect(T::BlockEnd, "'%}'");
      s->bodies.push_back(body({"endcall"}, which));
    } else if (k == "filter") {
      s->kind = Stmt::Kind::FilterBlock;
      auto chain = make(Expr::Kind::Name, s->line);
      // The first filter has no leading `|`: `{% filter trim %}`.
      chain = filter_call(std::move(chain));
      s->expr = filter_chain(std::move(chain));
      expect(T::BlockEnd, "'%}'");
      s->bodies.push_back(body({"endfilter"}, which));
    } else if (k == "break" || k == "continue") {
      if (loop_depth_ == 0) throw TemplateError(kw.line, "'" + k + "' outside a loop");
      s->kind = k == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue;
    } else if (k == "raw") {
      fail("malformed {% raw %}");
    } else {
      throw TemplateError(kw.line, "unknown or unexpected tag '" + k + "'");
    }
    expect(T::BlockEnd, "'%}'");
    return s;
  }

  std::vector<MacroParam> params() {
    std::vector<MacroParam> out;
    expect_op("(");
    while (!skip_op(")")) {
      if (!out.empty()) expect_op(",");
      if (skip_op(")")) break;
      MacroParam p;
      p.name = expect_name();
      if (skip_op("=")) p.default_value = expression(true);
      out.push_back(std::move(p));
    }
    return out;
  }

  // `x`, `a, b`, `(a, b)` and, for set, `ns.attr`.
  ExprPtr assign_target(bool allow_attr) {
    const int line = peek().line;
    auto one = [&]() -> ExprPtr {
      if (skip_op("(")) {
        auto inner = assign_target(false);
        expect_op(")");
        return inner;
      }
      auto n = make(Expr::Kind::Name, peek().line);
      n->name = expect_name();
      if (allow_attr && skip_op(".")) {
        auto a = make(Expr::Kind::GetAttr, n->line);
        a->name = expect_name();
        a->items.push_back(std::move(n));
        return a;
      }
      return n;
    };
    auto first = one();
    if (!is_op(",")) return first;
    auto tup = make(Expr::Kind::Tuple, line);
    tup->items.push_back(std::move(first));
    while (skip_op(",")) {
      if (peek().type != T::Name && !is_op("(")) break;
      tup->items.push_back(one());
    }
    for (const auto& item : tup->items)
      if (item->kind == Expr::Kind::GetAttr) fail("cannot unpack into an attribute");
    return tup;
  }

  // ---- expressions ----

  bool tuple_ends() const {
    const Token& tok = peek();
    return tok.type == T::VarEnd || tok.type == T::BlockEnd || tok.type == T::End || is_op(")") ||
           is_name("if");
  }

  ExprPtr tuple(bool with_condexpr) {
    const int line = peek().line;
    auto first = expression(with_condexpr);
    if (!is_op(",")) return first;
    auto tup = make(Expr::Kind::Tuple, line);
    tup->items.push_back(std::move(first));
    while (skip_op(",")) {
      if (tuple_ends()) break;
      tup->items.push_back(expression(with_condexpr));
    }
    return tup;
  }

  ExprPtr expression(bool with_condexpr) {
    DepthGuard guard(*this);
    auto e = or_expr();
    if (!with_condexpr) return e;
    while (skip_name("if")) {
      auto c = make(Expr::Kind::Condition, e->line);
      c->items.push_back(or_expr());
      c->items.push_back(std::move(e));
      c->items.push_back(skip_name("else") ? expression(true) : nullptr);
      e = std::move(c);
    }
    return e;
  }

  ExprPtr or_expr() {
    auto e = and_expr();
    while (skip_name("or")) e = make_binary(Expr::Kind::Or, "or", std::move(e), and_expr());
    return e;
  }

  ExprPtr and_expr() {
    auto e = not_expr();
    while (skip_name("and")) e = make_binary(Expr::Kind::And, "and", std::move(e), not_expr());
    return e;
  }

  ExprPtr not_expr() {
    if (is_name("not")) {
      DepthGuard guard(*this);
      auto n = make(Expr::Kind::Not, next().line);
      n->items.push_back(not_expr());
      return n;
    }
    return compare();
  }

  ExprPtr compare() {
    auto e = math1();
    for (;;) {
      const Token& tok = peek();
      std::string op;
      if (tok.type == T::Op && (tok.value == "==" || tok.value == "!=" || tok.value == "<" ||
                                tok.value == ">" || tok.value == "<=" || tok.value == ">=")) {
        op = tok.value;
        next();
      } else if (is_name("in")) {
        op = "in";
        next();
      } else if (is_name("not") && is_name("in", 1)) {
        op = "not in";
        next();
        next();
      } else {
        return e;
      }
      e = make_binary(Expr::Kind::Binary, op, std::move(e), math1());
    }
  }

  ExprPtr math1() {
    auto e = concat();
    while (is_op("+") || is_op("-")) {
      std::string op = next().value;
      e = make_binary(Expr::Kind::Binary, op, std::move(e), concat());
    }
    return e;
  }

  ExprPtr concat() {
    auto e = math2();
    while (skip_op("~")) e = make_binary(Expr::Kind::Binary, "~", std::move(e), math2());
    return e;
  }

  ExprPtr math2() {
    auto e = power();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      std::string op = next().value;
      e = make_binary(Expr::Kind::Binary, op, std::move(e), power());
    }
    return e;
  }

  ExprPtr power() {
    auto e = unary(true);
    while (skip_op("**")) e = make_binary(Expr::Kind::Binary, "**", std::move(e), unary(true));
    return e;
  }

  ExprPtr unary(bool with_filter) {
    DepthGuard guard(*this);
    ExprPtr e;
    if (is_op("-") || is_op("+")) {
      const Token& tok = next();
      e = make(tok.value == "-" ? Expr::Kind::Neg : Expr::Kind::Pos, tok.line);
      e->items.push_back(unary(false));
    } else {
      e = primary();
    }
    e = postfix(std::move(e));
    return with_filter ? filter_chain(std::move(e)) : std::move(e);
  }

  ExprPtr primary() {
    const Token& tok = peek();
    switch (tok.type) {
      case T::Name: {
        next();
        const std::string& n = tok.value;
        auto e = make(Expr::Kind::Literal, tok.line);
        if (n == "true" || n == "True") {
          e->value = Value(true);
        } else if (n == "false" || n == "False") {
          e->value = Value(false);
        } else if (n == "none" || n == "None") {
          e->value = Value::none();
        } else {
          e->kind = Expr::Kind::Name;
          e->name = n;
        }
        return e;
      }
      case T::String: {
        auto e = make(Expr::Kind::Literal, tok.line);
        std::string s;
        while (peek().type == T::String) s += next().value;  // adjacent literals join
        e->value = Value(std::move(s));
        return e;
      }
      case T::Int: {
        next();
        auto e = make(Expr::Kind::Literal, tok.line);
        int64_t v = 0;
        auto r = std::from_chars(tok.value.data(), tok.value.data() + tok.value.size(), v);
        if (r.ec != std::errc()) throw TemplateError(tok.line, "integer literal too large");
        e->value = Value(v);
        return e;
      }
      case T::Float: {
        next();
        auto e = make(Expr::Kind::Literal, tok.line);
        double v = 0;
        std::from_chars(tok.value.data(), tok.value.data() + tok.value.size(), v);
        e->value = Value(v);
        return e;
      }
      default:
        break;
    }
    if (skip_op("(")) {
      if (skip_op(")")) return make(Expr::Kind::Tuple, tok.line);
      auto e = tuple(true);
      expect_op(")");
      return e;
    }
    if (skip_op("[")) {
      auto e = make(Expr::Kind::List, tok.line);
      while (!skip_op("]")) {
        if (!e->items.empty()) expect_op(",");
        if (skip_op("]")) break;
        e->items.push_back(expression(true));
      }
      return e;
    }
    if (skip_op("{")) {
      auto e = make(Expr::Kind::Dict, tok.line);
      while (!skip_op("}")) {
        if (!e->items.empty()) expect_op(",");
        if (skip_op("}")) break;
        e->items.push_back(expression(true));
        expect_op(":");
        e->items.push_back(expression(true));
      }
      return e;
    }
    fail("unexpected " + describe(tok));
  }

  ExprPtr postfix(ExprPtr e) {
    for (;;) {
      const int line = peek().line;
      if (skip_op(".")) {
        if (peek().type == T::Int) {
          auto g = make(Expr::Kind::GetItem, line);
          auto idx = make(Expr::Kind::Literal, line);
          const Token& num = next();
          int64_t v = 0;
          auto r = std::from_chars(num.value.data(), num.value.data() + num.value.size(), v);
          if (r.ec != std::errc()) throw TemplateError(num.line, "integer literal too large");
          idx->value = Value(v);
          g->items.push_back(std::move(e));
          g->items.push_back(std::move(idx));
          e = std::move(g);
        } else {
          auto g = make(Expr::Kind::GetAttr, line);
          g->name = expect_name();
          g->items.push_back(std::move(e));
          e = std::move(g);
        }
      } else if (skip_op("[")) {
        e = subscript(std::move(e), line);
      } else if (is_op("(")) {
        auto c = make(Expr::Kind::Call, line);
        c->items.push_back(std::move(e));
        call_args(*c);
        e = std::move(c);
      } else {
        return e;
      }
    }
  }

  ExprPtr subscript(ExprPtr obj, int line) {
    ExprPtr parts[3];
    int colons = 0;
    for (;;) {
      if (skip_op("]")) break;
      if (skip_op(":")) {
        if (++colons > 2) fail("too many ':' in slice");
        continue;
      }
      if (parts[colons]) fail("expected ']' or ':'");
      parts[colons] = expression(true);
    }
    if (colons == 0) {
      if (!parts[0]) fail("empty subscript");
      auto g = make(Expr::Kind::GetItem, line);
      g->items.push_back(std::move(obj));
      g->items.push_back(std::move(parts[0]));
      return g;
    }
    auto s = make(Expr::Kind::Slice, line);
    s->items.push_back(std::move(obj));
    for (auto& p : parts) s->items.push_back(std::move(p));
    return s;
  }

  void call_args(Expr& call) {
    expect_op("(");
    bool first = true;
    while (!skip_op(")")) {
      if (!first) expect_op(",");
      first = false;
      if (skip_op(")")) break;
      if (peek().type == T::Name && is_op("=", 1)) {
        std::string key = next().value;
        next();
        call.kwargs.emplace_back(std::move(key), expression(true));
      } else {
        if (!call.kwargs.empty()) fail("positional argument after keyword argument");
        call.items.push_back(expression(true));
      }
    }
  }

  // `| name(args)` and `is [not] name args`, any number of them, left to right.
  ExprPtr filter_chain(ExprPtr e) {
    for (;;) {
      if (skip_op("|")) {
        e = filter_call(std::move(e));
      } else if (is_name("is")) {
        const int line = next().line;
        auto t = make(Expr::Kind::Test, line);
        t->negated = skip_name("not");
        t->name = expect_name();
        t->items.push_back(std::move(e));
        const Token& tok = peek();
        if (is_op("(")) {
          call_args(*t);
        } else if ((tok.type == T::Name || tok.type == T::String || tok.type == T::Int ||
                    tok.type == T::Float || is_op("[") || is_op("{")) &&
                   !is_name("else") && !is_name("or") && !is_name("and") && !is_name("if") &&
                   !is_name("in") && !is_name("not") && !is_name("is")) {
          t->items.push_back(postfix(primary()));
        }
        e = std::move(t);
      } else {
        return e;
      }
    }
  }

  ExprPtr filter_call(ExprPtr operand) {
    auto f = make(Expr::Kind::Filter, peek().line);
    f->name = expect_name();
    f->items.push_back(std::move(operand));
    if (is_op("(")) call_args(*f);
    return f;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;
};

}  // namespace

Program parse_template(std::string_view source) {
  return Parser(tokenize(source)).program();
}

}  // namespace tq::jinja

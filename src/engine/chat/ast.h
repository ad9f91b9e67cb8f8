// The parsed template: expression and statement nodes. One struct per family with a kind
// tag keeps the tree plain data; the interpreter switches on the kind.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/chat/value.h"

namespace tq::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    Literal,    // value
    Name,       // name
    List,       // items
    Tuple,      // items (evaluates to a list)
    Dict,       // items as key, value pairs: items[2i], items[2i+1]
    GetAttr,    // items[0] . name
    GetItem,    // items[0] [ items[1] ]
    Slice,      // items[0] [ items[1] : items[2] : items[3] ] (null parts omitted)
    Call,       // items[0] ( items[1..], kwargs )
    Filter,     // items[0] | name ( items[1..], kwargs )
    Test,       // items[0] is [not] name ( items[1..] )
    Not,        // not items[0]
    Neg,        // -items[0]
    Pos,        // +items[0]
    Binary,     // items[0] op items[1]   (arithmetic, ~, comparisons, in, not in)
    And,        // items[0] and items[1]
    Or,         // items[0] or items[1]
    Condition,  // items[1] if items[0] else items[2] (items[2] may be null)
  };
  Kind kind;
  int line = 0;
  Value value;           // Literal
  std::string name;      // Name, GetAttr, Call-less names of Filter/Test, Binary operator
  bool negated = false;  // Test: `is not`
  std::vector<ExprPtr> items;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct MacroParam {
  std::string name;
  ExprPtr default_value;  // null: required
};

struct Stmt {
  enum class Kind {
    Text,         // text
    Output,       // {{ expr }}
    If,           // conditions[i] → bodies[i]; bodies.back() is else when bodies > conditions
    For,          // for targets in expr [if cond] … [else …]: bodies[0] loop, bodies[1] else
    Set,          // set target = expr (target: Name, Tuple of names, or GetAttr of a name)
    SetBlock,     // set name [| filters] … endset: expr is the filter chain on a Name "_"
    Macro,        // macro name(params) … endmacro
    CallBlock,    // call[(params)] expr … endcall: bodies[0] is caller()
    FilterBlock,  // filter chain … endfilter
    Break,
    Continue,
  };
  Kind kind;
  int line = 0;
  std::string text;                 // Text; Macro/SetBlock name
  ExprPtr expr;                     // Output/Set value; For iterable; CallBlock call; filter chains
  ExprPtr target;                   // Set target; For target (Name or Tuple of names)
  ExprPtr cond;                     // For filter condition
  std::vector<ExprPtr> conditions;  // If
  std::vector<Body> bodies;
  std::vector<MacroParam> params;  // Macro, CallBlock
};

// A parsed template; the tree is shared by every render of it.
struct Program {
  Body body;
};

}  // namespace tq::jinja

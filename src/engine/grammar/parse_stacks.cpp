#include "engine/grammar/parse_stacks.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace tq {
namespace {

uint64_t frame_key(uint32_t pos, uint32_t parent) {
  return (uint64_t{pos} << 32) | parent;
}

void sort_unique(std::vector<uint32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  if (v.size() > ParseStacks::kMaxStacks)
    throw InputError("grammar: too ambiguous, more than " +
                     std::to_string(ParseStacks::kMaxStacks) +
                     " ways to parse the text so far (simplify repetitions of rules that can "
                     "match the same text)");
}

}  // namespace

uint32_t ParseStacks::intern(uint32_t pos, uint32_t parent) {
  const auto [it, added] =
      index_.try_emplace(frame_key(pos, parent), static_cast<uint32_t>(frames_.size()));
  if (added) frames_.push_back({pos, parent});
  return it->second;
}

void ParseStacks::expand(uint32_t pos, uint32_t parent, std::vector<uint32_t>& out) {
  // An explicit work list rather than recursion: a chain of rules that each start with the
  // next one is as deep as the grammar text makes it. `seen_` (cleared by the caller once
  // per step) stops both repeated work and the rest of a step's duplicates.
  work_.push_back({pos, parent});
  while (!work_.empty()) {
    const Frame f = work_.back();
    work_.pop_back();
    if (!seen_.insert(frame_key(f.pos, f.parent)).second) continue;
    const GrammarElem& e = g_.elem(f.pos);
    switch (e.kind) {
      case ElemKind::End:  // the rule is done: continue in the frame below
        if (f.parent == kBottom)
          out.push_back(kComplete);
        else
          work_.push_back(frames_[f.parent]);
        break;
      case ElemKind::Chars:
        out.push_back(intern(f.pos, f.parent));
        break;
      case ElemKind::Rule: {
        // A rule referenced last in its alternative needs no frame to come back to (tail
        // call): that keeps repetitions (r ::= x r | ε) at constant depth.
        const uint32_t cont =
            g_.elem(f.pos + 1).kind == ElemKind::End ? f.parent : intern(f.pos + 1, f.parent);
        for (const uint32_t alt : g_.alternatives(e.a)) work_.push_back({alt, cont});
        break;
      }
    }
  }
}

std::vector<uint32_t> ParseStacks::initial() {
  std::vector<uint32_t> out;
  seen_.clear();
  for (const uint32_t alt : g_.alternatives(g_.root())) expand(alt, kBottom, out);
  sort_unique(out);
  return out;
}

std::vector<uint32_t> ParseStacks::step(std::span<const uint32_t> in, uint32_t cp) {
  std::vector<uint32_t> out;
  seen_.clear();
  for (const uint32_t top : in) {
    if (top == kComplete) continue;
    const Frame f = frames_[top];
    if (g_.matches(f.pos, cp)) expand(f.pos + 1, f.parent, out);
  }
  sort_unique(out);
  return out;
}

bool ParseStacks::may_read(std::span<const uint32_t> in, uint32_t lo, uint32_t hi) const {
  return std::any_of(in.begin(), in.end(), [&](uint32_t top) {
    return top != kComplete && g_.intersects(frames_[top].pos, lo, hi);
  });
}

std::vector<uint32_t> ParseStacks::positions(uint32_t top) const {
  std::vector<uint32_t> out;
  for (uint32_t f = top == kComplete ? kBottom : top; f != kBottom; f = frames_[f].parent)
    out.push_back(frames_[f].pos);
  return out;
}

uint32_t ParseStacks::from_positions(std::span<const uint32_t> positions) {
  if (positions.empty()) return kComplete;
  uint32_t f = kBottom;
  for (auto it = positions.rbegin(); it != positions.rend(); ++it) f = intern(*it, f);
  return f;
}

void ParseStacks::clear() {
  frames_.clear();
  index_.clear();
}

}  // namespace tq

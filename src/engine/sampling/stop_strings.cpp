#include "engine/sampling/stop_strings.h"

#include <algorithm>

#include "core/error.h"

namespace tq {

size_t incomplete_utf8_tail(std::string_view text) {
  // A sequence is at most 4 bytes, so only the last 3 can belong to an unfinished one.
  const size_t look = std::min<size_t>(text.size(), 3);
  for (size_t back = 1; back <= look; ++back) {
    const auto byte = static_cast<unsigned char>(text[text.size() - back]);
    if ((byte & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    size_t need = 0;
    if ((byte & 0xE0) == 0xC0)
      need = 2;
    else if ((byte & 0xF0) == 0xE0)
      need = 3;
    else if ((byte & 0xF8) == 0xF0)
      need = 4;
    // ASCII or an invalid lead byte: nothing to wait for; a lead byte whose sequence is
    // already complete: on a boundary.
    return need > back ? back : 0;
  }
  return 0;
}

StopStringMatcher::StopStringMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {
  for (size_t i = 0; i < stops_.size(); ++i)
    if (stops_[i].empty()) throw InputError("stop string " + std::to_string(i) + " is empty");
}

size_t StopStringMatcher::partial_stop_suffix() const {
  size_t best = 0;
  for (const auto& stop : stops_) {
    const size_t longest = std::min(pending_.size(), stop.size() - 1);
    for (size_t len = longest; len > best; --len) {
      if (std::string_view(pending_).substr(pending_.size() - len) ==
          std::string_view(stop).substr(0, len)) {
        best = len;
        break;
      }
    }
  }
  return best;
}

StopStringMatcher::Step StopStringMatcher::feed(std::string_view chunk) {
  Step step;
  if (stopped()) return step;
  pending_.append(chunk);

  // The earliest hit wins: text after it was never meant to be generated.
  size_t hit_at = std::string::npos;
  for (size_t i = 0; i < stops_.size(); ++i) {
    const size_t at = pending_.find(stops_[i]);
    if (at < hit_at) {
      hit_at = at;
      matched_ = i;
    }
  }
  if (matched_) {
    step.emit = pending_.substr(0, hit_at);
    step.stopped = true;
    pending_.clear();
    return step;
  }

  // Hold back whichever is longer: a possible stop-string start, or a split character.
  // (A stop string starts on a character boundary, so the two never need combining.)
  const size_t hold = std::max(partial_stop_suffix(), incomplete_utf8_tail(pending_));
  step.emit = pending_.substr(0, pending_.size() - hold);
  pending_.erase(0, pending_.size() - hold);
  return step;
}

std::string StopStringMatcher::flush() {
  std::string out;
  out.swap(pending_);
  return out;
}

void StopStringMatcher::reset() {
  pending_.clear();
  matched_.reset();
}

}  // namespace tq

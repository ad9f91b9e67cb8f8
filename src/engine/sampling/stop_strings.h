// Stop strings for streamed generation. Text arrives a token piece at a time, and a stop
// string can straddle pieces ("<|im_" + "end|>"), so text that might be the start of a
// stop string is held back until the next piece decides. A trailing incomplete UTF-8
// sequence (byte-fallback tokens split characters) is held back too, so every emitted
// piece is whole characters and can go straight into an SSE/JSON event.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tq {

class StopStringMatcher {
 public:
  struct Step {
    std::string emit;      // safe to show now
    bool stopped = false;  // a stop string was hit; `emit` ends right before it
  };

  // Throws InputError if a stop string is empty (it would match before any text).
  explicit StopStringMatcher(std::vector<std::string> stops);

  // Feeds the next piece of generated text. After a stop, further feeds emit nothing.
  Step feed(std::string_view chunk);
  // Generation ended without a stop: the held-back text, which is now final.
  std::string flush();
  void reset();

  bool stopped() const { return matched_.has_value(); }
  // Index into the constructor's list of the stop string that was hit.
  std::optional<size_t> matched() const { return matched_; }
  // Bytes currently held back (for tests and diagnostics).
  size_t held() const { return pending_.size(); }

 private:
  // Length of the longest suffix of pending_ that is a proper prefix of some stop string.
  size_t partial_stop_suffix() const;

  std::vector<std::string> stops_;
  std::string pending_;  // received, not yet emitted; shorter than the longest stop + 3
  std::optional<size_t> matched_;
};

// Bytes at the end of `text` that start a UTF-8 sequence the text does not finish
// (0 when it ends on a character boundary, or the tail is not valid UTF-8 at all).
size_t incomplete_utf8_tail(std::string_view text);

}  // namespace tq
